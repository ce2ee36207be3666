//! The names of a loan's class and status, shared by the loan lists (`lists::loans`) and
//! one loan's page (`loan_page`, its forms `loan_forms`).

use taavon_core::loans::LoanStatus;
use taavon_core::loans::classification::LoanClass;

use super::i18n::Lang;

pub(super) fn class_name(lang: Lang, class: LoanClass) -> String {
    lang.pick(class.name_fa(), class.name_en()).to_owned()
}

pub(super) fn status_name(lang: Lang, status: LoanStatus) -> String {
    let (fa, en) = match status {
        LoanStatus::Contracted => ("قرارداد منعقد شده", "Contracted"),
        LoanStatus::Active => ("جاری", "Active"),
        LoanStatus::Settled => ("تسویه‌شده", "Settled"),
    };
    lang.pick(fa, en).to_owned()
}
