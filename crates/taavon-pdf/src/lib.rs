//! taavon's printable documents (the festival's certificates, every list as a report): Persian text shaped
//! with rustybuzz, put in display order by the Unicode bidirectional algorithm, and
//! written with pdf-writer, Vazirmatn embedded, so that the PDF looks right in any viewer
//! and its text is extracted and searched in logical order. Pure: bytes in, bytes out.
//!
//! typst would do all of this but costs ~126 s of build on its own; these three small
//! crates cost a few seconds.

mod deflate;
mod document;
mod font;
pub mod report;
mod shape;

pub use document::{Align, Document, Page, PageSize, Rgb, TextStyle, text_width};
pub use font::Weight;
