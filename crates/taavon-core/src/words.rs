//! Whole numbers in English words, for the English UI's "in words" beside an amount
//! (the Persian words, as contracts write them, are `money::amount_in_words_fa`): short
//! scale, hyphenated tens ("forty-two"), no "and", so 1 234 reads "one thousand two
//! hundred thirty-four". Every i64 has words.

const ONES: [&str; 20] = [
    "",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
/// Powers of a thousand on the short scale (a billion is 10⁹); i64 reaches 9.2 × 10¹⁸.
const SCALES: [&str; 7] = [
    "",
    "thousand",
    "million",
    "billion",
    "trillion",
    "quadrillion",
    "quintillion",
];

/// `value` in English words: 15 000 000 000 → "fifteen billion"; zero is "zero" and a
/// negative number starts with "minus".
pub fn number_in_words_en(value: i64) -> String {
    if value == 0 {
        return "zero".to_owned();
    }
    let mut rest = value.unsigned_abs();
    let mut groups = Vec::new();
    let mut scale = 0usize;
    while rest > 0 {
        let group = (rest % 1000) as usize;
        if group > 0 {
            let words = below_thousand(group);
            groups.push(match SCALES.get(scale).copied().unwrap_or("") {
                "" => words,
                name => format!("{words} {name}"),
            });
        }
        rest /= 1000;
        scale += 1;
    }
    groups.reverse();
    let words = groups.join(" ");
    if value < 0 {
        format!("minus {words}")
    } else {
        words
    }
}

fn below_thousand(number: usize) -> String {
    let mut parts = Vec::new();
    let (hundreds, rest) = (number / 100, number % 100);
    if hundreds > 0 {
        parts.push(format!(
            "{} hundred",
            ONES.get(hundreds).copied().unwrap_or("")
        ));
    }
    let one = |n: usize| ONES.get(n).copied().unwrap_or("");
    if rest >= 20 {
        let tens = TENS.get(rest / 10).copied().unwrap_or("");
        parts.push(match rest % 10 {
            0 => tens.to_owned(),
            unit => format!("{tens}-{}", one(unit)),
        });
    } else if rest > 0 {
        parts.push(one(rest).to_owned());
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_in_english_words_on_the_short_scale() {
        // Establishes the English words of the amounts a loan page shows.
        assert_eq!(number_in_words_en(15_000_000_000), "fifteen billion");
        assert_eq!(
            number_in_words_en(1_234),
            "one thousand two hundred thirty-four"
        );
        assert_eq!(number_in_words_en(0), "zero");
        assert_eq!(number_in_words_en(-40), "minus forty");
        assert_eq!(number_in_words_en(1_000_019), "one million nineteen");
        assert_eq!(
            number_in_words_en(i64::MIN),
            "minus nine quintillion two hundred twenty-three quadrillion three hundred \
             seventy-two trillion thirty-six billion eight hundred fifty-four million seven \
             hundred seventy-five thousand eight hundred eight"
        );
    }
}
