//! The dashboard's charts: inline SVG drawn on the server (no script), each an image
//! named in the reader's language (`role="img"`, `aria-label`) whose numbers are also a
//! table behind a toggle (the template's `<details>`). Axes run right to left in
//! Persian — the first category at the right, the value scale on the right edge — and
//! every number is in the reader's digits.

use std::fmt::Write;

use crate::map::escape;
use crate::ui::i18n::Lang;

const WIDTH: i64 = 640;
const HEIGHT: i64 = 260;
/// Room for the value scale, the category names and the legend.
const SCALE: i64 = 70;
const BOTTOM: i64 = 40;
const TOP: i64 = 34;
const MARGIN: i64 = 10;

/// The series' colours, told apart without colour too (the legend names each in order).
const COLOURS: [&str; 3] = ["#1f6f8b", "#e07b39", "#6a4c93"];

/// How the values are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A bar per series in each category.
    Bars,
    /// A line per series through the categories.
    Lines,
}

/// One named series of values, one per category.
pub struct Series {
    pub name: String,
    pub values: Vec<i64>,
}

/// A chart with its numbers as a table: what the template shows.
pub struct Chart {
    pub heading: String,
    pub svg: String,
    /// The table behind the toggle: the header row, then a row per category.
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Chart {
    /// Draws `series` over `categories` as `shape`; `format` writes a value (the scale's
    /// and the table's), `label` names the image.
    pub fn new(
        lang: Lang,
        shape: Shape,
        heading: &str,
        categories: &[String],
        series: &[Series],
        format: &dyn Fn(i64) -> String,
    ) -> Self {
        let svg = draw(lang, shape, heading, categories, series, format);
        let mut header = vec![String::new()];
        header.extend(series.iter().map(|s| s.name.clone()));
        let rows = categories
            .iter()
            .enumerate()
            .map(|(at, category)| {
                let mut row = vec![category.clone()];
                row.extend(
                    series
                        .iter()
                        .map(|s| s.values.get(at).map_or_else(String::new, |v| format(*v))),
                );
                row
            })
            .collect();
        Self {
            heading: heading.to_owned(),
            svg,
            header,
            rows,
        }
    }
}

/// The x of the middle of category `at` of `count`: the first at the right in Persian.
fn x_of(lang: Lang, at: usize, count: usize) -> i64 {
    let plot = WIDTH - SCALE - MARGIN;
    let band = plot / i64::try_from(count.max(1)).unwrap_or(1);
    let from_start = band * i64::try_from(at).unwrap_or(0) + band / 2;
    match lang {
        Lang::Fa => WIDTH - SCALE - from_start,
        Lang::En => SCALE + from_start,
    }
}

fn draw(
    lang: Lang,
    shape: Shape,
    label: &str,
    categories: &[String],
    series: &[Series],
    format: &dyn Fn(i64) -> String,
) -> String {
    let count = categories.len();
    let top = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_height = HEIGHT - TOP - BOTTOM;
    let y_of = |value: i64| TOP + plot_height - value.clamp(0, top) * plot_height / top;
    let rtl = lang == Lang::Fa;
    let (scale_x, scale_anchor) = if rtl {
        (WIDTH - SCALE + 6, "start")
    } else {
        (SCALE - 6, "end")
    };
    let mut svg = format!(
        "<svg class=\"chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         xmlns=\"http://www.w3.org/2000/svg\" direction=\"{}\">",
        escape(label),
        lang.dir()
    );
    // The scale: zero, half and the top, with their grid lines.
    for value in [0, top / 2, top] {
        let y = y_of(value);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\"></line>\
             <text x=\"{scale_x}\" y=\"{}\" text-anchor=\"{scale_anchor}\" font-size=\"11\">{}</text>",
            if rtl { MARGIN } else { SCALE },
            if rtl { WIDTH - SCALE } else { WIDTH - MARGIN },
            y + 4,
            escape(&format(value))
        );
    }
    let band = (WIDTH - SCALE - MARGIN) / i64::try_from(count.max(1)).unwrap_or(1);
    let bar = (band * 7 / 10 / i64::try_from(series.len().max(1)).unwrap_or(1)).max(1);
    for (index, (one, colour)) in series.iter().zip(COLOURS.iter().cycle()).enumerate() {
        let offset = i64::try_from(index).unwrap_or(0);
        let points: Vec<(i64, i64, i64)> = one
            .values
            .iter()
            .take(count)
            .enumerate()
            .map(|(at, value)| (x_of(lang, at, count), y_of(*value), *value))
            .collect();
        match shape {
            Shape::Bars => {
                let group = bar * i64::try_from(series.len()).unwrap_or(1);
                for (x, y, value) in &points {
                    // Series run in reading order within a category.
                    let start = if rtl {
                        x + group / 2 - bar * (offset + 1)
                    } else {
                        x - group / 2 + bar * offset
                    };
                    let _ = write!(
                        svg,
                        "<rect x=\"{start}\" y=\"{y}\" width=\"{bar}\" height=\"{}\" fill=\"{colour}\">\
                         <title>{}: {}</title></rect>",
                        TOP + plot_height - y,
                        escape(&one.name),
                        escape(&format(*value))
                    );
                }
            }
            Shape::Lines => {
                let path: Vec<String> = points.iter().map(|(x, y, _)| format!("{x},{y}")).collect();
                let _ = write!(
                    svg,
                    "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"></polyline>",
                    path.join(" ")
                );
                for (x, y, value) in &points {
                    let _ = write!(
                        svg,
                        "<circle cx=\"{x}\" cy=\"{y}\" r=\"3\" fill=\"{colour}\"><title>{}: {}</title></circle>",
                        escape(&one.name),
                        escape(&format(*value))
                    );
                }
            }
        }
        // The legend, in reading order along the top.
        let step = 150 * offset;
        let (box_x, text_x, anchor) = if rtl {
            (
                WIDTH - MARGIN - 12 - step,
                WIDTH - MARGIN - 16 - step,
                "start",
            )
        } else {
            (MARGIN + step, MARGIN + 16 + step, "start")
        };
        let _ = write!(
            svg,
            "<rect x=\"{box_x}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{colour}\"></rect>\
             <text x=\"{text_x}\" y=\"16\" font-size=\"12\" text-anchor=\"{anchor}\">{}</text>",
            escape(&one.name)
        );
    }
    // Category names under the axis; many are thinned to every other one or fewer.
    let every = count.div_ceil(12).max(1);
    for (at, category) in categories.iter().enumerate() {
        if at % every != 0 {
            continue;
        }
        let room = band * i64::try_from(every).unwrap_or(1);
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">\
             <title>{}</title>{}</text>",
            x_of(lang, at, count),
            HEIGHT - BOTTOM + 16,
            escape(category),
            escape(&fitted(category, room))
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Roughly how wide a character of the category names is (11 px text), in SVG units:
/// digits and separators are narrower than letters, so a date fits where a name of as
/// many letters would not.
fn character_width(c: char) -> i64 {
    match c {
        '0'..='9' | '۰'..='۹' => 5,
        '/' | '.' | ',' | ' ' | '\u{200c}' => 3,
        _ => 6,
    }
}

/// `name` cut to what fits in `room` units, with an ellipsis when cut (the whole name is
/// the label's title and in the table): long names would run into their neighbours.
fn fitted(name: &str, room: i64) -> String {
    if name.chars().map(character_width).sum::<i64>() <= room {
        return name.to_owned();
    }
    let ellipsis = character_width('…');
    let mut used = 0;
    let mut cut: String = name
        .chars()
        .take_while(|c| {
            used += character_width(*c);
            used + ellipsis <= room
        })
        .collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(lang: Lang, shape: Shape) -> Chart {
        Chart::new(
            lang,
            shape,
            "پرداخت <ماهانه>",
            &["مهر".to_owned(), "آبان".to_owned()],
            &[
                Series {
                    name: "پرداخت".into(),
                    values: vec![10, 20],
                },
                Series {
                    name: "بازپرداخت".into(),
                    values: vec![5, 0],
                },
            ],
            &|v| lang.number(v),
        )
    }

    #[test]
    fn a_chart_is_a_named_image_with_its_numbers_in_a_table() {
        // Establishes the accessible name (escaped), a bar per value with its number in
        // Persian digits, and the table of the same numbers.
        let c = chart(Lang::Fa, Shape::Bars);
        assert!(
            c.svg.starts_with(
                "<svg class=\"chart\" role=\"img\" aria-label=\"پرداخت &lt;ماهانه&gt;\""
            )
        );
        assert_eq!(c.svg.matches("<rect").count(), 4 + 2);
        assert!(c.svg.contains("<title>پرداخت: ۲۰</title>"));
        assert_eq!(c.header, ["", "پرداخت", "بازپرداخت"]);
        assert_eq!(c.rows, [["مهر", "۱۰", "۵"], ["آبان", "۲۰", "۰"]]);
    }

    #[test]
    fn persian_axes_run_right_to_left() {
        // Establishes the first category to the right of the second in Persian and to
        // the left in English, and the scale on the right edge in Persian.
        assert!(x_of(Lang::Fa, 0, 2) > x_of(Lang::Fa, 1, 2));
        assert!(x_of(Lang::En, 0, 2) < x_of(Lang::En, 1, 2));
        let lines = chart(Lang::Fa, Shape::Lines);
        assert_eq!(lines.svg.matches("<polyline").count(), 2);
        assert!(lines.svg.contains(&format!("x=\"{}\"", WIDTH - SCALE + 6)));
    }

    #[test]
    fn a_long_category_name_is_cut_to_its_room_and_kept_whole_in_its_title() {
        assert_eq!(fitted("اشتغال زنان", 200), "اشتغال زنان");
        let cut = fitted("تسهیلات اعتباری بانک توسعه تعاون", 60);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(cut.chars().count() <= 10, "{cut}");
        // A Jalali date fits the room of one of twelve months.
        assert_eq!(fitted("۱۴۰۵/۰۹/۱۵", 46), "۱۴۰۵/۰۹/۱۵");
        let names = ["تسهیلات اعتباری بانک توسعه تعاون".to_owned(), "ب".to_owned()];
        let chart = Chart::new(
            Lang::Fa,
            Shape::Bars,
            "نمودار",
            &names,
            &[Series {
                name: "مبلغ".into(),
                values: vec![1, 2],
            }],
            &|v| v.to_string(),
        );
        assert!(
            chart
                .svg
                .contains("<title>تسهیلات اعتباری بانک توسعه تعاون</title>")
        );
    }
}
