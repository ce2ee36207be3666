//! End of day as data: which steps run, in which order. The store runs each step as one
//! set-based statement per batch of loans; this module only says what a valid plan is.

/// One step of end of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EodStep {
    /// Installments falling due: what is due and unpaid, the oldest due day, days overdue.
    Overdue,
    /// Installments falling late, and the late charge to date.
    LateCharges,
    /// The Central Bank of Iran class and its provision.
    Classify,
    /// The portfolio at the closed date per branch: outstanding, PAR30, PAR90, classes.
    Portfolio,
    /// The change in provisions, moved through the ledger.
    ProvisionLedger,
}

impl EodStep {
    pub const ALL: [EodStep; 5] = [
        EodStep::Overdue,
        EodStep::LateCharges,
        EodStep::Classify,
        EodStep::Portfolio,
        EodStep::ProvisionLedger,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EodStep::Overdue => "overdue",
            EodStep::LateCharges => "late_charges",
            EodStep::Classify => "classify",
            EodStep::Portfolio => "portfolio",
            EodStep::ProvisionLedger => "provision_ledger",
        }
    }

    pub fn parse(code: &str) -> Option<EodStep> {
        EodStep::ALL.into_iter().find(|step| step.code() == code)
    }

    /// Runs over each batch of loans (the others run once, after every batch).
    pub fn per_batch(self) -> bool {
        matches!(
            self,
            EodStep::Overdue | EodStep::LateCharges | EodStep::Classify
        )
    }

    /// Steps whose results this one reads, so they must come before it when present.
    fn needs(self) -> &'static [EodStep] {
        match self {
            EodStep::Overdue | EodStep::LateCharges => &[],
            EodStep::Classify => &[EodStep::Overdue],
            EodStep::Portfolio | EodStep::ProvisionLedger => &[EodStep::Classify],
        }
    }
}

/// Why a configured list of steps cannot run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EodPlanError {
    #[error("unknown end-of-day step {0:?}")]
    Unknown(String),
    #[error("end-of-day step {0:?} is listed twice")]
    Repeated(&'static str),
    #[error("end-of-day step {step:?} needs {needs:?} before it")]
    OutOfOrder {
        step: &'static str,
        needs: &'static str,
    },
}

/// A checked, ordered list of steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EodPlan {
    steps: Vec<EodStep>,
}

impl Default for EodPlan {
    fn default() -> Self {
        EodPlan {
            steps: EodStep::ALL.to_vec(),
        }
    }
}

impl EodPlan {
    /// Reads step codes in order; a step may be left out, but not before what it needs.
    pub fn parse<S: AsRef<str>>(codes: &[S]) -> Result<EodPlan, EodPlanError> {
        let mut steps: Vec<EodStep> = Vec::new();
        for code in codes {
            let step = EodStep::parse(code.as_ref())
                .ok_or_else(|| EodPlanError::Unknown(code.as_ref().to_owned()))?;
            if steps.contains(&step) {
                return Err(EodPlanError::Repeated(step.code()));
            }
            steps.push(step);
        }
        for (position, step) in steps.iter().enumerate() {
            for needed in step.needs() {
                match steps.iter().position(|s| s == needed) {
                    Some(at) if at < position => {}
                    _ => {
                        return Err(EodPlanError::OutOfOrder {
                            step: step.code(),
                            needs: needed.code(),
                        });
                    }
                }
            }
        }
        Ok(EodPlan { steps })
    }

    pub fn steps(&self) -> &[EodStep] {
        &self.steps
    }

    pub fn runs(&self, step: EodStep) -> bool {
        self.steps.contains(&step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_plan_runs_every_step_in_order() {
        let codes: Vec<&str> = EodStep::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(EodPlan::parse(&codes).unwrap(), EodPlan::default());
    }

    #[test]
    fn a_step_may_be_left_out_but_not_run_before_what_it_reads() {
        assert!(EodPlan::parse(&["overdue", "classify"]).is_ok());
        assert_eq!(
            EodPlan::parse(&["classify", "overdue"]),
            Err(EodPlanError::OutOfOrder {
                step: "classify",
                needs: "overdue"
            })
        );
        assert_eq!(
            EodPlan::parse(&["overdue", "overdue"]),
            Err(EodPlanError::Repeated("overdue"))
        );
        assert_eq!(
            EodPlan::parse(&["sweep"]),
            Err(EodPlanError::Unknown("sweep".to_owned()))
        );
    }
}
