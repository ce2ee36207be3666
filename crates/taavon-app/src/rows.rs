//! The records the use cases return and the filters they take, as the store defines
//! them. The server names them from here and never depends on the store itself, so it
//! can reach the database only through a use case.

pub use taavon_store::{
    AgencyRow, Application, ApplicationColumn, ApplicationEvent, ApplicationFilter,
    ApplicationTotals, AuditRecord, BranchRow, Client, Cooperative, CooperativeColumn,
    CooperativeFilter, CountyRow, DashboardFilter, DashboardGrouping, DashboardSums, Formation,
    FunnelStep, InstallmentRow, ListedFormation, Loan, LoanColumn, LoanFilter, LoanSchedule,
    LoanTotals, LoanTransaction, NamedRow, NewCooperative, Person, PortfolioPoint, PortfolioRow,
    Program, ProgramBudget, ProvinceRow, Sort,
};
pub use taavon_store::{
    DELIVERY_DEAD, DELIVERY_DELIVERED, DeliveryRow, DueDelivery, EventRecord, ReferenceSnapshot,
    Subscription, SubscriptionHealth,
};
