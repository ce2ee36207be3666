//! The longest text taavon accepts, one limit per kind of text.
//!
//! Every text a person or a program submits (an API body, a form, an import row) is of
//! one of these kinds, and none is stored, logged or audited beyond its kind's limit:
//! a 1.5 MB address would otherwise live in the audit chain, which can never be cleaned.
//! The API's OpenAPI document declares the same limits (`maxLength`), so a client knows
//! them before it sends anything.
//!
//! Lengths count characters (Unicode scalar values), as JSON Schema's `maxLength` does,
//! so a Persian name has the same limit as a Latin one.

/// A person's given or family name, a cooperative's, program's or scenario's name, a
/// user's display name.
pub const NAME_CHARS_MAX: usize = 200;
/// A postal address.
pub const ADDRESS_CHARS_MAX: usize = 500;
/// Free text: an application's purpose, a formation's statute, a transaction's note.
pub const FREE_TEXT_CHARS_MAX: usize = 2_000;
/// The reason an officer gives for a decision (a rejection, a reversal).
pub const REASON_CHARS_MAX: usize = 1_000;
/// A reference: a registration number, a deposit's own reference, a client's credential.
pub const REFERENCE_CHARS_MAX: usize = 100;
/// A code from a fixed list or from the reference data (a county, a sector, a bank, a
/// status, a program's code).
pub const CODE_CHARS_MAX: usize = 64;
/// An identifier or a phone number as typed: a national code, a legal ID, a mobile or
/// a landline number, with the spaces and hyphens people put between the groups.
pub const IDENTIFIER_CHARS_MAX: usize = 32;
/// A date as typed, in either calendar (`1403/02/23`, `2024-05-12`).
pub const DATE_CHARS_MAX: usize = 32;
/// What a person types in a search box.
pub const SEARCH_CHARS_MAX: usize = 200;
/// A user name: accounts are created with 3 to this many characters, and a login refuses
/// a longer one unread.
pub const USERNAME_CHARS_MAX: usize = 32;
/// A password. Generous (a passphrase, a password manager's output), but bounded: argon2
/// reads all of it on every login attempt.
pub const PASSWORD_CHARS_MAX: usize = 256;

/// An `Idempotency-Key` header: a client's own token of visible ASCII.
pub const IDEMPOTENCY_KEY_CHARS_MAX: usize = 200;

/// The kinds of submitted text, each with its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextKind {
    Name,
    Address,
    FreeText,
    Reason,
    Reference,
    Code,
    Identifier,
    Date,
    Search,
    Username,
    Password,
}

impl TextKind {
    pub const ALL: [TextKind; 11] = [
        TextKind::Name,
        TextKind::Address,
        TextKind::FreeText,
        TextKind::Reason,
        TextKind::Reference,
        TextKind::Code,
        TextKind::Identifier,
        TextKind::Date,
        TextKind::Search,
        TextKind::Username,
        TextKind::Password,
    ];

    /// The most characters a text of this kind may have.
    pub const fn max_chars(self) -> usize {
        match self {
            TextKind::Name => NAME_CHARS_MAX,
            TextKind::Address => ADDRESS_CHARS_MAX,
            TextKind::FreeText => FREE_TEXT_CHARS_MAX,
            TextKind::Reason => REASON_CHARS_MAX,
            TextKind::Reference => REFERENCE_CHARS_MAX,
            TextKind::Code => CODE_CHARS_MAX,
            TextKind::Identifier => IDENTIFIER_CHARS_MAX,
            TextKind::Date => DATE_CHARS_MAX,
            TextKind::Search => SEARCH_CHARS_MAX,
            TextKind::Username => USERNAME_CHARS_MAX,
            TextKind::Password => PASSWORD_CHARS_MAX,
        }
    }

    /// Whether `text` is longer than this kind allows. Reads no further than the limit,
    /// so a megabyte of text costs no more than a short one.
    pub fn exceeded_by(self, text: &str) -> bool {
        exceeds(text, self.max_chars())
    }
}

/// Whether `text` has more than `max` characters. Reads no further than `max`, so a
/// megabyte of text costs no more than a short one.
pub fn exceeds(text: &str, max: usize) -> bool {
    // A character takes at least one byte: a short text in bytes is short in characters.
    text.len() > max && text.chars().nth(max).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_measured_in_characters_so_persian_has_the_latin_limit() {
        // Establishes that the limit counts characters (as JSON Schema does), not bytes.
        let persian = "ب".repeat(NAME_CHARS_MAX);
        assert_eq!(persian.len(), 2 * NAME_CHARS_MAX);
        assert!(!TextKind::Name.exceeded_by(&persian));
        assert!(TextKind::Name.exceeded_by(&format!("{persian}ب")));
        assert!(!TextKind::Name.exceeded_by(""));
    }

    #[test]
    fn every_kind_has_a_limit_and_the_longer_kinds_hold_the_shorter() {
        // Establishes the order of the limits: free text holds a reason, a reason an
        // address, an address a name, a name a code.
        assert!(TextKind::ALL.iter().all(|kind| kind.max_chars() > 0));
        let order = [
            TextKind::FreeText,
            TextKind::Reason,
            TextKind::Address,
            TextKind::Name,
            TextKind::Code,
        ];
        assert!(
            order
                .windows(2)
                .all(|pair| matches!(pair, [a, b] if a.max_chars() > b.max_chars()))
        );
    }
}
