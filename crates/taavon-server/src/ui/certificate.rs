//! A festival winner's certificate as a PDF: one Persian page (taavon-pdf shapes and
//! orders the text, Vazirmatn embedded), served to whoever holds its verification code,
//! with no login — the code printed on it is what the public check looks up, so the
//! certificate shows nothing the check would not.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use taavon_app::awards::{self, CertificateCheck};
use taavon_core::awards::festival::RoundKind;
use taavon_core::digits::to_persian_digits;
use taavon_pdf::{Align, Document, PageSize, Rgb, TextStyle, Weight};

use super::format;
use super::i18n::Lang;
use super::names;
use super::page::{PageParts, error_page, layout, status_page};
use crate::state::AppState;

/// Where a certificate's PDF is served.
pub fn pdf_path(code: &str) -> String {
    format!("/awards/certificates/{code}/pdf")
}

/// `GET /awards/certificates/{code}/pdf`.
pub async fn pdf(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    Path(code): Path<String>,
) -> Response {
    let lang = Lang::of(&parts);
    let title = lang.pick("گواهی برگزیدگی", "Certificate");
    match awards::check_certificate(&state.store, &code).await {
        Ok(Some(check)) => {
            let mut response = certificate(&check).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            if let Ok(value) = HeaderValue::from_str(&format!(
                "inline; filename=\"certificate-{}.pdf\"",
                check.code
            )) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Ok(None) => status_page(
            layout(&parts, title, None).await,
            StatusCode::NOT_FOUND,
            lang.pick(
                "گواهی با این کد رهگیری صادر نشده است.",
                "No certificate was issued with this verification code.",
            )
            .to_owned(),
        ),
        Err(error) => error_page(layout(&parts, title, None).await, &error),
    }
}

const INK: Rgb = Rgb(33, 37, 41);
const NAVY: Rgb = Rgb(16, 64, 104);
const GOLD: Rgb = Rgb(176, 136, 48);
const PAPER: Rgb = Rgb(253, 250, 242);
const GREY: Rgb = Rgb(96, 100, 104);

/// The certificate's page (always Persian: it is the document handed to the winner).
fn certificate(check: &CertificateCheck) -> Vec<u8> {
    let year = to_persian_digits(&check.festival_year.to_string());
    let round = match check.round {
        RoundKind::Provincial => "استانی",
        RoundKind::National => "ملی",
    };
    let province = names::province_name(Lang::Fa, check.province.as_str());
    let festival = format!("جشنوارهٔ ملی تعاونگران برتر سال {year}");

    let mut document = Document::new(&format!(
        "گواهی برگزیدگی — {} — {festival}",
        check.cooperative_name
    ));
    let mut page = document.page(PageSize::A4_LANDSCAPE);
    let PageSize { width, height } = page.size();
    let middle = width / 2.0;
    page.fill_rect((0.0, 0.0, width, height), PAPER);
    page.stroke_rect((24.0, 24.0, width - 48.0, height - 48.0), 3.0, GOLD);
    page.stroke_rect((32.0, 32.0, width - 64.0, height - 64.0), 0.8, GOLD);

    page.text(
        TextStyle::new(Weight::Regular, 14.0, GREY),
        Align::Center,
        middle,
        height - 78.0,
        "وزارت تعاون، کار و رفاه اجتماعی",
    );
    page.text(
        TextStyle::new(Weight::Bold, 36.0, NAVY),
        Align::Center,
        middle,
        height - 140.0,
        "گواهی برگزیدگی",
    );
    page.text(
        TextStyle::new(Weight::Regular, 18.0, INK),
        Align::Center,
        middle,
        height - 180.0,
        &format!("{festival} — مرحلهٔ {round}"),
    );
    page.text(
        TextStyle::new(Weight::Bold, 28.0, INK),
        Align::Center,
        middle,
        height - 250.0,
        &check.cooperative_name,
    );
    page.paragraph(
        TextStyle::new(Weight::Regular, 16.0, INK),
        Align::Center,
        (110.0, width - 110.0),
        height - 300.0,
        30.0,
        &format!(
            "بدین‌وسیله گواهی می‌شود که «{}» از استان {province} در رشتهٔ «{}» به‌عنوان \
             برگزیدهٔ مرحلهٔ {round} {festival} شناخته شد.",
            check.cooperative_name, check.category_name_fa
        ),
    );

    let footer = TextStyle::new(Weight::Regular, 12.0, GREY);
    page.text(
        footer,
        Align::Right,
        width - 70.0,
        92.0,
        &format!("تاریخ صدور: {}", format::date(Lang::Fa, &check.issued_on)),
    );
    page.text(
        TextStyle::new(Weight::Bold, 13.0, INK),
        Align::Left,
        70.0,
        92.0,
        &format!("کد رهگیری: {}", check.code),
    );
    page.text(
        footer,
        Align::Center,
        middle,
        60.0,
        "درستی این گواهی را با کد رهگیری آن در صفحهٔ «بررسی گواهی» سامانه بسنجید.",
    );
    page.finish();
    document.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use taavon_core::reference::ProvinceCode;

    #[test]
    fn a_certificate_is_one_pdf_page_titled_with_the_winner() {
        let check = CertificateCheck {
            code: "7K2QD-M9XAT".to_owned(),
            festival_year: 1404,
            round: RoundKind::Provincial,
            cooperative_name: "تعاونی لاله‌زار".to_owned(),
            province: ProvinceCode::parse("IR-16").unwrap(),
            category_name_fa: "کشاورزی".to_owned(),
            issued_on: "2025-08-31".to_owned(),
        };
        let pdf = certificate(&check);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
        assert_eq!(pages, 1);
    }
}
