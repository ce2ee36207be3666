//! A list as a printable report: a title and a subtitle, then a right-to-left table on as
//! many A4 landscape pages as it needs — the first column at the right, words aligned to
//! the right of their cell and numbers to the left (so their digits line up), long
//! words wrapped within their column, the header repeated on every page and each page
//! numbered in its footer.

use crate::document::{Align, Document, Page, PageSize, Rgb, TextStyle, text_width};
use crate::font::Weight;

/// A column of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    /// Figures: aligned to the cell's left edge and never wrapped.
    pub numeric: bool,
}

/// What a report holds. `page_footer(page, pages)` words a page's number (the caller
/// knows the reader's digits).
pub struct Report<'a> {
    pub title: &'a str,
    pub subtitle: &'a str,
    pub columns: &'a [Column],
    /// Each row's cells in the columns' order, as the reader sees them.
    pub rows: &'a [Vec<String>],
    pub page_footer: &'a dyn Fn(usize, usize) -> String,
}

const PAGE: PageSize = PageSize::A4_LANDSCAPE;
const MARGIN: f32 = 32.0;
const SIZE: f32 = 8.5;
const LEADING: f32 = 11.5;
/// Space between a cell's edge and its text.
const PAD: f32 = 4.0;
const INK: Rgb = Rgb(33, 37, 41);
const HEADER_FILL: Rgb = Rgb(16, 64, 104);
const WHITE: Rgb = Rgb(255, 255, 255);
const STRIPE: Rgb = Rgb(242, 245, 248);
const RULE: Rgb = Rgb(200, 205, 210);
const GREY: Rgb = Rgb(96, 100, 104);

/// The report as a PDF file.
pub fn report(report: &Report<'_>) -> Vec<u8> {
    let body = TextStyle::new(Weight::Regular, SIZE, INK);
    let head = TextStyle::new(Weight::Bold, SIZE, WHITE);
    let widths = column_widths(report, body, head);
    let header_height = row_height(report.columns.iter().map(|c| &c.header), &widths, head);
    let heights: Vec<f32> = report
        .rows
        .iter()
        .map(|row| row_height(row.iter(), &widths, body))
        .collect();
    // The rows of each page, decided before drawing so that every footer knows the count.
    let first_top = PAGE.height - MARGIN - 44.0;
    let later_top = PAGE.height - MARGIN;
    let bottom = MARGIN + 18.0;
    let mut pages: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    let mut y = first_top - header_height;
    for (index, height) in heights.iter().enumerate() {
        if y - height < bottom && index > start {
            pages.push(start..index);
            start = index;
            y = later_top - header_height;
        }
        y -= height;
    }
    pages.push(start..report.rows.len());

    let mut document = Document::new(report.title);
    let count = pages.len();
    for (number, rows) in pages.into_iter().enumerate() {
        let mut page = document.page(PAGE);
        let right = PAGE.width - MARGIN;
        let mut top = if number == 0 {
            page.text(
                TextStyle::new(Weight::Bold, 14.0, HEADER_FILL),
                Align::Right,
                right,
                PAGE.height - MARGIN - 12.0,
                report.title,
            );
            page.text(
                TextStyle::new(Weight::Regular, 9.0, GREY),
                Align::Right,
                right,
                PAGE.height - MARGIN - 30.0,
                report.subtitle,
            );
            first_top
        } else {
            later_top
        };
        page.fill_rect(
            (MARGIN, top - header_height, right - MARGIN, header_height),
            HEADER_FILL,
        );
        draw_row(
            &mut page,
            report
                .columns
                .iter()
                .map(|c| (c.header.as_str(), c.numeric)),
            &widths,
            top,
            head,
        );
        top -= header_height;
        for (index, row) in rows.clone().zip(report.rows.get(rows).unwrap_or(&[])) {
            let height = heights.get(index).copied().unwrap_or(LEADING);
            if index % 2 == 1 {
                page.fill_rect((MARGIN, top - height, right - MARGIN, height), STRIPE);
            }
            let cells = row
                .iter()
                .zip(report.columns)
                .map(|(text, column)| (text.as_str(), column.numeric));
            draw_row(&mut page, cells, &widths, top, body);
            top -= height;
            page.fill_rect((MARGIN, top, right - MARGIN, 0.4), RULE);
        }
        page.text(
            TextStyle::new(Weight::Regular, 8.0, GREY),
            Align::Center,
            PAGE.width / 2.0,
            MARGIN,
            &(report.page_footer)(number + 1, count),
        );
        page.finish();
    }
    document.finish()
}

/// Each column's width: its widest cell or half its header, then the page's spare width
/// shared in proportion; when the columns are too wide together, the word columns
/// give up width (their text wraps) and the figure columns keep theirs.
fn column_widths(report: &Report<'_>, body: TextStyle, head: TextStyle) -> Vec<f32> {
    let available = PAGE.width - 2.0 * MARGIN;
    let natural: Vec<f32> = report
        .columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let widest = report
                .rows
                .iter()
                .filter_map(|row| row.get(i))
                .map(|text| text_width(body, text))
                .fold(0.0_f32, f32::max);
            // A header wraps at its words: its longest word is what it needs at least, and
            // it asks for up to two lines' worth.
            let longest_word = column
                .header
                .split(' ')
                .map(|word| text_width(head, word))
                .fold(0.0_f32, f32::max);
            let header = (text_width(head, &column.header) / 2.0).max(longest_word);
            widest.max(header) + 2.0 * PAD
        })
        .collect();
    let total: f32 = natural.iter().sum();
    if total <= available {
        // The spare width shared in proportion, so that no column looks squeezed.
        let scale = available / total.max(1.0);
        return natural.iter().map(|w| w * scale).collect();
    }
    let figures: f32 = natural
        .iter()
        .zip(report.columns)
        .filter(|(_, c)| c.numeric)
        .map(|(w, _)| *w)
        .sum();
    let words: f32 = total - figures;
    // What the word columns may have; if the figures alone overflow, all shrink alike.
    let (word_scale, figure_scale) = if figures < available && words > 0.0 {
        ((available - figures) / words, 1.0)
    } else {
        (available / total, available / total)
    };
    natural
        .iter()
        .zip(report.columns)
        .map(|(w, c)| w * if c.numeric { figure_scale } else { word_scale })
        .collect()
}

fn row_height<'t>(
    cells: impl Iterator<Item = &'t String>,
    widths: &[f32],
    style: TextStyle,
) -> f32 {
    let lines = cells
        .zip(widths)
        .map(|(text, width)| crate::document::line_count(style, width - 2.0 * PAD, text))
        .max()
        .unwrap_or(1)
        .max(1);
    lines as f32 * LEADING + PAD
}

/// One row's cells from the right edge leftwards, each wrapped within its column.
fn draw_row<'t>(
    page: &mut Page<'_>,
    cells: impl Iterator<Item = (&'t str, bool)>,
    widths: &[f32],
    top: f32,
    style: TextStyle,
) {
    let mut right = PAGE.width - MARGIN;
    for ((text, numeric), width) in cells.zip(widths) {
        let left = right - width;
        let align = if numeric { Align::Left } else { Align::Right };
        page.paragraph(
            style,
            align,
            (left + PAD, right - PAD),
            top - LEADING + 2.0,
            LEADING,
            text,
        );
        right = left;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<Column> {
        vec![
            Column {
                header: "نام تعاونی".into(),
                numeric: false,
            },
            Column {
                header: "مبلغ (ریال)".into(),
                numeric: true,
            },
        ]
    }

    fn pages_of(pdf: &[u8]) -> usize {
        let text = String::from_utf8_lossy(pdf);
        text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
    }

    #[test]
    fn a_long_list_runs_onto_numbered_pages() {
        let rows: Vec<Vec<String>> = (0..200)
            .map(|i| vec![format!("تعاونی شمارهٔ {i}"), format!("{}", i * 1_000)])
            .collect();
        let footers = std::cell::RefCell::new(Vec::new());
        let footer = |page: usize, pages: usize| {
            footers.borrow_mut().push((page, pages));
            format!("صفحهٔ {page} از {pages}")
        };
        let pdf = report(&Report {
            title: "تعاونی‌ها",
            subtitle: "تهیه‌شده در ۱۴۰۵/۰۹/۱۶",
            columns: &columns(),
            rows: &rows,
            page_footer: &footer,
        });
        assert!(pdf.starts_with(b"%PDF-"));
        let pages = pages_of(&pdf);
        // About forty rows a page.
        assert!((4..=7).contains(&pages), "{pages} pages");
        let footers = footers.into_inner();
        assert_eq!(footers.len(), pages);
        assert!(footers.iter().all(|(_, of)| *of == pages));
    }

    #[test]
    fn an_empty_list_is_one_page_with_its_header() {
        let pdf = report(&Report {
            title: "تعاونی‌ها",
            subtitle: "",
            columns: &columns(),
            rows: &[],
            page_footer: &|page, pages| format!("{page}/{pages}"),
        });
        assert_eq!(pages_of(&pdf), 1);
    }

    #[test]
    fn too_many_columns_still_fit_the_page() {
        let columns: Vec<Column> = (0..14)
            .map(|i| Column {
                header: format!("ستون بسیار طولانی شمارهٔ {i}"),
                numeric: i % 2 == 0,
            })
            .collect();
        let rows = vec![
            columns
                .iter()
                .map(|c| c.header.repeat(3))
                .collect::<Vec<_>>(),
        ];
        let body = TextStyle::new(Weight::Regular, SIZE, INK);
        let head = TextStyle::new(Weight::Bold, SIZE, WHITE);
        let r = Report {
            title: "t",
            subtitle: "",
            columns: &columns,
            rows: &rows,
            page_footer: &|_, _| String::new(),
        };
        let widths = column_widths(&r, body, head);
        let sum: f32 = widths.iter().sum();
        assert!(sum <= PAGE.width - 2.0 * MARGIN + 0.5, "{sum}");
        assert!(pages_of(&report(&r)) >= 1);
    }
}
