//! The banks behind Sheba bank codes (digits 5–7 of an Iranian IBAN).
//!
//! Generated from `shared/data/banks/sheba-bank-codes.csv` (the same file as
//! `data/reference/sheba-bank-codes.csv`), which comes from npm
//! `@persian-tools/persian-tools` 4.0.4 (MIT licence). Some banks have since merged; the
//! names are historical labels. The table lives in the source, rather than being read at
//! start-up, so validating a Sheba needs no IO and cannot fail to load; the test below
//! fails if it drifts from the CSV.

/// A bank (or credit institution) that issues Sheba numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bank {
    /// The three-digit Sheba bank code, e.g. `022`.
    pub code: &'static str,
    /// A stable ASCII nickname, e.g. `toose-taavon`.
    pub nickname: &'static str,
    pub name_en: &'static str,
    pub name_fa: &'static str,
}

/// Every known bank, sorted by code (so lookups can search by halves).
pub const BANKS: [Bank; 38] = [
    Bank {
        code: "010",
        nickname: "central-bank",
        name_en: "Central Bank of Iran",
        name_fa: "بانک مرکزی جمهوری اسلامی ایران",
    },
    Bank {
        code: "011",
        nickname: "sanat-o-madan",
        name_en: "Sanat O Madan Bank",
        name_fa: "بانک صنعت و معدن",
    },
    Bank {
        code: "012",
        nickname: "mellat",
        name_en: "Mellat Bank",
        name_fa: "بانک ملت",
    },
    Bank {
        code: "013",
        nickname: "refah",
        name_en: "Refah Bank",
        name_fa: "بانک رفاه کارگران",
    },
    Bank {
        code: "014",
        nickname: "maskan",
        name_en: "Maskan Bank",
        name_fa: "بانک مسکن",
    },
    Bank {
        code: "015",
        nickname: "sepah",
        name_en: "Sepah Bank",
        name_fa: "بانک سپه",
    },
    Bank {
        code: "016",
        nickname: "keshavarzi",
        name_en: "Keshavarzi",
        name_fa: "بانک کشاورزی",
    },
    Bank {
        code: "017",
        nickname: "melli",
        name_en: "Melli",
        name_fa: "بانک ملی ایران",
    },
    Bank {
        code: "018",
        nickname: "tejarat",
        name_en: "Tejarat Bank",
        name_fa: "بانک تجارت",
    },
    Bank {
        code: "019",
        nickname: "saderat",
        name_en: "Saderat Bank",
        name_fa: "بانک صادرات ایران",
    },
    Bank {
        code: "020",
        nickname: "tosee-saderat",
        name_en: "Tose Saderat Bank",
        name_fa: "بانک توسعه صادرات",
    },
    Bank {
        code: "021",
        nickname: "post",
        name_en: "Post Bank",
        name_fa: "پست بانک ایران",
    },
    Bank {
        code: "022",
        nickname: "toose-taavon",
        name_en: "Tosee Taavon Bank",
        name_fa: "بانک توسعه تعاون",
    },
    Bank {
        code: "051",
        nickname: "tosee",
        name_en: "Tosee Bank",
        name_fa: "موسسه اعتباری توسعه",
    },
    Bank {
        code: "052",
        nickname: "ghavamin",
        name_en: "Ghavamin Bank",
        name_fa: "بانک قوامین",
    },
    Bank {
        code: "053",
        nickname: "karafarin",
        name_en: "Karafarin Bank",
        name_fa: "بانک کارآفرین",
    },
    Bank {
        code: "054",
        nickname: "parsian",
        name_en: "Parsian Bank",
        name_fa: "بانک پارسیان",
    },
    Bank {
        code: "055",
        nickname: "eghtesad-novin",
        name_en: "Eghtesad Novin Bank",
        name_fa: "بانک اقتصاد نوین",
    },
    Bank {
        code: "056",
        nickname: "saman",
        name_en: "Saman Bank",
        name_fa: "بانک سامان",
    },
    Bank {
        code: "057",
        nickname: "pasargad",
        name_en: "Pasargad Bank",
        name_fa: "بانک پاسارگاد",
    },
    Bank {
        code: "058",
        nickname: "sarmayeh",
        name_en: "Sarmayeh Bank",
        name_fa: "بانک سرمایه",
    },
    Bank {
        code: "059",
        nickname: "sina",
        name_en: "Sina Bank",
        name_fa: "بانک سینا",
    },
    Bank {
        code: "060",
        nickname: "mehr-iran",
        name_en: "Mehr Iran Bank",
        name_fa: "بانک مهر ایران",
    },
    Bank {
        code: "061",
        nickname: "shahr",
        name_en: "City Bank",
        name_fa: "بانک شهر",
    },
    Bank {
        code: "062",
        nickname: "ayandeh",
        name_en: "Ayandeh Bank",
        name_fa: "بانک آینده",
    },
    Bank {
        code: "063",
        nickname: "ansar",
        name_en: "Ansar Bank",
        name_fa: "بانک انصار",
    },
    Bank {
        code: "064",
        nickname: "gardeshgari",
        name_en: "Gardeshgari Bank",
        name_fa: "بانک گردشگری",
    },
    Bank {
        code: "065",
        nickname: "hekmat-iranian",
        name_en: "Hekmat Iranian Bank",
        name_fa: "بانک حکمت ایرانیان",
    },
    Bank {
        code: "066",
        nickname: "dey",
        name_en: "Dey Bank",
        name_fa: "بانک دی",
    },
    Bank {
        code: "069",
        nickname: "iran-zamin",
        name_en: "Iran Zamin Bank",
        name_fa: "بانک ایران زمین",
    },
    Bank {
        code: "070",
        nickname: "resalat",
        name_en: "Resalat Bank",
        name_fa: "بانک قرض الحسنه رسالت",
    },
    Bank {
        code: "073",
        nickname: "kosar",
        name_en: "Kosar Credit Institute",
        name_fa: "موسسه اعتباری کوثر",
    },
    Bank {
        code: "075",
        nickname: "melal",
        name_en: "Melal Credit Institute",
        name_fa: "موسسه اعتباری ملل",
    },
    Bank {
        code: "078",
        nickname: "middle-east-bank",
        name_en: "Middle East Bank",
        name_fa: "بانک خاورمیانه",
    },
    Bank {
        code: "079",
        nickname: "mehr-eqtesad",
        name_en: "Mehr Eqtesad Bank",
        name_fa: "بانک مهر اقتصاد",
    },
    Bank {
        code: "080",
        nickname: "noor-bank",
        name_en: "Noor Credit Institution",
        name_fa: "موسسه اعتباری نور",
    },
    Bank {
        code: "090",
        nickname: "mehr-iran",
        name_en: "Mehr Iran Bank",
        name_fa: "بانک مهر ایران",
    },
    Bank {
        code: "095",
        nickname: "iran-venezuela",
        name_en: "Iran and Venezuela Bank",
        name_fa: "بانک ایران و ونزوئلا",
    },
];

/// The bank with this three-digit Sheba code, if any.
pub fn bank_by_code(code: &str) -> Option<&'static Bank> {
    BANKS
        .binary_search_by(|bank| bank.code.cmp(code))
        .ok()
        .and_then(|index| BANKS.get(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of a `sheba_bank_code,nickname,name_en,name_fa` file, quotes removed.
    fn rows_of(csv: &str) -> Vec<[String; 4]> {
        csv.lines()
            .skip(1)
            .map(|line| {
                let fields: Vec<String> = line
                    .splitn(3, ',')
                    .flat_map(|field| {
                        // The last field holds the two quoted names.
                        field
                            .split("\",\"")
                            .map(|part| part.trim_matches('"').to_owned())
                            .collect::<Vec<_>>()
                    })
                    .collect();
                [0, 1, 2, 3].map(|i| fields[i].clone())
            })
            .collect()
    }

    fn rows_of_table() -> Vec<[String; 4]> {
        BANKS
            .iter()
            .map(|b| [b.code, b.nickname, b.name_en, b.name_fa].map(str::to_owned))
            .collect()
    }

    #[test]
    fn the_generated_table_equals_the_csv_it_came_from() {
        // Establishes that the table has not drifted from the repository's CSV, nor from
        // the shared original when it sits next to the repository.
        let repository = include_str!("../../../../data/reference/sheba-bank-codes.csv");
        assert_eq!(rows_of_table(), rows_of(repository));
        let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/banks/sheba-bank-codes.csv");
        if let Ok(original) = std::fs::read_to_string(shared) {
            assert_eq!(rows_of_table(), rows_of(&original));
        }
    }

    #[test]
    fn the_table_is_sorted_so_lookups_find_every_bank() {
        // Establishes the order binary search relies on, and lookups of both ends.
        assert!(BANKS.windows(2).all(|pair| pair[0].code < pair[1].code));
        for bank in &BANKS {
            assert_eq!(bank_by_code(bank.code), Some(bank));
        }
        assert_eq!(bank_by_code("022").unwrap().name_fa, "بانک توسعه تعاون");
        assert_eq!(bank_by_code("013").unwrap().name_fa, "بانک رفاه کارگران");
        assert_eq!(bank_by_code("999"), None);
        assert_eq!(bank_by_code(""), None);
    }
}
