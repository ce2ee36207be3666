//! Support requests (درخواست حمایت, issue 15): a cooperative's (or an individual client's)
//! request for financial, technical or administrative support after formation, routed
//! to the unit responsible for its topic in its province, answered within a deadline in
//! working days and escalated when overdue.
//!
//! The rules here are pure: the kinds, the statuses and the moves each side may make, the
//! deadline on a working calendar, and which escalation levels are due at a given day.
//! Who is on which side of a request is the access policy's (`access::support_sides`).

use crate::calendar::IsoDate;
use crate::coded::coded_enum;
use crate::reference::{AgencyCode, BankCode};
use crate::workdays::{Weekend, WorkingCalendar};

/// What kind of support is asked for (PRODUCT.md §10: "financially, technically and
/// administratively").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestKind {
    Financial,
    Technical,
    Administrative,
}

coded_enum!(RequestKind {
    Financial = "financial",
    Technical = "technical",
    Administrative = "administrative",
});

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestStatus {
    /// Filed, not yet taken by anyone at the unit.
    New,
    /// An officer of the unit holds it.
    Assigned,
    /// The unit asked the requester for something; the requester's reply hands it back.
    WaitingForRequester,
    /// The unit answered; the requester closes it (and rates it) or reopens it.
    Answered,
    Closed,
    /// The requester was not satisfied with the answer; the unit takes it up again.
    Reopened,
}

coded_enum!(RequestStatus {
    New = "new",
    Assigned = "assigned",
    WaitingForRequester = "waiting_for_requester",
    Answered = "answered",
    Closed = "closed",
    Reopened = "reopened",
});

/// Which unit answers a request: the provincial office of the requester's province, an
/// agency (by its reference code, e.g. `sso`) or a bank (by its Sheba code, e.g. `022`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    ProvincialOffice,
    Agency(AgencyCode),
    Bank(BankCode),
}

/// The kind of a unit, as stored beside its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitKind {
    ProvincialOffice,
    Agency,
    Bank,
}

coded_enum!(UnitKind {
    ProvincialOffice = "provincial_office",
    Agency = "agency",
    Bank = "bank",
});

/// How far an overdue request has been raised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EscalationLevel {
    /// To the head of the provincial office, once the deadline has passed.
    ProvincialHead,
    /// To the ministry, once it is still open `ministry_after_days` working days later.
    Ministry,
}

coded_enum!(EscalationLevel {
    ProvincialHead = "provincial_head",
    Ministry = "ministry",
});

/// Which side of a request a principal acts on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sides {
    /// The cooperative's representative, or the officer who filed for an individual.
    pub requester: bool,
    /// An officer of the routed unit, the province's officer, or the ministry.
    pub handler: bool,
}

/// The rules the ministry configures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupportRules {
    /// Working days from filing to the deadline for an answer.
    pub answer_days: u32,
    /// Working days past the deadline before an open request goes to the ministry.
    pub ministry_after_days: u32,
    /// The weekly holidays of provincial offices and agencies (`thu,fri` where closed on
    /// Thursdays).
    pub office_weekend: Weekend,
    /// The weekly holidays of banks.
    pub bank_weekend: Weekend,
}

impl Default for SupportRules {
    fn default() -> Self {
        SupportRules {
            answer_days: 10,
            ministry_after_days: 5,
            office_weekend: Weekend::THURSDAY_FRIDAY,
            bank_weekend: Weekend::FRIDAY,
        }
    }
}

impl RequestKind {
    pub fn name_fa(self) -> &'static str {
        match self {
            RequestKind::Financial => "مالی",
            RequestKind::Technical => "فنی",
            RequestKind::Administrative => "اداری",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            RequestKind::Financial => "Financial",
            RequestKind::Technical => "Technical",
            RequestKind::Administrative => "Administrative",
        }
    }
}

impl RequestStatus {
    pub fn name_fa(self) -> &'static str {
        match self {
            RequestStatus::New => "جدید",
            RequestStatus::Assigned => "در دست بررسی",
            RequestStatus::WaitingForRequester => "در انتظار متقاضی",
            RequestStatus::Answered => "پاسخ داده شده",
            RequestStatus::Closed => "بسته",
            RequestStatus::Reopened => "بازگشایی شده",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            RequestStatus::New => "New",
            RequestStatus::Assigned => "Assigned",
            RequestStatus::WaitingForRequester => "Waiting for the requester",
            RequestStatus::Answered => "Answered",
            RequestStatus::Closed => "Closed",
            RequestStatus::Reopened => "Reopened",
        }
    }

    /// Whether the unit still owes an answer: the clock runs and escalation applies.
    pub fn awaits_answer(self) -> bool {
        matches!(
            self,
            RequestStatus::New | RequestStatus::Assigned | RequestStatus::Reopened
        )
    }

    /// The statuses `sides` may move a request in this status to.
    pub fn moves(self, sides: Sides) -> Vec<RequestStatus> {
        RequestStatus::ALL
            .iter()
            .copied()
            .filter(|to| may_move(self, *to, sides))
            .collect()
    }
}

/// Whether `sides` may move a request from `from` to `to`. The unit takes a request
/// (assigned), asks the requester (waiting) and answers; the requester hands it back by
/// replying (assigned), closes an answered one or reopens an answered or closed one. The
/// unit may also close an answered request the requester left.
pub fn may_move(from: RequestStatus, to: RequestStatus, sides: Sides) -> bool {
    use RequestStatus::*;
    let handler = matches!(
        (from, to),
        (New | Reopened | WaitingForRequester, Assigned)
            | (Assigned | Reopened, WaitingForRequester | Answered)
            | (Answered, Closed)
    );
    let requester = matches!(
        (from, to),
        (WaitingForRequester, Assigned) | (Answered, Closed) | (Answered | Closed, Reopened)
    );
    (sides.handler && handler) || (sides.requester && requester)
}

/// Whether `sides` may rate a request: its requester, once it is closed.
pub fn may_rate(status: RequestStatus, sides: Sides) -> bool {
    sides.requester && status == RequestStatus::Closed
}

impl Unit {
    pub fn kind(&self) -> UnitKind {
        match self {
            Unit::ProvincialOffice => UnitKind::ProvincialOffice,
            Unit::Agency(_) => UnitKind::Agency,
            Unit::Bank(_) => UnitKind::Bank,
        }
    }

    /// The agency's or bank's code; none for the provincial office.
    pub fn code(&self) -> Option<&str> {
        match self {
            Unit::ProvincialOffice => None,
            Unit::Agency(code) => Some(code.as_str()),
            Unit::Bank(code) => Some(code.as_str()),
        }
    }

    /// The unit from its stored kind and code; `None` when a code is missing, extra or
    /// not of its kind's shape.
    pub fn from_parts(kind: UnitKind, code: Option<&str>) -> Option<Unit> {
        let code = code.map(str::trim).filter(|code| !code.is_empty());
        match (kind, code) {
            (UnitKind::ProvincialOffice, None) => Some(Unit::ProvincialOffice),
            (UnitKind::Agency, Some(code)) => AgencyCode::parse(code).ok().map(Unit::Agency),
            (UnitKind::Bank, Some(code)) => BankCode::parse(code).ok().map(Unit::Bank),
            _ => None,
        }
    }
}

impl SupportRules {
    /// The working calendar of `unit`: its weekly holidays and the official holidays.
    pub fn calendar(
        &self,
        unit: &Unit,
        holidays: impl IntoIterator<Item = IsoDate>,
    ) -> WorkingCalendar {
        let weekend = match unit {
            Unit::Bank(_) => self.bank_weekend,
            Unit::ProvincialOffice | Unit::Agency(_) => self.office_weekend,
        };
        WorkingCalendar::new(weekend, holidays)
    }

    /// The deadline of a request filed on `filed_on`: `answer_days` working days after it
    /// on the unit's calendar.
    pub fn deadline(&self, calendar: &WorkingCalendar, filed_on: IsoDate) -> IsoDate {
        calendar.add_working_days(filed_on, self.answer_days)
    }

    /// The escalation levels due on `today` for a request still awaiting an answer whose
    /// deadline is `deadline` and that was raised to `current` (none yet: `None`), lowest
    /// first. A level is due once the deadline has passed (provincial head) or
    /// `ministry_after_days` working days more have (ministry); levels already reached
    /// are never due again, so running this twice records each level once.
    pub fn escalations_due(
        &self,
        calendar: &WorkingCalendar,
        deadline: IsoDate,
        today: IsoDate,
        current: Option<EscalationLevel>,
    ) -> Vec<EscalationLevel> {
        let ministry_from = calendar.add_working_days(deadline, self.ministry_after_days);
        [
            (EscalationLevel::ProvincialHead, deadline),
            (EscalationLevel::Ministry, ministry_from),
        ]
        .into_iter()
        .filter(|(level, from)| today > *from && current.is_none_or(|reached| *level > reached))
        .map(|(level, _)| level)
        .collect()
    }
}

/// A satisfaction rating, 1 (worst) to 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Satisfaction(u8);

impl Satisfaction {
    pub fn new(score: i64) -> Option<Satisfaction> {
        u8::try_from(score)
            .ok()
            .filter(|score| (1..=5).contains(score))
            .map(Satisfaction)
    }

    pub fn score(self) -> u8 {
        self.0
    }
}

/// The attachment types accepted: PDF, PNG and JPEG, recognised by their first bytes
/// (a name or a declared type is the sender's claim, the bytes are what is served).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttachmentType {
    Pdf,
    Png,
    Jpeg,
}

coded_enum!(AttachmentType {
    Pdf = "application/pdf",
    Png = "image/png",
    Jpeg = "image/jpeg",
});

impl AttachmentType {
    /// The type the content's signature says, if it is one accepted.
    pub fn sniff(content: &[u8]) -> Option<AttachmentType> {
        if content.starts_with(b"%PDF-") {
            Some(AttachmentType::Pdf)
        } else if content.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(AttachmentType::Png)
        } else if content.starts_with(b"\xff\xd8\xff") {
            Some(AttachmentType::Jpeg)
        } else {
            None
        }
    }
}

/// One of the standard first services a newly registered cooperative is offered (issue
/// 15, "support after formation"): filed as an open request for the unit that delivers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedSupport {
    pub kind: RequestKind,
    /// A topic of the seeded topic list.
    pub topic: &'static str,
    pub unit: Unit,
    /// The request's text, in Persian like everything a requester reads.
    pub body_fa: &'static str,
}

/// The support plan after formation: training by TVTO, insurance registration with SSO,
/// and a first facility offer by the cooperatives' development bank (PRODUCT.md §10:
/// support "financially, technically and administratively" after formation).
pub fn support_plan_after_formation() -> [PlannedSupport; 3] {
    [
        PlannedSupport {
            kind: RequestKind::Technical,
            topic: "training",
            unit: Unit::Agency(AgencyCode::tvto()),
            body_fa: "آموزش آغازین اعضا و مدیران تعاونی تازه‌ثبت‌شده",
        },
        PlannedSupport {
            kind: RequestKind::Administrative,
            topic: "insurance",
            unit: Unit::Agency(AgencyCode::sso()),
            body_fa: "ثبت بیمه اعضا و کارکنان تعاونی تازه‌ثبت‌شده",
        },
        PlannedSupport {
            kind: RequestKind::Financial,
            topic: "financing",
            unit: Unit::Bank(BankCode::tosee_taavon()),
            body_fa: "پیشنهاد نخستین تسهیلات به تعاونی تازه‌ثبت‌شده",
        },
    ]
}

/// The median of durations (in whole seconds or days), the lower middle for an even count;
/// none when there are none.
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    values.get((values.len() - 1) / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::JalaliDate;

    fn day(jalali: &str) -> IsoDate {
        JalaliDate::parse(jalali).unwrap().to_iso()
    }

    const HANDLER: Sides = Sides {
        requester: false,
        handler: true,
    };
    const REQUESTER: Sides = Sides {
        requester: true,
        handler: false,
    };

    #[test]
    fn codes_read_back() {
        // Establishes that every stored code parses to the value that wrote it.
        for kind in RequestKind::ALL {
            assert_eq!(RequestKind::parse(kind.code()), Some(*kind));
        }
        for status in RequestStatus::ALL {
            assert_eq!(RequestStatus::parse(status.code()), Some(*status));
        }
        for level in EscalationLevel::ALL {
            assert_eq!(EscalationLevel::parse(level.code()), Some(*level));
        }
        for kind in UnitKind::ALL {
            assert_eq!(UnitKind::parse(kind.code()), Some(*kind));
        }
    }

    #[test]
    fn the_plan_after_formation_asks_each_responsible_unit_once() {
        // Establishes the three first services and who delivers each.
        let plan = support_plan_after_formation();
        let cells: Vec<(&str, RequestKind, Option<&str>)> = plan
            .iter()
            .map(|item| (item.topic, item.kind, item.unit.code()))
            .collect();
        assert_eq!(
            cells,
            [
                ("training", RequestKind::Technical, Some("tvto")),
                ("insurance", RequestKind::Administrative, Some("sso")),
                ("financing", RequestKind::Financial, Some("022")),
            ]
        );
        assert!(plan.iter().all(|item| !item.body_fa.is_empty()));
    }

    #[test]
    fn each_side_makes_only_its_own_moves() {
        // Establishes the status machine per side.
        use RequestStatus::*;
        assert_eq!(New.moves(HANDLER), vec![Assigned]);
        assert_eq!(New.moves(REQUESTER), vec![]);
        assert_eq!(Assigned.moves(HANDLER), vec![WaitingForRequester, Answered]);
        assert_eq!(WaitingForRequester.moves(REQUESTER), vec![Assigned]);
        assert_eq!(Answered.moves(REQUESTER), vec![Closed, Reopened]);
        assert_eq!(Answered.moves(HANDLER), vec![Closed]);
        assert_eq!(Closed.moves(REQUESTER), vec![Reopened]);
        assert_eq!(Closed.moves(HANDLER), vec![]);
        assert_eq!(
            Reopened.moves(HANDLER),
            vec![Assigned, WaitingForRequester, Answered]
        );
        assert_eq!(Closed.moves(Sides::default()), vec![]);
        assert!(may_rate(Closed, REQUESTER));
        assert!(!may_rate(Closed, HANDLER));
        assert!(!may_rate(Answered, REQUESTER));
    }

    #[test]
    fn deadlines_skip_weekends_and_holidays_across_nowruz() {
        // Establishes the deadline on each unit's calendar. 1403-12-28 is a Tuesday; Nowruz
        // 1404-01-01..04 and 1404-01-12..13 are official holidays.
        let holidays = [
            "1404-01-01",
            "1404-01-02",
            "1404-01-03",
            "1404-01-04",
            "1404-01-12",
            "1404-01-13",
        ]
        .map(day);
        let rules = SupportRules {
            answer_days: 7,
            ..SupportRules::default()
        };
        let office = rules.calendar(&Unit::ProvincialOffice, holidays);
        let bank = rules.calendar(&Unit::Bank("022".parse().unwrap()), holidays);
        // Office (thu,fri off): Wed 12-29, Tue 01-05, Wed 01-06, Sat 01-09, Sun 01-10,
        // Mon 01-11, then past the 12th and 13th and a weekend to Sat 01-16.
        assert_eq!(
            rules.deadline(&office, day("1403-12-28")),
            day("1404-01-16")
        );
        // Bank (fri off): Wed 12-29, Thu 12-30, Tue 01-05, Wed 01-06, Thu 01-07, Sat 01-09,
        // Sun 01-10.
        assert_eq!(rules.deadline(&bank, day("1403-12-28")), day("1404-01-10"));
    }

    #[test]
    fn escalation_goes_to_the_province_then_the_ministry_once_each() {
        // Establishes the levels due as days pass, and that a reached level is not due again.
        let rules = SupportRules {
            answer_days: 2,
            ministry_after_days: 2,
            office_weekend: Weekend::FRIDAY,
            bank_weekend: Weekend::FRIDAY,
        };
        let calendar = rules.calendar(&Unit::ProvincialOffice, []);
        // 1404-06-15 is a Saturday; the deadline is Mon 06-17, the ministry's from Wed 06-19.
        let deadline = day("1404-06-17");
        let due = |today, current| rules.escalations_due(&calendar, deadline, day(today), current);
        assert_eq!(due("1404-06-17", None), vec![]);
        assert_eq!(
            due("1404-06-18", None),
            vec![EscalationLevel::ProvincialHead]
        );
        assert_eq!(
            due("1404-06-19", Some(EscalationLevel::ProvincialHead)),
            vec![]
        );
        assert_eq!(
            due("1404-06-20", Some(EscalationLevel::ProvincialHead)),
            vec![EscalationLevel::Ministry]
        );
        assert_eq!(
            due("1404-06-20", None),
            vec![EscalationLevel::ProvincialHead, EscalationLevel::Ministry]
        );
        assert_eq!(due("1404-07-20", Some(EscalationLevel::Ministry)), vec![]);
    }

    #[test]
    fn attachments_are_known_by_their_first_bytes() {
        // Establishes the accepted types and that anything else is refused.
        assert_eq!(
            AttachmentType::sniff(b"%PDF-1.7\n"),
            Some(AttachmentType::Pdf)
        );
        assert_eq!(
            AttachmentType::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(AttachmentType::Png)
        );
        assert_eq!(
            AttachmentType::sniff(b"\xff\xd8\xff\xe0"),
            Some(AttachmentType::Jpeg)
        );
        assert_eq!(AttachmentType::sniff(b"MZ\x90\x00"), None);
        assert_eq!(AttachmentType::sniff(b""), None);
    }

    #[test]
    fn ratings_are_one_to_five_and_medians_take_the_lower_middle() {
        // Establishes the rating bounds and the median of the SLA figures.
        assert_eq!(Satisfaction::new(0), None);
        assert_eq!(Satisfaction::new(6), None);
        assert_eq!(Satisfaction::new(5).map(Satisfaction::score), Some(5));
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2));
        assert!(Unit::from_parts(UnitKind::Agency, None).is_none());
        assert_eq!(
            Unit::from_parts(UnitKind::Bank, Some("022")),
            Some(Unit::Bank("022".parse().unwrap()))
        );
    }
}
