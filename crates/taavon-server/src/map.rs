//! The maps: boundaries from OpenStreetMap (data/reference/provinces.geojson and
//! counties.geojson, © OpenStreetMap contributors, ODbL) parsed and projected once, then
//! rendered as inline, offline choropleths — the nation's provinces, and one province's
//! counties — by one projection and one renderer.
//!
//! The county outlines carry no county code: each is matched to the bundled county list
//! by province and Persian name (or the census name OSM spells differently), and a county
//! left without an outline (Pol-e Dokhtar has no polygon in the extract) is listed, not
//! fatal.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::OnceLock;

use serde_json::Value;
use taavon_core::reference::ReferenceData;
use taavon_core::text::search_key;

const PROVINCES_GEOJSON: &str = include_str!("../../../data/reference/provinces.geojson");
const COUNTIES_GEOJSON: &str = include_str!("../../../data/reference/counties.geojson");
const WIDTH: f64 = 1000.0;

/// One closed outline as (longitude, latitude) points.
type Ring = Vec<(f64, f64)>;

/// Areas keyed by their code, each with its outline rings.
type Shapes = Vec<(String, Vec<Ring>)>;

/// A set of areas projected into SVG path data, drawn by `render`.
pub struct Outlines {
    /// The class and data attribute of each path: `province` or `county`.
    class: &'static str,
    paths: Vec<(String, String)>,
    height: f64,
}

/// How one area is drawn.
pub struct MapArea {
    pub code: String,
    pub fill: String,
    pub title: String,
    pub href: Option<String>,
}

/// The bundled maps, parsed once per process.
pub struct Maps {
    pub provinces: Outlines,
    /// Each province's counties, keyed by the province's ISO code.
    counties: HashMap<String, Outlines>,
    /// Counties of the list with no outline, by province (county codes).
    without_outline: HashMap<String, Vec<String>>,
    /// Outlines matching no county of the list, as `province: name`.
    unmatched_outlines: Vec<String>,
}

impl Maps {
    /// The bundled maps, parsed and projected on first use.
    pub fn bundled() -> Result<&'static Maps, String> {
        static MAPS: OnceLock<Result<Maps, String>> = OnceLock::new();
        MAPS.get_or_init(Maps::parse).as_ref().map_err(Clone::clone)
    }

    fn parse() -> Result<Maps, String> {
        let provinces = features(PROVINCES_GEOJSON, |properties| {
            text_of(properties, "iso3166_2").map(str::to_owned)
        })?;
        let reference = ReferenceData::bundled().map_err(|e| e.to_string())?;
        let mut codes: HashMap<(String, String), String> = reference
            .counties
            .iter()
            .map(|county| {
                (
                    (
                        county.province.as_str().to_owned(),
                        search_key(&county.name_fa),
                    ),
                    county.code.as_str().to_owned(),
                )
            })
            .collect();
        let mut unmatched_outlines = Vec::new();
        let counties = features(COUNTIES_GEOJSON, |properties| {
            let province = text_of(properties, "province_iso")?;
            let names = ["census_name_fa", "name_fa"].map(|key| text_of(properties, key).ok());
            let code = names
                .iter()
                .flatten()
                .find_map(|name| codes.remove(&(province.to_owned(), search_key(name))));
            Ok(code.unwrap_or_else(|| {
                let name = names.iter().flatten().last().copied().unwrap_or("?");
                unmatched_outlines.push(format!("{province}: {name}"));
                String::new()
            }))
        })?;
        let mut by_province: HashMap<String, Shapes> = HashMap::new();
        for (code, rings) in counties.into_iter().filter(|(code, _)| !code.is_empty()) {
            let province = reference
                .counties
                .iter()
                .find(|county| county.code.as_str() == code)
                .map(|county| county.province.as_str().to_owned())
                .unwrap_or_default();
            by_province.entry(province).or_default().push((code, rings));
        }
        let mut without_outline: HashMap<String, Vec<String>> = HashMap::new();
        for ((province, _), code) in codes {
            without_outline.entry(province).or_default().push(code);
        }
        without_outline.values_mut().for_each(|codes| codes.sort());
        unmatched_outlines.sort();
        Ok(Maps {
            provinces: Outlines::project("province", provinces),
            counties: by_province
                .into_iter()
                .map(|(province, shapes)| (province, Outlines::project("county", shapes)))
                .collect(),
            without_outline,
            unmatched_outlines,
        })
    }

    /// One province's counties, when it has any outline.
    pub fn counties(&self, province: &str) -> Option<&Outlines> {
        self.counties.get(province)
    }

    /// The province's counties that have no outline (county codes, sorted).
    pub fn without_outline(&self, province: &str) -> &[String] {
        self.without_outline
            .get(province)
            .map_or(&[], Vec::as_slice)
    }

    /// Outlines that match no county of the list (none in the bundled data).
    pub fn unmatched_outlines(&self) -> &[String] {
        &self.unmatched_outlines
    }
}

/// A string property of a feature, or an error naming it.
fn text_of<'a>(properties: &'a Value, key: &str) -> Result<&'a str, String> {
    properties
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("a feature without {key}"))
}

/// Every feature of a GeoJSON collection as its key (from its properties) and its rings.
fn features(
    geojson: &str,
    mut key_of: impl FnMut(&Value) -> Result<String, String>,
) -> Result<Shapes, String> {
    let json: Value = serde_json::from_str(geojson).map_err(|e| e.to_string())?;
    let features = json
        .get("features")
        .and_then(Value::as_array)
        .ok_or("no features")?;
    let mut shapes = Vec::with_capacity(features.len());
    for feature in features {
        let key = key_of(feature.get("properties").unwrap_or(&Value::Null))?;
        let kind = feature.pointer("/geometry/type").and_then(Value::as_str);
        let coordinates = feature
            .pointer("/geometry/coordinates")
            .ok_or_else(|| format!("{key}: no coordinates"))?;
        let polygons: Vec<&Value> = match kind {
            Some("Polygon") => vec![coordinates],
            Some("MultiPolygon") => coordinates
                .as_array()
                .map(|p| p.iter().collect())
                .unwrap_or_default(),
            _ => return Err(format!("{key}: unsupported geometry")),
        };
        let mut rings = Vec::new();
        for polygon in polygons {
            for ring in polygon.as_array().into_iter().flatten() {
                let points: Ring = ring
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                    .collect();
                rings.push(points);
            }
        }
        shapes.push((key, rings));
    }
    Ok(shapes)
}

impl Outlines {
    /// Projects the shapes to fit `WIDTH` (equirectangular, longitude scaled by the cosine
    /// of the mean latitude, so the area keeps its shape).
    fn project(class: &'static str, shapes: Shapes) -> Self {
        let all = || shapes.iter().flat_map(|(_, rings)| rings.iter().flatten());
        let (min_lon, max_lon) =
            all().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let (min_lat, max_lat) =
            all().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
        let cos = ((min_lat + max_lat) / 2.0).to_radians().cos();
        let scale = WIDTH / ((max_lon - min_lon) * cos).max(f64::EPSILON);
        let height = (max_lat - min_lat) * scale;
        let mut paths: Vec<(String, String)> = shapes
            .into_iter()
            .map(|(code, rings)| {
                let mut d = String::new();
                for ring in rings {
                    for (i, (lon, lat)) in ring.iter().enumerate() {
                        let x = (lon - min_lon) * cos * scale;
                        let y = (max_lat - lat) * scale;
                        let _ = write!(d, "{}{:.1} {:.1}", if i == 0 { "M" } else { "L" }, x, y);
                    }
                    d.push('Z');
                }
                (code, d)
            })
            .collect();
        paths.sort();
        Self {
            class,
            paths,
            height,
        }
    }

    pub fn area_count(&self) -> usize {
        self.paths.len()
    }

    /// An inline SVG with one path per area (a focusable link named by its title when
    /// `href` is set), and the OSM credit.
    pub fn render(&self, areas: &[MapArea], label: &str) -> String {
        let class = self.class;
        let mut svg = format!(
            "<svg class=\"{class}-map\" role=\"group\" aria-label=\"{}\" viewBox=\"0 0 {} {:.0}\" \
             xmlns=\"http://www.w3.org/2000/svg\">",
            escape(label),
            WIDTH,
            self.height + 30.0
        );
        for (code, d) in &self.paths {
            let style = areas.iter().find(|p| &p.code == code);
            let fill = style.map_or("#ddd", |p| p.fill.as_str());
            let title = escape(style.map_or(code.as_str(), |p| p.title.as_str()));
            let path = format!(
                "<path class=\"{class}\" data-{class}=\"{}\" fill=\"{}\" fill-rule=\"evenodd\" \
                 d=\"{}\"><title>{title}</title></path>",
                escape(code),
                escape(fill),
                d,
            );
            match style.and_then(|p| p.href.as_deref()) {
                Some(href) => {
                    let _ = write!(
                        svg,
                        "<a href=\"{}\" aria-label=\"{title}\">{path}</a>",
                        escape(href)
                    );
                }
                None => svg.push_str(&path),
            }
        }
        let _ = write!(
            svg,
            "<text class=\"map-credit\" x=\"8\" y=\"{:.0}\" font-size=\"14\" direction=\"ltr\" lang=\"en\" \
             text-anchor=\"start\">© OpenStreetMap contributors</text></svg>",
            self.height + 22.0
        );
        svg
    }
}

/// The five sequential colours of a choropleth, lightest (lowest) first.
const PALETTE: [&str; 5] = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];

/// The colour of a map whose areas all hold the same value: the lightest, since a
/// darker one reads as "much" (a period with nothing disbursed painted orange everywhere).
const FLAT: &str = PALETTE[0];

/// One of five sequential colours for `value` between `min` and `max` (equal-width
/// classes; darker is higher).
pub fn choropleth_colour(value: f64, min: f64, max: f64) -> &'static str {
    if max <= min {
        return FLAT;
    }
    let class = (((value - min) / (max - min)) * 5.0)
        .floor()
        .clamp(0.0, 4.0) as usize;
    PALETTE.get(class).copied().unwrap_or("#b30000")
}

/// A legend of the five classes between `min` and `max` as an accessible SVG: each
/// swatch with its range written beside it by `label` (from, to), and the whole named
/// by `title` for a screen reader.
pub fn choropleth_legend(
    min: u64,
    max: u64,
    title: &str,
    label: impl Fn(u64, u64) -> String,
) -> String {
    let rows: Vec<(&str, String)> = if max <= min {
        vec![(FLAT, label(min, max))]
    } else {
        // The classes of `choropleth_colour`: equal fifths of the range.
        let bound = |i: u64| min + (max - min) * i / 5;
        PALETTE
            .iter()
            .zip(0u64..)
            .map(|(colour, i)| (*colour, label(bound(i), bound(i + 1))))
            .collect()
    };
    let height = 26 * rows.len() + 4;
    let mut svg = format!(
        "<svg class=\"map-legend\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 320 {height}\" \
         xmlns=\"http://www.w3.org/2000/svg\">",
        escape(title)
    );
    for ((colour, text), row) in rows.iter().zip(0usize..) {
        let y = 4 + row * 26;
        let _ = write!(
            svg,
            "<rect x=\"290\" y=\"{y}\" width=\"26\" height=\"20\" fill=\"{colour}\" stroke=\"#555\"></rect>\
             <text x=\"280\" y=\"{}\" text-anchor=\"start\" direction=\"rtl\" font-size=\"14\">{}</text>",
            y + 15,
            escape(text)
        );
    }
    svg.push_str("</svg>");
    svg
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_draws_31_provinces_with_the_osm_credit() {
        // Establishes that every province is drawn, linked and escaped, with attribution.
        let maps = Maps::bundled().unwrap();
        assert_eq!(maps.provinces.area_count(), 31);
        let svg = maps.provinces.render(
            &[MapArea {
                code: "IR-16".into(),
                fill: "#b30000".into(),
                title: "ایلام <۱۲>".into(),
                href: Some("/provinces/IR-16".into()),
            }],
            "map",
        );
        assert_eq!(svg.matches("class=\"province\"").count(), 31);
        assert!(svg.contains("<a href=\"/provinces/IR-16\" aria-label=\"ایلام &lt;۱۲&gt;\">"));
        assert!(svg.contains("ایلام &lt;۱۲&gt;"));
        assert!(svg.contains("© OpenStreetMap contributors"));
    }

    #[test]
    fn every_county_outline_matches_a_county_and_only_pol_e_dokhtar_has_none() {
        // Establishes the match by province and name (aliases included): all 478 outlines
        // find their county, and the one county without a polygon is listed, not fatal.
        let maps = Maps::bundled().unwrap();
        assert_eq!(maps.unmatched_outlines(), &[] as &[String]);
        let drawn: usize = maps.counties.values().map(Outlines::area_count).sum();
        assert_eq!(drawn, 478);
        assert_eq!(maps.without_outline("IR-15"), &["1508".to_owned()]);
        let listed: usize = maps.without_outline.values().map(Vec::len).sum();
        assert_eq!(listed, 1);
        // Ilam's counties, Dehloran (1603) among them, drawn as counties of one province.
        let ilam = maps.counties("IR-16").unwrap();
        let svg = ilam.render(&[], "ایلام");
        assert!(svg.contains("data-county=\"1603\""));
        assert_eq!(svg.matches("class=\"county\"").count(), ilam.area_count());
    }

    #[test]
    fn colours_rise_with_the_value() {
        // Establishes the class breaks at the ends of the range.
        assert_eq!(choropleth_colour(0.0, 0.0, 10.0), "#fef0d9");
        assert_eq!(choropleth_colour(10.0, 0.0, 10.0), "#b30000");
    }

    #[test]
    fn the_legend_names_each_class_by_its_range() {
        // Establishes five swatches over the range, each labelled, the whole an image.
        let svg = choropleth_legend(0, 10, "راهنما", |from, to| format!("{from}–{to}"));
        assert_eq!(svg.matches("<rect").count(), 5);
        assert!(svg.contains("role=\"img\" aria-label=\"راهنما\""));
        assert!(svg.contains(">0–2<") && svg.contains(">8–10<"));
        let flat = choropleth_legend(3, 3, "راهنما", |from, to| format!("{from}–{to}"));
        assert_eq!(flat.matches("<rect").count(), 1);
        // One value everywhere is drawn light, in the map and its legend alike.
        assert!(flat.contains(&format!("fill=\"{}\"", choropleth_colour(3.0, 3.0, 3.0))));
        assert_eq!(choropleth_colour(0.0, 0.0, 0.0), "#fef0d9");
    }
}
