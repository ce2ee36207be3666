//! Persian (and mixed) text as glyphs in the order they are drawn.
//!
//! A line is first ordered by the Unicode bidirectional algorithm with a right-to-left
//! paragraph (so a Latin code or a number inside Persian text keeps its own direction),
//! then each directional run is shaped on its own (Persian letters take their joined
//! forms, لا its ligature). The glyphs come out left to right, ready to be placed.

use std::ops::Range;

use rustybuzz::{BufferClusterLevel, Direction, UnicodeBuffer};
use unicode_bidi::{BidiInfo, Level};

use crate::font::Font;

/// One glyph as drawn, with the text it stands for.
#[derive(Clone, Debug, PartialEq)]
pub struct Glyph {
    pub id: u16,
    /// The characters this glyph stands for, in the order a text extractor reads them
    /// back (see `cluster_text`); empty for the second and later glyphs of one cluster.
    pub text: String,
    /// Advance and offsets in font units.
    pub advance: i32,
    pub x_offset: i32,
    pub y_offset: i32,
}

/// One line of glyphs in drawing order (left to right).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Line {
    pub glyphs: Vec<Glyph>,
    /// The sum of the advances, in font units.
    pub width: i32,
}

/// Shapes one line of text (no wrapping).
pub fn line(font: &Font, text: &str) -> Line {
    let bidi = BidiInfo::new(text, Some(Level::rtl()));
    let mut line = Line::default();
    for paragraph in &bidi.paragraphs {
        append_range(font, &bidi, paragraph, paragraph.range.clone(), &mut line);
    }
    line
}

/// Breaks text into lines no wider than `max_width` font units, at spaces (a word wider
/// than the line gets a line of its own), each shaped as `line` would.
pub fn wrap(font: &Font, text: &str, max_width: i32) -> Vec<Line> {
    let bidi = BidiInfo::new(text, Some(Level::rtl()));
    let space = run_width(font, " ", false);
    let mut lines = Vec::new();
    for paragraph in &bidi.paragraphs {
        let mut start: Option<usize> = None;
        let mut end = paragraph.range.start;
        let mut width = 0;
        for word in words(text, paragraph.range.clone()) {
            let word_width = run_width(font, &text[word.clone()], true);
            match start {
                Some(first) if width + space + word_width > max_width => {
                    let mut line = Line::default();
                    append_range(font, &bidi, paragraph, first..end, &mut line);
                    lines.push(line);
                    start = Some(word.start);
                    width = word_width;
                }
                Some(_) => width += space + word_width,
                None => {
                    start = Some(word.start);
                    width = word_width;
                }
            }
            end = word.end;
        }
        if let Some(first) = start {
            let mut line = Line::default();
            append_range(font, &bidi, paragraph, first..end, &mut line);
            lines.push(line);
        }
    }
    lines
}

/// The byte ranges of the space-separated words of `range`.
fn words(text: &str, range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
    let base = range.start;
    text[range]
        .split(' ')
        .scan(base, |at, word| {
            let start = *at;
            *at += word.len() + 1;
            Some(start..start + word.len())
        })
        .filter(|word| !word.is_empty())
}

/// The width of a piece of text shaped as one run, for measuring words.
fn run_width(font: &Font, text: &str, rtl: bool) -> i32 {
    shape_run(font, text, rtl).iter().map(|g| g.advance).sum()
}

/// Orders one line of a paragraph into runs and appends their glyphs.
fn append_range(
    font: &Font,
    bidi: &BidiInfo<'_>,
    paragraph: &unicode_bidi::ParagraphInfo,
    range: Range<usize>,
    line: &mut Line,
) {
    let trimmed = trim_end(bidi.text, range);
    if trimmed.is_empty() {
        return;
    }
    let (levels, runs) = bidi.visual_runs(paragraph, trimmed);
    for run in runs {
        let rtl = levels[run.start].is_rtl();
        for glyph in shape_run(font, &bidi.text[run], rtl) {
            line.width += glyph.advance;
            line.glyphs.push(glyph);
        }
    }
}

/// The range without its trailing line breaks and spaces.
fn trim_end(text: &str, range: Range<usize>) -> Range<usize> {
    let kept = text[range.clone()].trim_end_matches([' ', '\n', '\r', '\u{2029}']);
    range.start..range.start + kept.len()
}

/// Shapes one directional run; glyphs in drawing order.
fn shape_run(font: &Font, text: &str, rtl: bool) -> Vec<Glyph> {
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    buffer.set_direction(if rtl {
        Direction::RightToLeft
    } else {
        Direction::LeftToRight
    });
    // Marks keep clusters of their own, so only true ligatures join characters.
    buffer.set_cluster_level(BufferClusterLevel::Characters);
    let shaped = rustybuzz::shape(font.face(), &[], buffer);
    let infos = shaped.glyph_infos();
    let positions = shaped.glyph_positions();

    let mut starts: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let cluster_end = |start: usize| {
        starts
            .iter()
            .find(|&&s| s > start)
            .copied()
            .unwrap_or(text.len())
    };

    let mut glyphs: Vec<Glyph> = infos
        .iter()
        .zip(positions)
        .map(|(info, position)| Glyph {
            id: u16::try_from(info.glyph_id).unwrap_or(0),
            text: String::new(),
            advance: position.x_advance,
            x_offset: position.x_offset,
            y_offset: position.y_offset,
        })
        .collect();
    // The cluster's text goes to its first glyph in reading order: for a right-to-left
    // run that is the rightmost, i.e. the last drawn.
    let mut seen = std::collections::HashSet::new();
    let reading: Box<dyn Iterator<Item = usize>> = if rtl {
        Box::new((0..glyphs.len()).rev())
    } else {
        Box::new(0..glyphs.len())
    };
    for index in reading {
        let start = infos[index].cluster as usize;
        if seen.insert(start) {
            glyphs[index].text = cluster_text(&text[start..cluster_end(start)], rtl);
        }
    }
    glyphs
}

/// The characters a glyph maps back to. Extractors (poppler's pdftotext among them)
/// rebuild a right-to-left word by reversing its glyphs' characters, a ligature's
/// included, so a ligature in a right-to-left run maps to its characters reversed and
/// reads back in logical order.
fn cluster_text(text: &str, rtl: bool) -> String {
    if rtl {
        text.chars().rev().collect()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::font::{Weight, font};

    fn read_back(line: &Line) -> String {
        line.glyphs.iter().map(|g| g.text.as_str()).collect()
    }

    #[test]
    fn a_persian_word_is_drawn_right_to_left_joined_and_maps_back_to_every_letter() {
        let line = line(font(Weight::Regular), "سلام");
        // Drawn left to right: م first, س last; read back reversed that is the word.
        let reversed: String = read_back(&line).chars().rev().collect();
        assert_eq!(reversed, "سلام");
        assert!(line.width > 0);
    }

    #[test]
    fn lam_alef_is_one_glyph_standing_for_both_letters() {
        let line = line(font(Weight::Regular), "لا");
        assert_eq!(line.glyphs.len(), 1, "لا takes its ligature");
        assert_eq!(
            line.glyphs[0].text, "ال",
            "reversed, as extractors reverse it back"
        );
    }

    #[test]
    fn digits_and_latin_codes_keep_left_to_right_order_inside_persian() {
        let line = line(font(Weight::Regular), "کد 7K2QD سال ۱۴۰۵");
        let drawn = read_back(&line);
        assert!(drawn.contains("۱۴۰۵"), "{drawn}");
        assert!(drawn.contains("7K2QD"), "{drawn}");
    }

    #[test]
    fn wrapping_keeps_every_word_once_and_no_line_wider_than_asked() {
        let font = font(Weight::Regular);
        let text = "بدین‌وسیله گواهی می‌شود که تعاونی نمونه در رشتهٔ کشاورزی برگزیده شد";
        // About three words a line (a word is 2 000 to 9 000 units at 2 048 a em).
        let lines = wrap(font, text, 20_000);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(line.width <= 20_000, "a line of {} units", line.width);
        }
        let letters: usize = lines
            .iter()
            .flat_map(|l| &l.glyphs)
            .map(|g| g.text.chars().count())
            .sum();
        // Every character comes back but the space at each break.
        assert_eq!(letters, text.chars().count() - (lines.len() - 1));
    }

    #[test]
    fn a_word_wider_than_the_line_stands_alone_rather_than_being_lost() {
        let lines = wrap(font(Weight::Regular), "تعاونی کشاورزی", 10);
        assert_eq!(lines.len(), 2);
    }
}
