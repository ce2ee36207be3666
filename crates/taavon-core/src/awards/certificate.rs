//! The verification code printed on a winner's certificate and checked by a public page.
//!
//! The code is a keyed digest of (festival year, entry, cooperative) so that nobody
//! without the ministry's secret can make one. The core has no hash function (no
//! dependency on a digest crate, and no IO to hold a secret), so the app computes the
//! digest, HMAC-SHA256 with its secret over `CertificateSubject::message`, and the core
//! fixes what is digested and how the digest is written and read back: the first 50 bits
//! in Crockford's base32, ten characters shown as two groups of five (`7K2QD-M9XAT`). Read
//! back, case, hyphens, spaces and Persian digits are ignored and the letters people
//! confuse with digits (O, I, L) are read as those digits.

use std::fmt;

/// Crockford's base32 alphabet: digits and letters without I, L, O and U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LENGTH: usize = 10;

/// What a certificate vouches for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificateSubject {
    /// The festival's Jalali year.
    pub festival_year: i32,
    pub entry: i64,
    pub cooperative_id: i64,
}

/// A certificate's verification code.
///
/// Invariant: `LENGTH` characters of `ALPHABET`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CertificateCode(String);

/// Why a verification code is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertificateCodeError {
    #[error("a digest of {0} bytes is too short; at least 7 are needed")]
    DigestTooShort(usize),
    #[error("a verification code has ten letters and digits")]
    Shape,
}

impl CertificateSubject {
    /// The text the app's keyed digest is computed over; versioned so that a change of
    /// the rule cannot make an old code verify something else.
    pub fn message(&self) -> String {
        format!(
            "taavon-certificate/v1/{}/{}/{}",
            self.festival_year, self.entry, self.cooperative_id
        )
    }
}

impl CertificateCode {
    /// The code of a keyed digest (the first 50 bits of it).
    pub fn from_digest(digest: &[u8]) -> Result<Self, CertificateCodeError> {
        let head = digest
            .get(..7)
            .ok_or(CertificateCodeError::DigestTooShort(digest.len()))?;
        let bits = head
            .iter()
            .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte))
            >> 6;
        let code = (0..LENGTH)
            .rev()
            .filter_map(|place| ALPHABET.get(((bits >> (5 * place)) & 31) as usize))
            .map(|digit| char::from(*digit))
            .collect();
        Ok(Self(code))
    }

    /// A code as someone typed it.
    pub fn parse(text: &str) -> Result<Self, CertificateCodeError> {
        let mut code = String::with_capacity(LENGTH);
        for c in text.chars() {
            let c = match c {
                '-' | ' ' | '\u{200c}' => continue,
                '۰'..='۹' => char::from_digit(c as u32 - '۰' as u32, 10).unwrap_or(c),
                'o' | 'O' => '0',
                'i' | 'I' | 'l' | 'L' => '1',
                _ => c.to_ascii_uppercase(),
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return Err(CertificateCodeError::Shape);
            }
            code.push(c);
        }
        if code.len() != LENGTH {
            return Err(CertificateCodeError::Shape);
        }
        Ok(Self(code))
    }

    /// Whether a typed code is this one, comparing every character whatever differs (so
    /// the time taken tells nothing of how close a guess was).
    pub fn verifies(&self, typed: &str) -> bool {
        let Ok(typed) = Self::parse(typed) else {
            return false;
        };
        self.0
            .bytes()
            .zip(typed.0.bytes())
            .fold(0u8, |differ, (a, b)| differ | (a ^ b))
            == 0
    }
}

impl fmt::Display for CertificateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, second) = self.0.split_at(LENGTH / 2);
        write!(f, "{first}-{second}")
    }
}

impl fmt::Debug for CertificateCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertificateCode({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_written_as_ten_characters_in_two_groups() {
        // Establishes the encoding of the first 50 bits and the subject's message.
        let code = CertificateCode::from_digest(&[0xff; 32]).unwrap();
        assert_eq!(code.to_string(), "ZZZZZ-ZZZZZ");
        let code = CertificateCode::from_digest(&[0, 0, 0, 0, 0, 0, 0b0100_0000, 9]).unwrap();
        assert_eq!(code.to_string(), "00000-00001");
        let code =
            CertificateCode::from_digest(&[0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde]).unwrap();
        // 0x123456789abcde >> 6 = 0x48d159e26af3, in base32 digits of 5 bits.
        assert_eq!(code.to_string(), "28T5C-Y4TQK");
        assert_eq!(
            CertificateCode::from_digest(&[1; 6]),
            Err(CertificateCodeError::DigestTooShort(6))
        );
        let subject = CertificateSubject {
            festival_year: 1404,
            entry: 17,
            cooperative_id: 9001,
        };
        assert_eq!(subject.message(), "taavon-certificate/v1/1404/17/9001");
    }

    #[test]
    fn a_typed_code_is_read_forgivingly_and_compared_exactly() {
        // Establishes what typing slips are forgiven and that any other difference fails.
        let code = CertificateCode::parse("28T5C-Y4TQK").unwrap();
        for typed in ["28t5c y4tqk", "۲۸T5CY4TQK", "28T5C-Y4TQK"] {
            assert!(code.verifies(typed), "{typed}");
        }
        let zeros = CertificateCode::parse("0000011111").unwrap();
        assert!(zeros.verifies("OOOOO-ILlil"));
        for typed in [
            "28T5C-Y4TQM",
            "28T5C-Y4TQ",
            "28T5C-Y4TQKK",
            "28T5U-Y4TQK",
            "",
        ] {
            assert!(!code.verifies(typed), "{typed}");
        }
        assert_eq!(
            CertificateCode::parse("28T5C!Y4TQK"),
            Err(CertificateCodeError::Shape)
        );
    }
}
