//! What a PDF text tool (poppler's `pdftotext`, `taavon_testkit::pdf_text`) reads back
//! from a document: Persian in logical order, line after line.

use taavon_pdf::{Align, Document, PageSize, Rgb, TextStyle, Weight};

fn style(weight: Weight, size: f32) -> TextStyle {
    TextStyle {
        weight,
        size,
        color: Rgb(0, 0, 0),
    }
}

#[test]
fn persian_text_reads_back_in_logical_order_ligatures_and_non_joiners_included() {
    let name = "شرکت تعاونی لاله‌زار ایلام";
    let mut document = Document::new(name);
    let mut page = document.page(PageSize::A4_LANDSCAPE);
    page.text(style(Weight::Bold, 26.0), Align::Center, 420.0, 450.0, name);
    page.text(
        style(Weight::Regular, 14.0),
        Align::Right,
        800.0,
        300.0,
        "سال ۱۴۰۵",
    );
    page.finish();
    let Some(text) = taavon_testkit::pdf_text(&document.finish()) else {
        return;
    };
    assert!(text.contains(name), "read back: {text:?}");
    assert!(text.contains("سال ۱۴۰۵"), "read back: {text:?}");
}

#[test]
fn a_wrapped_paragraph_reads_back_line_by_line_in_order() {
    let sentence = "بدین‌وسیله گواهی می‌شود که شرکت تعاونی کشاورزی دشت لاله به‌عنوان برگزیدهٔ \
                    مرحلهٔ استانی جشنوارهٔ ملی تعاونگران برتر شناخته شد";
    let mut document = Document::new("paragraph");
    let mut page = document.page(PageSize::A4_LANDSCAPE);
    let bottom = page.paragraph(
        style(Weight::Regular, 16.0),
        Align::Center,
        (200.0, 640.0),
        400.0,
        28.0,
        sentence,
    );
    assert!(
        bottom < 400.0 - 28.0,
        "the sentence needs more than one line"
    );
    page.finish();
    let Some(text) = taavon_testkit::pdf_text(&document.finish()) else {
        return;
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    let expected: Vec<&str> = sentence.split_whitespace().collect();
    assert_eq!(words, expected, "read back: {text:?}");
}
