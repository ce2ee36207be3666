//! Enums stored and sent as stable text codes: one `code`/`parse` pair per enum, so a
//! code is spelled once (the store decodes rows with `parse`, the API writes `code`).

macro_rules! coded_enum {
    ($type:ident { $($variant:ident = $code:literal),* $(,)? }) => {
        impl $type {
            pub const ALL: &'static [$type] = &[$($type::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $($type::$variant => $code),* }
            }

            pub fn parse(code: &str) -> Option<Self> {
                match code.trim() { $($code => Some($type::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
pub(crate) use coded_enum;
