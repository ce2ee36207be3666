//! taavon's store: one interface with read and write transactions over embedded SQLite
//! or PostgreSQL, chosen by the database URL.
//!
//! Architecture invariant: every write transaction records at least one audit entry, and
//! committing it appends those entries to the hash chain inside the same database
//! transaction (`WriteTx::commit` refuses to commit an unaudited change).
//!
//! Both engines run the same query text (`$N` placeholders work in SQLite too); the
//! `on!` macro in `conn.rs` expands one body for each engine. This is an enum rather than a
//! generic `Store` trait so the app and server are compiled once, not once per backend.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

#[macro_use]
mod conn;
mod applications;
mod arrears;
mod audit;
mod audit_reads;
mod awards;
mod backup;
#[cfg(feature = "tooling")]
mod baseline;
mod bulk;
#[cfg(feature = "tooling")]
mod bulk_loans;
mod citus;
mod cooperatives;
mod dashboard_check;
mod dashboard_figures;
mod dashboard_history;
mod dashboard_rollups;
mod dashboard_steps;
mod dashboard_sums;
mod dashboard_tables;
mod eod;
mod error;
mod events;
mod filter;
mod idempotency;
mod impact;
mod impact_figures;
mod insert;
mod ledger;
mod ledger_reports;
mod loan_figure_parts;
mod loan_figures;
mod loans;
mod outbox;
mod people;
mod person_overview;
mod programs;
mod proposals;
mod reference;
mod reference_cache;
mod registry;
mod rounds;
mod schema;
mod services;
mod sessions;
mod sort;
mod sums;
mod support;
mod support_figures;
mod table_sums;
mod throttle;
mod transfer;
mod tx;
mod url;
mod users;
mod webhooks;

pub use applications::{
    ApplicantName, Application, ApplicationEvent, ApplicationFilter, ApplicationMove,
    ApplicationTotals, NewApplication,
};
pub use audit::{
    Actor, AuditCheckpoint, AuditEntry, AuditHead, AuditKey, AuditRecord, AuditVerification,
    BrokenLink,
};
pub use audit_reads::AuditFilter;
pub use awards::{
    AWARD_ENTRIES_MAX, AwardAssignment, AwardCategory, AwardCertificate, AwardCriterion,
    AwardCriterionMark, AwardEntry, AwardEntryReason, AwardFacts, AwardFestival, AwardPanelJudge,
    AwardResult, NewAwardEntry, NewAwardFestival,
};
pub use backup::{is_sqlite_file, restore_sqlite_file};
#[cfg(feature = "tooling")]
pub use bulk_loans::RunningLoan;
pub use cooperatives::{Cooperative, CooperativeFilter, NewCooperative};
pub use dashboard_figures::{
    DashboardCell, DashboardFilter, DashboardGrouping, DashboardSums, PortfolioPoint,
};
pub use dashboard_history::synthesized_waiting_states;
pub use dashboard_steps::{FunnelStep, StepDays};
pub use eod::{ClassTotals, EodBatch, PortfolioRow};
pub use error::{StoreError, Unavailability};
pub use events::EventRecord;
pub use idempotency::IdempotentRequest;
pub use impact::{
    HireRow, HireUpdate, INSURED_BATCH_MAX, InsuredCounts, InsuredCoverage, InsuredUpload,
    JobReport, NewHire, NewInsuredUpload, PageClaim, WorkshopHolder,
};
pub use impact_figures::FigureFilter;
pub use ledger::{ACCOUNT_INDEX_RUN, LEDGER_BATCH_MAX, LedgerAccount};
pub use ledger_reports::{LedgerAccountFilter, TransferPage, TrialBalanceRow};
pub use loan_figures::LoanCountyFigure;
pub use loans::{
    InstallmentRow, Loan, LoanFilter, LoanSchedule, LoanState, LoanTotals, LoanTransaction,
    NewLoan, NewLoanTransaction, PaymentReceipt, TransactionLine,
};
pub use outbox::NewEvent;
pub use people::{Client, NewClient, NewMembership, NewPerson, Person};
pub use person_overview::{PersonMembership, PersonService};
pub use programs::{Program, ProgramBudget};
pub use proposals::{LoanProposal, NewLoanProposal, ProposalOutcome};
pub use reference::{
    AgencyRow, BranchRow, CountyRow, CountyTier, NamedRow, ProvinceRow, TierClassificationInfo,
};
pub use reference_cache::ReferenceSnapshot;
pub use registry::{Formation, ListedFormation, ShareEntryRow, Versioned};
pub use rounds::{AllocationProposal, AllocationRound};
pub use schema::{ColumnInfo, ForeignKeyInfo, IndexInfo, Schema, TableColumns};
pub use services::{
    NewService, NewServiceImport, Recipient, SERVICE_BATCH_MAX, ServiceBatch, ServiceFigure,
    ServiceImport,
};
pub use sessions::{Purged, SessionRow};
pub use sort::{ApplicationColumn, CooperativeColumn, LoanColumn, Sort, SortColumn};
pub use support::{
    NewSupportAttachment, NewSupportRequest, RoutingRule, SUPPORT_LIST_MAX, SupportAttachment,
    SupportChange, SupportFilter, SupportMessage, SupportRequest, SupportSlaRow, SupportTopic,
};
pub use support_figures::SupportCountyFigure;
pub use table_sums::{TableComparison, TableSum, compare as compare_table_sums};
pub use throttle::{Reservation, ThrottleKey};
pub use tx::{Engine, ReadTx, Reader, Store, WriteTx};
pub use url::DatabaseUrl;
pub use users::{LoginContext, NewUser, User};
pub use webhooks::{
    AttemptRecord, DELIVERY_DEAD, DELIVERY_DELIVERED, DELIVERY_PENDING, DeliveryRow, DueDelivery,
    FanOut, NewSubscription, Subscription, SubscriptionHealth,
};
