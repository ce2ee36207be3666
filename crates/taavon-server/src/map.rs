//! The province map: boundaries from OpenStreetMap (data/reference/provinces.geojson,
//! © OpenStreetMap contributors, ODbL) projected once into SVG paths, then rendered as
//! an inline, offline choropleth.

use std::fmt::Write;

const GEOJSON: &str = include_str!("../../../data/reference/provinces.geojson");
const WIDTH: f64 = 1000.0;

/// One closed outline as (longitude, latitude) points.
type Ring = Vec<(f64, f64)>;

/// Province outlines as SVG path data, keyed by ISO code.
pub struct ProvinceMap {
    paths: Vec<(String, String)>,
    height: f64,
}

/// How one province is drawn.
pub struct MapProvince {
    pub code: String,
    pub fill: String,
    pub title: String,
    pub href: Option<String>,
}

impl ProvinceMap {
    /// Parses and projects the bundled boundaries (equirectangular, longitude scaled by
    /// the cosine of the mean latitude, so Iran keeps its shape).
    pub fn bundled() -> Result<Self, String> {
        let json: serde_json::Value = serde_json::from_str(GEOJSON).map_err(|e| e.to_string())?;
        let features = json
            .get("features")
            .and_then(|f| f.as_array())
            .ok_or("no features")?;
        let mut shapes: Vec<(String, Vec<Ring>)> = Vec::new();
        for feature in features {
            let code = feature
                .pointer("/properties/iso3166_2")
                .and_then(|c| c.as_str())
                .ok_or("feature without iso3166_2")?
                .to_owned();
            let kind = feature.pointer("/geometry/type").and_then(|t| t.as_str());
            let coordinates = feature
                .pointer("/geometry/coordinates")
                .ok_or_else(|| format!("{code}: no coordinates"))?;
            let polygons: Vec<&serde_json::Value> = match kind {
                Some("Polygon") => vec![coordinates],
                Some("MultiPolygon") => coordinates
                    .as_array()
                    .map(|p| p.iter().collect())
                    .unwrap_or_default(),
                _ => return Err(format!("{code}: unsupported geometry")),
            };
            let mut rings = Vec::new();
            for polygon in polygons {
                for ring in polygon.as_array().into_iter().flatten() {
                    let points: Vec<(f64, f64)> = ring
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                        .collect();
                    rings.push(points);
                }
            }
            shapes.push((code, rings));
        }
        let all = || shapes.iter().flat_map(|(_, rings)| rings.iter().flatten());
        let (min_lon, max_lon) =
            all().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let (min_lat, max_lat) =
            all().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
        let cos = ((min_lat + max_lat) / 2.0).to_radians().cos();
        let scale = WIDTH / ((max_lon - min_lon) * cos);
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
        Ok(Self { paths, height })
    }

    pub fn province_count(&self) -> usize {
        self.paths.len()
    }

    /// An inline SVG with one `path.province` per province (linked when `href` is set).
    pub fn render(&self, provinces: &[MapProvince], label: &str) -> String {
        let mut svg = format!(
            "<svg class=\"province-map\" role=\"group\" aria-label=\"{}\" viewBox=\"0 0 {} {:.0}\" \
             xmlns=\"http://www.w3.org/2000/svg\">",
            escape(label),
            WIDTH,
            self.height + 30.0
        );
        for (code, d) in &self.paths {
            let style = provinces.iter().find(|p| &p.code == code);
            let fill = style.map_or("#ddd", |p| p.fill.as_str());
            let title = style.map_or(code.as_str(), |p| p.title.as_str());
            let path = format!(
                "<path class=\"province\" data-province=\"{}\" fill=\"{}\" fill-rule=\"evenodd\" \
                 d=\"{}\"><title>{}</title></path>",
                escape(code),
                escape(fill),
                d,
                escape(title)
            );
            match style.and_then(|p| p.href.as_deref()) {
                Some(href) => {
                    let _ = write!(svg, "<a href=\"{}\">{path}</a>", escape(href));
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

/// One of five sequential colours for `value` between `min` and `max` (equal-width
/// classes; darker is higher).
pub fn choropleth_colour(value: f64, min: f64, max: f64) -> &'static str {
    const PALETTE: [&str; 5] = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"];
    if max <= min {
        return "#fc8d59";
    }
    let class = (((value - min) / (max - min)) * 5.0)
        .floor()
        .clamp(0.0, 4.0) as usize;
    PALETTE.get(class).copied().unwrap_or("#b30000")
}

fn escape(text: &str) -> String {
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
        let map = ProvinceMap::bundled().unwrap();
        assert_eq!(map.province_count(), 31);
        let svg = map.render(
            &[MapProvince {
                code: "IR-16".into(),
                fill: "#b30000".into(),
                title: "ایلام <۱۲>".into(),
                href: Some("/provinces/IR-16".into()),
            }],
            "map",
        );
        assert_eq!(svg.matches("class=\"province\"").count(), 31);
        assert!(svg.contains("<a href=\"/provinces/IR-16\">"));
        assert!(svg.contains("ایلام &lt;۱۲&gt;"));
        assert!(svg.contains("© OpenStreetMap contributors"));
    }

    #[test]
    fn colours_rise_with_the_value() {
        // Establishes the class breaks at the ends of the range.
        assert_eq!(choropleth_colour(0.0, 0.0, 10.0), "#fef0d9");
        assert_eq!(choropleth_colour(10.0, 0.0, 10.0), "#b30000");
    }
}
