//! The embedded typeface: Vazirmatn (SIL Open Font License 1.1, fonts/OFL.txt), the
//! face the web pages use, in its static Regular and Bold cuts (PDF embeds TrueType
//! outlines; the pages' variable WOFF2 would need instancing first).

use std::sync::OnceLock;

use rustybuzz::Face;

/// A weight of the embedded typeface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weight {
    Regular,
    Bold,
}

/// A parsed font and the file it came from.
pub struct Font {
    postscript_name: &'static str,
    data: &'static [u8],
    /// The file compressed for embedding, once per process: best compression of ~300 KB
    /// costs more than drawing a whole certificate.
    deflated: OnceLock<Vec<u8>>,
    face: Face<'static>,
}

impl Font {
    fn parse(postscript_name: &'static str, data: &'static [u8]) -> Self {
        // The bytes are compiled in and tested below; a failure here is a broken build.
        let face = Face::from_slice(data, 0).expect("the embedded Vazirmatn parses");
        Self {
            postscript_name,
            data,
            deflated: OnceLock::new(),
            face,
        }
    }

    pub fn postscript_name(&self) -> &'static str {
        self.postscript_name
    }

    /// The TrueType file, as embedded into a document.
    pub fn data(&self) -> &'static [u8] {
        self.data
    }

    /// The TrueType file compressed with `FlateDecode`.
    pub fn deflated_data(&self) -> &[u8] {
        self.deflated
            .get_or_init(|| crate::deflate::deflate(self.data))
    }

    pub fn face(&self) -> &Face<'static> {
        &self.face
    }

    pub fn units_per_em(&self) -> f32 {
        f32::from(u16::try_from(self.face.units_per_em()).unwrap_or(1000))
    }

    /// A glyph's advance in font units.
    pub fn advance(&self, glyph: u16) -> u16 {
        self.face
            .glyph_hor_advance(rustybuzz::ttf_parser::GlyphId(glyph))
            .unwrap_or(0)
    }
}

/// The embedded font of a weight, parsed once.
pub fn font(weight: Weight) -> &'static Font {
    static REGULAR: OnceLock<Font> = OnceLock::new();
    static BOLD: OnceLock<Font> = OnceLock::new();
    match weight {
        Weight::Regular => REGULAR.get_or_init(|| {
            Font::parse(
                "Vazirmatn-Regular",
                include_bytes!("../fonts/Vazirmatn-Regular.ttf"),
            )
        }),
        Weight::Bold => BOLD.get_or_init(|| {
            Font::parse(
                "Vazirmatn-Bold",
                include_bytes!("../fonts/Vazirmatn-Bold.ttf"),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_weights_parse_and_hold_persian_and_latin_glyphs() {
        for weight in [Weight::Regular, Weight::Bold] {
            let face = font(weight).face();
            for c in ['گ', 'ژ', 'ی', '۱', 'A', '7'] {
                assert!(face.glyph_index(c).is_some(), "{weight:?} lacks {c}");
            }
        }
    }
}
