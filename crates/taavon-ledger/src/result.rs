//! The outcome of each event of a batch, one code per outcome, named as TigerBeetle
//! names them. Variants are listed in order of precedence: when several apply, the
//! ledger answers the first.

/// The results every batch's events share, so the ledger's one driver runs linked chains
/// for both accounts and transfers.
pub(crate) trait Outcome: Copy + PartialEq {
    const OK: Self;
    const LINKED_EVENT_FAILED: Self;
    const LINKED_EVENT_CHAIN_OPEN: Self;
    fn is_success(self) -> bool;
}

/// Defines a result enum with its stable snake_case code (for logs, the API and the CLI)
/// and the list of every variant (so tests can prove each one is reached).
macro_rules! result_codes {
    ($(#[$doc:meta])* $name:ident { $($(#[$variant_doc:meta])* $variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$variant_doc])* $variant),+
        }

        impl $name {
            /// Every result, in order of precedence.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable code, e.g. `exceeds_credits`.
            pub const fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code),+
                }
            }

            /// Whether the event now exists as asked: newly created, or already there
            /// with the same fields (a retry).
            pub const fn is_success(self) -> bool {
                matches!(self, Self::Ok | Self::Exists)
            }
        }

        impl Outcome for $name {
            const OK: Self = Self::Ok;
            const LINKED_EVENT_FAILED: Self = Self::LinkedEventFailed;
            const LINKED_EVENT_CHAIN_OPEN: Self = Self::LinkedEventChainOpen;
            fn is_success(self) -> bool {
                $name::is_success(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

result_codes!(
    /// What became of one account of a `create_accounts` batch.
    AccountResult {
        /// Created.
        Ok => "ok",
        /// Not created: another account of its linked chain failed.
        LinkedEventFailed => "linked_event_failed",
        /// Not created: the last account of the batch is flagged `linked`.
        LinkedEventChainOpen => "linked_event_chain_open",
        TimestampMustBeZero => "timestamp_must_be_zero",
        IdMustNotBeZero => "id_must_not_be_zero",
        IdMustNotBeIntMax => "id_must_not_be_int_max",
        /// Both debit and credit limits: no money could ever move.
        FlagsAreMutuallyExclusive => "flags_are_mutually_exclusive",
        DebitsPendingMustBeZero => "debits_pending_must_be_zero",
        DebitsPostedMustBeZero => "debits_posted_must_be_zero",
        CreditsPendingMustBeZero => "credits_pending_must_be_zero",
        CreditsPostedMustBeZero => "credits_posted_must_be_zero",
        LedgerMustNotBeZero => "ledger_must_not_be_zero",
        CodeMustNotBeZero => "code_must_not_be_zero",
        ExistsWithDifferentFlags => "exists_with_different_flags",
        ExistsWithDifferentUserData128 => "exists_with_different_user_data_128",
        ExistsWithDifferentUserData64 => "exists_with_different_user_data_64",
        ExistsWithDifferentUserData32 => "exists_with_different_user_data_32",
        ExistsWithDifferentLedger => "exists_with_different_ledger",
        ExistsWithDifferentCode => "exists_with_different_code",
        /// Already created with the same fields: a retry, answered as a success.
        Exists => "exists",
    }
);

result_codes!(
    /// What became of one transfer of a `create_transfers` batch.
    TransferResult {
        /// Created.
        Ok => "ok",
        /// Not created: another transfer of its linked chain failed.
        LinkedEventFailed => "linked_event_failed",
        /// Not created: the last transfer of the batch is flagged `linked`.
        LinkedEventChainOpen => "linked_event_chain_open",
        TimestampMustBeZero => "timestamp_must_be_zero",
        IdMustNotBeZero => "id_must_not_be_zero",
        IdMustNotBeIntMax => "id_must_not_be_int_max",
        /// More than one of pending, post and void.
        FlagsAreMutuallyExclusive => "flags_are_mutually_exclusive",
        DebitAccountIdMustNotBeZero => "debit_account_id_must_not_be_zero",
        DebitAccountIdMustNotBeIntMax => "debit_account_id_must_not_be_int_max",
        CreditAccountIdMustNotBeZero => "credit_account_id_must_not_be_zero",
        CreditAccountIdMustNotBeIntMax => "credit_account_id_must_not_be_int_max",
        AccountsMustBeDifferent => "accounts_must_be_different",
        /// Only a post or void names a pending transfer.
        PendingIdMustBeZero => "pending_id_must_be_zero",
        PendingIdMustNotBeZero => "pending_id_must_not_be_zero",
        PendingIdMustNotBeIntMax => "pending_id_must_not_be_int_max",
        PendingIdMustBeDifferent => "pending_id_must_be_different",
        AmountMustNotBeNegative => "amount_must_not_be_negative",
        AmountMustNotBeZero => "amount_must_not_be_zero",
        LedgerMustNotBeZero => "ledger_must_not_be_zero",
        CodeMustNotBeZero => "code_must_not_be_zero",
        DebitAccountNotFound => "debit_account_not_found",
        CreditAccountNotFound => "credit_account_not_found",
        AccountsMustHaveTheSameLedger => "accounts_must_have_the_same_ledger",
        TransferMustHaveTheSameLedgerAsAccounts => "transfer_must_have_the_same_ledger_as_accounts",
        PendingTransferNotFound => "pending_transfer_not_found",
        PendingTransferNotPending => "pending_transfer_not_pending",
        PendingTransferHasDifferentDebitAccountId => "pending_transfer_has_different_debit_account_id",
        PendingTransferHasDifferentCreditAccountId => "pending_transfer_has_different_credit_account_id",
        PendingTransferHasDifferentLedger => "pending_transfer_has_different_ledger",
        PendingTransferHasDifferentCode => "pending_transfer_has_different_code",
        /// A post for more than was reserved.
        ExceedsPendingTransferAmount => "exceeds_pending_transfer_amount",
        /// A void of other than the whole reserved amount.
        PendingTransferHasDifferentAmount => "pending_transfer_has_different_amount",
        ExistsWithDifferentFlags => "exists_with_different_flags",
        ExistsWithDifferentDebitAccountId => "exists_with_different_debit_account_id",
        ExistsWithDifferentCreditAccountId => "exists_with_different_credit_account_id",
        ExistsWithDifferentAmount => "exists_with_different_amount",
        ExistsWithDifferentPendingId => "exists_with_different_pending_id",
        ExistsWithDifferentUserData128 => "exists_with_different_user_data_128",
        ExistsWithDifferentUserData64 => "exists_with_different_user_data_64",
        ExistsWithDifferentUserData32 => "exists_with_different_user_data_32",
        ExistsWithDifferentLedger => "exists_with_different_ledger",
        ExistsWithDifferentCode => "exists_with_different_code",
        /// Already created with the same fields: a retry, answered as a success.
        Exists => "exists",
        PendingTransferAlreadyPosted => "pending_transfer_already_posted",
        PendingTransferAlreadyVoided => "pending_transfer_already_voided",
        OverflowsDebitsPending => "overflows_debits_pending",
        OverflowsCreditsPending => "overflows_credits_pending",
        OverflowsDebitsPosted => "overflows_debits_posted",
        OverflowsCreditsPosted => "overflows_credits_posted",
        /// Pending plus posted debits would not fit.
        OverflowsDebits => "overflows_debits",
        OverflowsCredits => "overflows_credits",
        /// The debit account may not owe more than it holds.
        ExceedsCredits => "exceeds_credits",
        /// The credit account may not hold more than it owes.
        ExceedsDebits => "exceeds_debits",
    }
);

impl TransferResult {
    /// Whether the transfer's id already names a different transfer (any
    /// `exists_with_different_*`): the same id sent with other fields.
    pub const fn is_id_taken(self) -> bool {
        matches!(
            self,
            Self::ExistsWithDifferentFlags
                | Self::ExistsWithDifferentDebitAccountId
                | Self::ExistsWithDifferentCreditAccountId
                | Self::ExistsWithDifferentAmount
                | Self::ExistsWithDifferentPendingId
                | Self::ExistsWithDifferentUserData128
                | Self::ExistsWithDifferentUserData64
                | Self::ExistsWithDifferentUserData32
                | Self::ExistsWithDifferentLedger
                | Self::ExistsWithDifferentCode
        )
    }
}
