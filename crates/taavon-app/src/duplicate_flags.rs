//! Duplicate flags name other records (an application of the same applicant, a forming
//! cooperative of the same founder): a reader sees the names of those it may read, and
//! of any other only that a likely duplicate exists outside its scope, so a flag never
//! reveals a record the reader cannot already see.

use std::collections::HashSet;

/// Which likely duplicate a flag reports; its `code` is the flag's `rule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DuplicateRule {
    /// Another application of the same applicant under the same program.
    SameApplicantAndProgram,
    /// Another cooperative with the same legal ID (a formation's).
    SameLegalId,
    /// A founder of another cooperative still being formed (a formation's).
    FounderOnFormingCooperative,
}

impl DuplicateRule {
    pub const ALL: [DuplicateRule; 3] = [
        DuplicateRule::SameApplicantAndProgram,
        DuplicateRule::SameLegalId,
        DuplicateRule::FounderOnFormingCooperative,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DuplicateRule::SameApplicantAndProgram => "same_applicant_and_program",
            DuplicateRule::SameLegalId => "same_legal_id",
            DuplicateRule::FounderOnFormingCooperative => "founder_on_forming_cooperative",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|rule| rule.code() == code)
    }

    /// The rule a flag (one object of a flag list) reports, if it names a known one.
    pub fn of_flag(flag: &serde_json::Value) -> Option<Self> {
        flag.get("rule")
            .and_then(serde_json::Value::as_str)
            .and_then(Self::parse)
    }
}

/// The ids a flag list names under `id_key` (flags are a JSON array of objects).
pub(crate) fn named_ids(flags: &str, id_key: &str) -> Vec<i64> {
    parsed(flags)
        .iter()
        .filter_map(|flag| flag.get(id_key).and_then(serde_json::Value::as_i64))
        .collect()
}

/// The flags with every one naming a record outside `visible` reduced to its rule and
/// `outside_scope: true`.
pub(crate) fn redacted(flags: &str, id_key: &str, visible: &HashSet<i64>) -> String {
    let kept: Vec<serde_json::Value> = parsed(flags)
        .into_iter()
        .map(|flag| {
            let named = flag.get(id_key).and_then(serde_json::Value::as_i64);
            match named {
                Some(id) if !visible.contains(&id) => serde_json::json!({
                    "rule": flag.get("rule").cloned().unwrap_or(serde_json::Value::Null),
                    "outside_scope": true,
                }),
                _ => flag,
            }
        })
        .collect();
    serde_json::Value::Array(kept).to_string()
}

fn parsed(flags: &str) -> Vec<serde_json::Value> {
    serde_json::from_str::<Vec<serde_json::Value>>(flags).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_reads_back_from_its_code_and_from_a_flag() {
        // Establishes that a rule is spelled once: the flag written is the flag read.
        for rule in DuplicateRule::ALL {
            assert_eq!(DuplicateRule::parse(rule.code()), Some(rule));
            let flag = serde_json::json!({ "rule": rule.code(), "outside_scope": true });
            assert_eq!(DuplicateRule::of_flag(&flag), Some(rule));
        }
        assert_eq!(DuplicateRule::parse("same_name"), None);
        assert_eq!(DuplicateRule::of_flag(&serde_json::json!({})), None);
    }

    #[test]
    fn a_flag_naming_a_record_outside_the_readers_scope_keeps_only_its_rule() {
        // Establishes what a reader learns of a duplicate it may not read.
        let flags = r#"[{"rule":"same_applicant_and_program","application_id":7,"status":"approved"},
                        {"rule":"same_applicant_and_program","application_id":9,"status":"referred"}]"#;
        assert_eq!(named_ids(flags, "application_id"), [7, 9]);
        let visible: HashSet<i64> = [9].into_iter().collect();
        let shown: serde_json::Value =
            serde_json::from_str(&redacted(flags, "application_id", &visible)).unwrap();
        assert_eq!(
            shown,
            serde_json::json!([
                {"rule": "same_applicant_and_program", "outside_scope": true},
                {"rule": "same_applicant_and_program", "application_id": 9, "status": "referred"}
            ])
        );
        assert_eq!(redacted("", "application_id", &visible), "[]");
    }
}
