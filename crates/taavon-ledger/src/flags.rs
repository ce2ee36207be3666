//! The flag sets of accounts and transfers, with TigerBeetle's bit numbering so the
//! stored integers read the same as TigerBeetle's.

/// Defines a set of flags over a `u16`: named constants, union, membership, and a
/// checked conversion from stored bits (unknown bits are refused, so a set in memory
/// never holds a flag this code does not know).
macro_rules! flag_set {
    ($(#[$doc:meta])* $name:ident { $($(#[$flag_doc:meta])* $flag:ident = $bit:expr),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name(u16);

        impl $name {
            pub const NONE: Self = Self(0);
            $($(#[$flag_doc])* pub const $flag: Self = Self(1 << $bit);)+
            const KNOWN: u16 = 0 $(| (1 << $bit))+;

            /// The bits as stored.
            pub const fn bits(self) -> u16 {
                self.0
            }

            /// The set the stored bits name, or `None` if a bit is unknown.
            pub const fn from_bits(bits: u16) -> Option<Self> {
                if bits & !Self::KNOWN == 0 {
                    Some(Self(bits))
                } else {
                    None
                }
            }

            /// Whether every flag of `other` is set.
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            pub const fn union(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }

            pub const fn difference(self, other: Self) -> Self {
                Self(self.0 & !other.0)
            }
        }

        impl std::ops::BitOr for $name {
            type Output = Self;
            fn bitor(self, other: Self) -> Self {
                self.union(other)
            }
        }
    };
}

flag_set!(
    /// What an account allows.
    AccountFlags {
        /// The account's creation succeeds or fails with the next one in the batch.
        LINKED = 0,
        /// Debits (pending and posted) may never exceed posted credits: a fund that must
        /// not be overdrawn.
        DEBITS_MUST_NOT_EXCEED_CREDITS = 1,
        /// Credits (pending and posted) may never exceed posted debits.
        CREDITS_MUST_NOT_EXCEED_DEBITS = 2,
    }
);

flag_set!(
    /// What a transfer is.
    TransferFlags {
        /// The transfer succeeds or fails with the next one in the batch.
        LINKED = 0,
        /// The first phase of a two-phase transfer: reserves the amount as pending.
        PENDING = 1,
        /// Posts (all or part of) the pending transfer named by `pending_id`.
        POST_PENDING_TRANSFER = 2,
        /// Releases the pending transfer named by `pending_id`.
        VOID_PENDING_TRANSFER = 3,
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_bits_round_trip_and_unknown_bits_are_refused() {
        // Establishes that a stored flag integer reads back as the same set, and that a
        // bit this code does not know cannot sneak in.
        let flags = TransferFlags::PENDING | TransferFlags::LINKED;
        assert_eq!(TransferFlags::from_bits(flags.bits()), Some(flags));
        assert_eq!(flags.bits(), 0b11);
        assert_eq!(TransferFlags::from_bits(1 << 4), None);
        assert_eq!(AccountFlags::from_bits(1 << 3), None);
        assert!(flags.contains(TransferFlags::PENDING));
        assert!(!flags.contains(TransferFlags::POST_PENDING_TRANSFER));
        assert_eq!(
            flags.difference(TransferFlags::LINKED),
            TransferFlags::PENDING
        );
    }
}
