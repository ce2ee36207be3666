//! The names of the tables the dashboards keep, apart from every module that reads or
//! writes them, so the modules that only name them (the bulk history, Citus) import
//! nothing else of the dashboards'.

/// Every table the dashboards keep, each written in the transaction of the record it
/// sums and checked against the records (`dashboard_check`): what a history written in bulk empties
/// and refills, and what Citus distributes with the province tables.
pub(crate) const KEPT_TABLES: [&str; 6] = [
    "dashboard_figures",
    "dashboard_month_figures",
    "dashboard_commitments",
    "dashboard_step_days",
    "dashboard_month_step_days",
    "dashboard_province_step_days",
];
