//! A PDF document of pages holding shaped text, lines and rectangles.
//!
//! Each weight of the typeface is embedded once as a CID-keyed TrueType font. Character
//! ids are handed out per distinct (glyph, text) pair rather than per glyph, because one
//! glyph can stand for different text (the font draws a zero-width non-joiner with its
//! space glyph), and the ToUnicode map must give each its own: that is what makes the
//! Persian text searchable and extractable.

use std::collections::{BTreeMap, HashMap};

use pdf_writer::types::{CidFontType, Direction, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::deflate::deflate;
use crate::font::{Font, Weight, font};
use crate::shape::{self, Line};

/// A page size in points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageSize {
    pub width: f32,
    pub height: f32,
}

impl PageSize {
    pub const A4_LANDSCAPE: PageSize = PageSize {
        width: 841.89,
        height: 595.28,
    };
}

/// A colour as red, green, blue in 0–255.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    fn parts(self) -> (f32, f32, f32) {
        (
            f32::from(self.0) / 255.0,
            f32::from(self.1) / 255.0,
            f32::from(self.2) / 255.0,
        )
    }
}

/// How text looks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextStyle {
    pub weight: Weight,
    /// Font size in points.
    pub size: f32,
    pub color: Rgb,
}

impl TextStyle {
    pub const fn new(weight: Weight, size: f32, color: Rgb) -> Self {
        Self {
            weight,
            size,
            color,
        }
    }
}

/// Where a line sits relative to its x coordinate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// The line ends (its right edge) at x: the usual for Persian.
    Right,
    Center,
    Left,
}

/// The character ids handed out for one weight of the font.
#[derive(Default)]
struct FontUse {
    cids: HashMap<(u16, String), u16>,
    /// Indexed by character id: the glyph and its text.
    table: Vec<(u16, String)>,
}

impl FontUse {
    fn cid(&mut self, glyph: u16, text: &str) -> u16 {
        let table = &mut self.table;
        *self
            .cids
            .entry((glyph, text.to_string()))
            .or_insert_with_key(|key| {
                // A certificate uses a few hundred; u16 holds any page's worth of distinct glyphs.
                let cid = u16::try_from(table.len()).unwrap_or(u16::MAX);
                table.push(key.clone());
                cid
            })
    }
}

/// A document being drawn.
pub struct Document {
    title: String,
    fonts: BTreeMap<Weight, FontUse>,
    pages: Vec<(PageSize, Vec<u8>)>,
}

/// A page being drawn; `finish` adds it to the document.
pub struct Page<'a> {
    document: &'a mut Document,
    size: PageSize,
    content: Content,
}

impl Document {
    pub fn new(title: &str) -> Self {
        Self {
            title: title.to_string(),
            fonts: BTreeMap::new(),
            pages: Vec::new(),
        }
    }

    pub fn page(&mut self, size: PageSize) -> Page<'_> {
        Page {
            document: self,
            size,
            content: Content::new(),
        }
    }

    /// The PDF file.
    pub fn finish(self) -> Vec<u8> {
        let mut next = 0;
        let mut alloc = || {
            next += 1;
            Ref::new(next)
        };
        let catalog = alloc();
        let pages_id = alloc();
        let info = alloc();
        let mut pdf = Pdf::new();

        let mut catalog_writer = pdf.catalog(catalog);
        catalog_writer.pages(pages_id).lang(TextStr("fa-IR"));
        catalog_writer
            .viewer_preferences()
            .direction(Direction::R2L)
            .display_doc_title(true);
        catalog_writer.finish();
        pdf.document_info(info)
            .title(TextStr(&self.title))
            .producer(TextStr("taavon"));

        let font_refs: Vec<(Weight, Ref)> = self.fonts.keys().map(|w| (*w, alloc())).collect();
        let page_refs: Vec<(Ref, Ref)> = self.pages.iter().map(|_| (alloc(), alloc())).collect();
        pdf.pages(pages_id)
            .kids(page_refs.iter().map(|(page, _)| *page))
            .count(i32::try_from(page_refs.len()).unwrap_or(i32::MAX));
        for ((size, content), (page_id, content_id)) in self.pages.iter().zip(&page_refs) {
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, size.width, size.height))
                .parent(pages_id)
                .contents(*content_id);
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            for (weight, font_ref) in &font_refs {
                fonts.pair(font_name(*weight), *font_ref);
            }
            fonts.finish();
            resources.finish();
            page.finish();
            pdf.stream(*content_id, &deflate(content))
                .filter(Filter::FlateDecode);
        }
        for (weight, type0) in font_refs {
            let used = &self.fonts[&weight];
            write_font(&mut pdf, &mut alloc, type0, font(weight), used);
        }
        pdf.finish()
    }
}

/// Embeds one weight: the Type0 font, its CID font, descriptor, file, glyph map and
/// ToUnicode map.
fn write_font(
    pdf: &mut Pdf,
    alloc: &mut impl FnMut() -> Ref,
    type0: Ref,
    font: &Font,
    used: &FontUse,
) {
    let cid_font = alloc();
    let descriptor = alloc();
    let file = alloc();
    let to_unicode = alloc();
    let cid_to_gid = alloc();
    let name = Name(font.postscript_name().as_bytes());
    let per_unit = 1000.0 / font.units_per_em();
    let scaled = |value: i16| f32::from(value) * per_unit;

    pdf.type0_font(type0)
        .base_font(name)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font)
        .to_unicode(to_unicode);

    let mut cid = pdf.cid_font(cid_font);
    cid.subtype(CidFontType::Type2)
        .base_font(name)
        .system_info(SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        })
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_stream(cid_to_gid);
    cid.widths().consecutive(
        0,
        used.table
            .iter()
            .map(|(glyph, _)| f32::from(font.advance(*glyph)) * per_unit),
    );
    cid.finish();

    let face = font.face();
    let bbox = face.global_bounding_box();
    pdf.font_descriptor(descriptor)
        .name(name)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(
            scaled(bbox.x_min),
            scaled(bbox.y_min),
            scaled(bbox.x_max),
            scaled(bbox.y_max),
        ))
        .italic_angle(0.0)
        .ascent(scaled(face.ascender()))
        .descent(scaled(face.descender()))
        .cap_height(scaled(face.capital_height().unwrap_or(face.ascender())))
        .stem_v(80.0)
        .font_file2(file);
    pdf.stream(file, font.deflated_data())
        .filter(Filter::FlateDecode)
        .pair(
            Name(b"Length1"),
            i32::try_from(font.data().len()).unwrap_or(i32::MAX),
        );

    let map: Vec<u8> = used
        .table
        .iter()
        .flat_map(|(glyph, _)| glyph.to_be_bytes())
        .collect();
    pdf.stream(cid_to_gid, &deflate(&map))
        .filter(Filter::FlateDecode);

    let mut cmap = UnicodeCmap::new(
        Name(b"Taavon-UCS"),
        SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"UCS"),
            supplement: 0,
        },
    );
    for (cid, (_, text)) in used.table.iter().enumerate() {
        if !text.is_empty() {
            cmap.pair_with_multiple(u16::try_from(cid).unwrap_or(u16::MAX), text.chars());
        }
    }
    pdf.cmap(to_unicode, &cmap.finish());
}

fn font_name(weight: Weight) -> Name<'static> {
    match weight {
        Weight::Regular => Name(b"R"),
        Weight::Bold => Name(b"B"),
    }
}

/// How wide `text` is drawn in `style`, in points.
pub fn text_width(style: TextStyle, text: &str) -> f32 {
    let font = font(style.weight);
    shape::line(font, text).width as f32 * style.size / font.units_per_em()
}

/// How many lines `text` takes wrapped to `width` points in `style` (as `paragraph` wraps).
pub(crate) fn line_count(style: TextStyle, width: f32, text: &str) -> usize {
    let font = font(style.weight);
    let max_width = (width * font.units_per_em() / style.size) as i32;
    shape::wrap(font, text, max_width).len()
}

impl Page<'_> {
    pub fn size(&self) -> PageSize {
        self.size
    }

    /// Draws one line of text with its baseline at `y`.
    pub fn text(&mut self, style: TextStyle, align: Align, x: f32, y: f32, text: &str) {
        let line = shape::line(font(style.weight), text);
        self.draw_line(style, align, x, y, &line);
    }

    /// Draws text wrapped to the width between `left` and `right`, each line aligned as
    /// asked (centred lines sit in the middle), the first baseline at `top`; answers the
    /// baseline below the last line.
    pub fn paragraph(
        &mut self,
        style: TextStyle,
        align: Align,
        (left, right): (f32, f32),
        top: f32,
        leading: f32,
        text: &str,
    ) -> f32 {
        let font = font(style.weight);
        let units_per_point = font.units_per_em() / style.size;
        // Rounded down so that no wrapped line spills past the width.
        let max_width = ((right - left) * units_per_point) as i32;
        let x = match align {
            Align::Right => right,
            Align::Center => (left + right) / 2.0,
            Align::Left => left,
        };
        let mut y = top;
        for line in shape::wrap(font, text, max_width) {
            self.draw_line(style, align, x, y, &line);
            y -= leading;
        }
        y
    }

    fn draw_line(&mut self, style: TextStyle, align: Align, x: f32, y: f32, line: &Line) {
        let font_use = self.document.fonts.entry(style.weight).or_default();
        let scale = style.size / font(style.weight).units_per_em();
        let width = line.width as f32 * scale;
        let mut pen = match align {
            Align::Right => x - width,
            Align::Center => x - width / 2.0,
            Align::Left => x,
        };
        let (r, g, b) = style.color.parts();
        self.content.begin_text();
        self.content.set_fill_rgb(r, g, b);
        self.content.set_font(font_name(style.weight), style.size);
        for glyph in &line.glyphs {
            let cid = font_use.cid(glyph.id, &glyph.text);
            self.content.set_text_matrix([
                1.0,
                0.0,
                0.0,
                1.0,
                pen + glyph.x_offset as f32 * scale,
                y + glyph.y_offset as f32 * scale,
            ]);
            self.content.show(Str(&cid.to_be_bytes()));
            pen += glyph.advance as f32 * scale;
        }
        self.content.end_text();
    }

    /// Strokes a rectangle (x, y its lower left corner).
    pub fn stroke_rect(
        &mut self,
        (x, y, width, height): (f32, f32, f32, f32),
        line_width: f32,
        color: Rgb,
    ) {
        let (r, g, b) = color.parts();
        self.content
            .set_stroke_rgb(r, g, b)
            .set_line_width(line_width)
            .rect(x, y, width, height)
            .stroke();
    }

    /// Fills a rectangle (x, y its lower left corner).
    pub fn fill_rect(&mut self, (x, y, width, height): (f32, f32, f32, f32), color: Rgb) {
        let (r, g, b) = color.parts();
        self.content
            .set_fill_rgb(r, g, b)
            .rect(x, y, width, height)
            .fill_nonzero();
    }

    /// Adds the page to its document.
    pub fn finish(self) {
        let content = self.content.finish().into_vec();
        self.document.pages.push((self.size, content));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut document = Document::new("گواهی");
        let mut page = document.page(PageSize::A4_LANDSCAPE);
        let style = TextStyle {
            weight: Weight::Bold,
            size: 28.0,
            color: Rgb(20, 60, 90),
        };
        page.stroke_rect((20.0, 20.0, 800.0, 555.0), 2.0, Rgb(180, 140, 40));
        page.text(style, Align::Center, 420.0, 480.0, "گواهی برگزیدگی");
        page.finish();
        document.finish()
    }

    #[test]
    fn a_document_is_a_pdf_with_its_font_embedded_and_a_unicode_map() {
        let pdf = sample();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/FontFile2"));
        assert!(text.contains("/ToUnicode"));
        assert!(text.contains("Vazirmatn-Bold"));
        assert!(
            !text.contains("Vazirmatn-Regular"),
            "an unused weight is not embedded"
        );
    }

    #[test]
    fn one_glyph_standing_for_two_texts_gets_two_character_ids() {
        let mut used = FontUse::default();
        let space = used.cid(3, " ");
        let non_joiner = used.cid(3, "\u{200c}");
        assert_ne!(space, non_joiner);
        assert_eq!(used.cid(3, " "), space);
        assert_eq!(
            used.table[usize::from(non_joiner)],
            (3, "\u{200c}".to_string())
        );
    }
}
