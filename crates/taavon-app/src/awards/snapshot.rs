//! An entry's snapshot: the data it is judged on, taken from the store's facts when it
//! enters and kept as JSON, so that later changes to the registry do not move its
//! eligibility, pre-score or result.

use serde_json::{Value, json};
use taavon_core::awards::eligibility::EntrySnapshot;
use taavon_core::awards::prescore::{Jobs, PrescoreFacts};
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_core::loans::classification::LoanClass;
use taavon_core::registry::CooperativeStatus;
use taavon_store::AwardFacts;

/// The snapshot of a cooperative's facts for an entry taken on `today`.
pub(super) fn from_facts(
    cooperative_id: i64,
    province: &str,
    category: &str,
    facts: &AwardFacts,
    today: IsoDate,
) -> Option<EntrySnapshot> {
    let day = |iso: &str| IsoDate::parse(iso).ok().map(JalaliDate::from);
    let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    Some(EntrySnapshot {
        cooperative_id,
        province: province.to_owned(),
        category: category.to_owned(),
        status: CooperativeStatus::parse(&facts.status)?,
        registered_on: day(&facts.registered_on)?,
        registry_updated_on: day(&facts.updated_on)?,
        loan_classes: facts
            .loan_classes
            .iter()
            .filter_map(|class| LoanClass::parse(class))
            .collect(),
        indicators: PrescoreFacts {
            jobs: match facts.verified_jobs {
                Some((jobs, women)) => Jobs::Verified {
                    jobs: count(jobs),
                    women: count(women),
                },
                None => Jobs::Planned {
                    jobs: count(facts.planned_jobs),
                },
            },
            members_year_ago: count(facts.members_year_ago),
            members: count(facts.members),
            share_capital_year_ago_rial: facts.share_capital_year_ago_rial,
            share_capital_rial: facts.share_capital_rial,
            installments_due: count(facts.installments_due),
            installments_paid_on_time: count(facts.installments_paid),
            services_received: count(facts.services_received),
            // No agency records the services a cooperative gives yet.
            services_given: 0,
        },
        taken_on: JalaliDate::from(today),
    })
}

/// The snapshot as stored.
pub(super) fn to_json(snapshot: &EntrySnapshot) -> String {
    let facts = &snapshot.indicators;
    let jobs = match facts.jobs {
        Jobs::Verified { jobs, women } => json!({ "verified": jobs, "women": women }),
        Jobs::Planned { jobs } => json!({ "planned": jobs }),
    };
    json!({
        "cooperative_id": snapshot.cooperative_id,
        "province": snapshot.province,
        "category": snapshot.category,
        "status": snapshot.status.code(),
        "registered_on": snapshot.registered_on.to_iso().to_string(),
        "registry_updated_on": snapshot.registry_updated_on.to_iso().to_string(),
        "loan_classes": snapshot.loan_classes.iter().map(|c| c.code()).collect::<Vec<_>>(),
        "jobs": jobs,
        "members_year_ago": facts.members_year_ago,
        "members": facts.members,
        "share_capital_year_ago_rial": facts.share_capital_year_ago_rial,
        "share_capital_rial": facts.share_capital_rial,
        "installments_due": facts.installments_due,
        "installments_paid_on_time": facts.installments_paid_on_time,
        "services_received": facts.services_received,
        "services_given": facts.services_given,
        "taken_on": snapshot.taken_on.to_iso().to_string(),
    })
    .to_string()
}

/// A stored snapshot read back; `None` if it is not one `to_json` wrote.
pub(super) fn from_json(text: &str) -> Option<EntrySnapshot> {
    let value: Value = serde_json::from_str(text).ok()?;
    let text_of = |key: &str| value.get(key)?.as_str().map(str::to_owned);
    let day = |key: &str| {
        IsoDate::parse(value.get(key)?.as_str()?)
            .ok()
            .map(JalaliDate::from)
    };
    let count = |key: &str| value.get(key)?.as_u64().and_then(|n| u32::try_from(n).ok());
    let rial = |key: &str| value.get(key)?.as_i64();
    let jobs = value.get("jobs")?;
    let jobs = match (jobs.get("verified"), jobs.get("planned")) {
        (Some(verified), _) => Jobs::Verified {
            jobs: u32::try_from(verified.as_u64()?).ok()?,
            women: u32::try_from(jobs.get("women")?.as_u64()?).ok()?,
        },
        (None, Some(planned)) => Jobs::Planned {
            jobs: u32::try_from(planned.as_u64()?).ok()?,
        },
        (None, None) => return None,
    };
    Some(EntrySnapshot {
        cooperative_id: value.get("cooperative_id")?.as_i64()?,
        province: text_of("province")?,
        category: text_of("category")?,
        status: CooperativeStatus::parse(&text_of("status")?)?,
        registered_on: day("registered_on")?,
        registry_updated_on: day("registry_updated_on")?,
        loan_classes: value
            .get("loan_classes")?
            .as_array()?
            .iter()
            .map(|class| class.as_str().and_then(LoanClass::parse))
            .collect::<Option<_>>()?,
        indicators: PrescoreFacts {
            jobs,
            members_year_ago: count("members_year_ago")?,
            members: count("members")?,
            share_capital_year_ago_rial: rial("share_capital_year_ago_rial")?,
            share_capital_rial: rial("share_capital_rial")?,
            installments_due: count("installments_due")?,
            installments_paid_on_time: count("installments_paid_on_time")?,
            services_received: count("services_received")?,
            services_given: count("services_given")?,
        },
        taken_on: day("taken_on")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_reads_back_as_it_was_written() {
        // Establishes that what an entry is judged on survives the store unchanged, both
        // for verified and for planned jobs.
        let facts = AwardFacts {
            status: "active".into(),
            registered_on: "2020-03-01".into(),
            updated_on: "2025-01-10".into(),
            loan_classes: vec!["current".into(), "doubtful".into()],
            verified_jobs: Some((12, 5)),
            planned_jobs: 20,
            members: 31,
            members_year_ago: 25,
            share_capital_rial: 900_000_000,
            share_capital_year_ago_rial: 600_000_000,
            installments_due: 10,
            installments_paid: 9,
            services_received: 3,
        };
        let today = IsoDate::parse("2025-05-01").unwrap();
        let snapshot = from_facts(7, "IR-16", "women_led", &facts, today).unwrap();
        assert_eq!(from_json(&to_json(&snapshot)), Some(snapshot.clone()));
        let planned = AwardFacts {
            verified_jobs: None,
            ..facts
        };
        let snapshot = from_facts(7, "IR-16", "women_led", &planned, today).unwrap();
        assert_eq!(snapshot.indicators.jobs, Jobs::Planned { jobs: 20 });
        assert_eq!(from_json(&to_json(&snapshot)), Some(snapshot));
        assert_eq!(from_json("{\"jobs\":{}}"), None);
    }
}
