//! Points of interest: the tourism data model, and readers for what operators' endpoints serve:
//! GeoJSON (RFC 7946), OGC API – Features `/items` pages, and schema.org JSON-LD. Pure logic:
//! fetching lives in the web room, placement on screen in `overlay`.
//!
//! Each reader validates per feature: a bad feature is skipped with a reason, good ones are kept.

pub mod geo;

use serde_json::{Map, Value};

pub use geo::{Datum, GeoReference};

/// OpenStreetMap-style categories tourists look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Attraction,
    Viewpoint,
    Museum,
    Gallery,
    Artwork,
    Information,
    Toilets,
    TicketOffice,
    Entrance,
    Parking,
    Food,
    Other,
}

impl Category {
    pub const ALL: [Category; 12] = [
        Category::Attraction,
        Category::Viewpoint,
        Category::Museum,
        Category::Gallery,
        Category::Artwork,
        Category::Information,
        Category::Toilets,
        Category::TicketOffice,
        Category::Entrance,
        Category::Parking,
        Category::Food,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Attraction => "attraction",
            Category::Viewpoint => "viewpoint",
            Category::Museum => "museum",
            Category::Gallery => "gallery",
            Category::Artwork => "artwork",
            Category::Information => "information",
            Category::Toilets => "toilets",
            Category::TicketOffice => "ticket_office",
            Category::Entrance => "entrance",
            Category::Parking => "parking",
            Category::Food => "food",
            Category::Other => "other",
        }
    }

    /// Reads a plain value (`museum`) or OSM tags (`tourism=museum; historic=building`); the
    /// first tag that names a known category wins.
    pub fn parse(s: &str) -> Category {
        for part in s.split([';', ',']) {
            let part = part.trim().to_ascii_lowercase();
            let value = part.split_once('=').map_or(part.as_str(), |(_, v)| v).trim();
            let c = match value {
                "attraction" | "theme_park" | "zoo" | "aquarium" | "park" | "touristattraction" => Category::Attraction,
                "viewpoint" => Category::Viewpoint,
                "museum" => Category::Museum,
                "gallery" => Category::Gallery,
                "artwork" => Category::Artwork,
                "information" | "visitor_centre" => Category::Information,
                "toilets" | "toilet" => Category::Toilets,
                "ticket_office" | "ticket" | "tickets" | "ticket office" => Category::TicketOffice,
                "entrance" | "gate" | "city_gate" => Category::Entrance,
                "parking" | "car_park" => Category::Parking,
                "food" | "restaurant" | "cafe" | "fast_food" | "food_court" => Category::Food,
                _ => continue,
            };
            return c;
        }
        Category::Other
    }
}

/// Where a POI is: scene coordinates, or WGS84 placed through the scene's geo-reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Position {
    Scene([f32; 3]),
    Geo { lon: f64, lat: f64, height: f64 },
}

/// Text in several languages, keyed by BCP 47 primary tag (`zh`, `en`, …), in key order.
/// A sorted Vec, not a BTreeMap: a POI has a few languages, and BTreeMap<String, String> was
/// 12.7 KB of the wasm module. Serialized as a map (a JS object), as the BTreeMap was.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Localized(Vec<(String, String)>);

impl Localized {
    /// The text for `lang` (e.g. `zh-CN` → `zh`), else English, else Chinese, else any.
    pub fn get(&self, lang: &str) -> Option<&str> {
        let primary = lang.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        [primary.as_str(), "en", "zh", ""]
            .iter()
            .find_map(|k| self.text(k))
            .or_else(|| self.0.first().map(|(_, t)| t.as_str()))
    }

    /// The text under exactly `key`.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.find(key).ok().map(|i| self.0[i].1.as_str())
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// Sets the text under `key`, replacing what was there.
    pub fn insert(&mut self, key: String, text: String) {
        match self.find(&key) {
            Ok(i) => self.0[i].1 = text,
            Err(i) => self.0.insert(i, (key, text)),
        }
    }

    /// Sets the text under `key` unless it has one.
    fn insert_new(&mut self, key: String, text: String) {
        if let Err(i) = self.find(&key) {
            self.0.insert(i, (key, text));
        }
    }

    fn remove(&mut self, key: &str) -> Option<String> {
        self.find(key).ok().map(|i| self.0.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl serde::Serialize for Localized {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, t)| (k, t)))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Poi {
    pub id: String,
    pub name: Localized,
    pub category: Category,
    pub description: Localized,
    /// Only http(s) URLs are kept.
    pub image: Option<String>,
    pub opening_hours: Option<String>,
    pub ticket_url: Option<String>,
    pub audio_url: Option<String>,
    /// Higher shows first when labels compete for space.
    pub priority: i32,
    pub position: Position,
}

/// What one response held: the POIs, the reasons features were skipped, and the next page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoiPage {
    pub pois: Vec<Poi>,
    pub skipped: Vec<String>,
    /// OGC API – Features `rel="next"` link, if any.
    pub next: Option<String>,
    pub number_matched: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PoiError {
    #[error("POI data is not JSON: {0}")]
    Json(String),
    #[error("POI data is not GeoJSON, an OGC API – Features response or schema.org JSON-LD")]
    UnknownFormat,
    #[error("{0}; POIs are not drawn rather than drawn in the wrong places")]
    Crs(String),
}

/// Options a page or attribute gives for reading a source.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Datum of longitude/latitude when the source does not declare one.
    pub datum: Datum,
}

pub fn parse(bytes: &[u8], opts: ReadOptions) -> Result<PoiPage, PoiError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| PoiError::Json(e.to_string()))?;
    from_value(&v, opts)
}

/// Reads an already parsed document (e.g. an array handed over from JS).
pub fn from_value(v: &Value, opts: ReadOptions) -> Result<PoiPage, PoiError> {
    match v {
        Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("FeatureCollection") => feature_collection(o, opts),
        Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("Feature") => {
            let datum = declared_datum(o, opts)?;
            let mut page = PoiPage::default();
            push(&mut page, feature(o, datum, 0));
            Ok(page)
        }
        Value::Object(o) if o.contains_key("@graph") => json_ld(o.get("@graph").and_then(Value::as_array).map_or(&[][..], Vec::as_slice), opts),
        Value::Object(o) if o.contains_key("@type") || o.contains_key("@context") => json_ld(std::slice::from_ref(v), opts),
        Value::Array(items) => {
            // An array of plain POI objects (from JS) or of JSON-LD objects.
            if items.iter().any(|i| i.get("@type").is_some()) {
                json_ld(items, opts)
            } else {
                let mut page = PoiPage::default();
                for (i, item) in items.iter().enumerate() {
                    push(&mut page, item.as_object().ok_or_else(|| format!("item {i} is not an object")).and_then(|o| plain(o, opts.datum, i)));
                }
                Ok(page)
            }
        }
        _ => Err(PoiError::UnknownFormat),
    }
}

fn push(page: &mut PoiPage, r: Result<Poi, String>) {
    match r {
        Ok(p) => page.pois.push(p),
        Err(e) => page.skipped.push(e),
    }
}

/// The datum a collection declares: legacy GeoJSON `crs`, our `coordinateSystem` member, or the
/// `crs` parameter of an OGC API response's self link. A projected CRS is an error.
fn declared_datum(o: &Map<String, Value>, opts: ReadOptions) -> Result<Datum, PoiError> {
    let named = o
        .get("crs")
        .and_then(|c| c.as_str().map(str::to_owned).or_else(|| c.pointer("/properties/name").and_then(Value::as_str).map(str::to_owned)))
        .or_else(|| o.get("coordinateSystem").and_then(Value::as_str).map(str::to_owned))
        .or_else(|| {
            let links = o.get("links")?.as_array()?;
            let self_link = links.iter().find(|l| l.get("rel").and_then(Value::as_str) == Some("self"))?;
            let href = self_link.get("href")?.as_str()?;
            let query = href.split_once('?')?.1;
            let crs = query.split('&').find_map(|kv| kv.strip_prefix("crs="))?;
            Some(percent_encoding::percent_decode_str(crs).decode_utf8_lossy().into_owned())
        });
    match named {
        Some(n) => Datum::parse(&n).map_err(PoiError::Crs),
        None => Ok(opts.datum),
    }
}

fn feature_collection(o: &Map<String, Value>, opts: ReadOptions) -> Result<PoiPage, PoiError> {
    let datum = declared_datum(o, opts)?;
    let mut page = PoiPage {
        next: o.get("links").and_then(Value::as_array).and_then(|links| {
            links
                .iter()
                .find(|l| l.get("rel").and_then(Value::as_str) == Some("next"))
                .and_then(|l| l.get("href")?.as_str())
                .map(str::to_owned)
        }),
        number_matched: o.get("numberMatched").and_then(Value::as_u64),
        ..Default::default()
    };
    let features = o.get("features").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let mut projected = 0;
    for (i, f) in features.iter().enumerate() {
        let r = f.as_object().ok_or_else(|| format!("feature {i} is not an object")).and_then(|f| feature(f, datum, i));
        if r.as_ref().is_err_and(|e| e.contains("not longitude/latitude")) {
            projected += 1;
        }
        push(&mut page, r);
    }
    // Every feature outside longitude/latitude ranges: the whole response is in a projected CRS.
    if projected > 0 && projected == features.len() {
        return Err(PoiError::Crs(format!("all {projected} features have coordinates outside longitude/latitude ranges (a projected CRS such as EPSG:25832?)")));
    }
    Ok(page)
}

pub(crate) fn string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Only absolute http(s) URLs are followed; anything else (javascript:, data:) is dropped.
pub fn safe_url(v: Option<&Value>) -> Option<String> {
    let s = string(v)?;
    let lower = s.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(s)
}

/// Reads `name`, `name:zh`, `name_en`, `{ "zh": …, "en": … }`, or JSON-LD's language-tagged
/// values (`[{ "@language": "zh", "@value": … }, …]`) into localized text.
pub(crate) fn localized(p: &Map<String, Value>, key: &str) -> Localized {
    let mut out = Localized::default();
    let tagged = |v: &Value| Some((v.get("@language")?.as_str()?.to_ascii_lowercase(), string(v.get("@value"))?));
    match p.get(key) {
        Some(v @ Value::Object(m)) if m.contains_key("@value") => {
            match tagged(v) {
                Some((lang, t)) => out.insert(lang, t),
                None => {
                    if let Some(t) = string(m.get("@value")) {
                        out.insert(String::new(), t);
                    }
                }
            }
        }
        Some(Value::Array(a)) => {
            for v in a {
                if let Some((lang, t)) = tagged(v) {
                    out.insert(lang, t);
                } else if let Some(t) = string(Some(v)).or_else(|| string(v.get("@value"))) {
                    out.insert_new(String::new(), t);
                }
            }
        }
        Some(Value::Object(m)) => {
            for (lang, text) in m {
                if let Some(t) = string(Some(text)) {
                    out.insert(lang.to_ascii_lowercase(), t);
                }
            }
        }
        other => {
            if let Some(t) = string(other) {
                out.insert(String::new(), t);
            }
        }
    }
    for (k, v) in p {
        let lang = k.strip_prefix(key).and_then(|rest| rest.strip_prefix(':').or_else(|| rest.strip_prefix('_')));
        if let (Some(lang), Some(t)) = (lang, string(Some(v))) {
            if !lang.is_empty() && lang.len() <= 8 {
                out.insert(lang.to_ascii_lowercase(), t);
            }
        }
    }
    // A bare `name` counts as the default; keep it only when no language says otherwise.
    if out.len() > 1 {
        if let Some(bare) = out.remove("") {
            out.insert_new("und".into(), bare);
        }
    }
    out
}

fn lon_lat(c: &[Value], datum: Datum) -> Result<(f64, f64, f64), String> {
    let n = |i: usize| c.get(i).and_then(Value::as_f64);
    let (Some(lon), Some(lat)) = (n(0), n(1)) else { return Err("coordinates are not numbers".into()) };
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!("coordinates ({lon}, {lat}) are not longitude/latitude"));
    }
    let (lon, lat) = datum.to_wgs84(lon, lat);
    Ok((lon, lat, n(2).unwrap_or(0.0)))
}

/// A point for any geometry: the point itself, else the centre of the geometry's extent.
fn anchor(g: &Map<String, Value>, datum: Datum) -> Result<Position, String> {
    fn collect<'a>(v: &'a Value, out: &mut Vec<&'a [Value]>) {
        if let Some(a) = v.as_array() {
            if a.first().is_some_and(Value::is_number) {
                out.push(a);
            } else {
                a.iter().for_each(|x| collect(x, out));
            }
        }
    }
    let mut points = Vec::new();
    match g.get("type").and_then(Value::as_str) {
        Some("GeometryCollection") => g.get("geometries").into_iter().flat_map(|x| x.as_array()).flatten().filter_map(|x| x.get("coordinates")).for_each(|c| collect(c, &mut points)),
        _ => collect(g.get("coordinates").unwrap_or(&Value::Null), &mut points),
    }
    if points.is_empty() {
        return Err("geometry has no coordinates".into());
    }
    let pts: Vec<(f64, f64, f64)> = points.iter().map(|c| lon_lat(c, datum)).collect::<Result<_, _>>()?;
    let (min_lon, max_lon) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (min_lat, max_lat) = pts.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let height = pts.iter().map(|p| p.2).fold(f64::MIN, f64::max);
    Ok(Position::Geo { lon: (min_lon + max_lon) / 2.0, lat: (min_lat + max_lat) / 2.0, height })
}

fn scene_position(v: Option<&Value>) -> Option<[f32; 3]> {
    let a = v?.as_array()?;
    let n = |i: usize| a.get(i).and_then(Value::as_f64).filter(|x| x.is_finite()).map(|x| x as f32);
    Some([n(0)?, n(1)?, n(2)?]).filter(|_| a.len() == 3)
}

/// The fields common to GeoJSON properties and plain objects.
fn fill(p: &Map<String, Value>, id: String, position: Position) -> Result<Poi, String> {
    let name = localized(p, "name");
    if name.is_empty() {
        return Err(format!("{id}: no name"));
    }
    let category = ["category", "tourism", "amenity", "kind", "type"].iter().find_map(|k| string(p.get(*k))).map_or(Category::Other, |c| Category::parse(&c));
    Ok(Poi {
        id,
        name,
        category,
        description: localized(p, "description"),
        image: safe_url(p.get("image")),
        opening_hours: string(p.get("opening_hours")).or_else(|| string(p.get("openingHours"))),
        ticket_url: safe_url(p.get("ticket_url")).or_else(|| safe_url(p.get("booking"))).or_else(|| safe_url(p.get("ticketUrl"))),
        audio_url: safe_url(p.get("audio")).or_else(|| safe_url(p.get("audio_url"))).or_else(|| safe_url(p.get("audioUrl"))),
        priority: p.get("priority").and_then(Value::as_i64).map_or(0, |x| x.clamp(-1000, 1000) as i32),
        position,
    })
}

fn feature(f: &Map<String, Value>, datum: Datum, index: usize) -> Result<Poi, String> {
    let empty = Map::new();
    let props = f.get("properties").and_then(Value::as_object).unwrap_or(&empty);
    let id = string(f.get("id")).or_else(|| string(props.get("id"))).unwrap_or_else(|| format!("feature {index}"));
    let feature_datum = match string(props.get("coordinateSystem")) {
        Some(n) => Datum::parse(&n).map_err(|e| format!("{id}: {e}"))?,
        None => datum,
    };
    let position = match (f.get("geometry").and_then(Value::as_object), scene_position(props.get("position"))) {
        (_, Some(p)) => Position::Scene(p),
        (Some(g), None) => anchor(g, feature_datum).map_err(|e| format!("{id}: {e}"))?,
        (None, None) => return Err(format!("{id}: no geometry and no scene position")),
    };
    fill(props, id, position)
}

/// A plain object, as a page builds in JS: `{ id, name, category, position | lon/lat, … }`.
fn plain(o: &Map<String, Value>, datum: Datum, index: usize) -> Result<Poi, String> {
    let id = string(o.get("id")).unwrap_or_else(|| format!("item {index}"));
    let position = if let Some(p) = scene_position(o.get("position")) {
        Position::Scene(p)
    } else {
        let lon = o.get("lon").or_else(|| o.get("longitude")).cloned().unwrap_or(Value::Null);
        let lat = o.get("lat").or_else(|| o.get("latitude")).cloned().unwrap_or(Value::Null);
        let h = o.get("height").cloned().unwrap_or(Value::from(0.0));
        let (lon, lat, height) = lon_lat(&[lon, lat, h], datum).map_err(|e| format!("{id}: {e}"))?;
        Position::Geo { lon, lat, height }
    };
    fill(o, id, position)
}

const JSON_LD_TYPES: [&str; 6] = ["TouristAttraction", "TouristDestination", "LandmarksOrHistoricalBuildings", "Museum", "Park", "AmusementPark"];

fn json_ld(items: &[Value], opts: ReadOptions) -> Result<PoiPage, PoiError> {
    let mut page = PoiPage::default();
    let mut stack: Vec<&Value> = items.iter().rev().collect();
    let mut index = 0;
    while let Some(item) = stack.pop() {
        let o = match item {
            Value::Object(o) => o,
            Value::Array(a) => {
                stack.extend(a.iter().rev());
                continue;
            }
            _ => continue,
        };
        // Attractions nest anywhere: a TouristDestination's `includesAttraction`, a TouristTrip's
        // itinerary lists. Walk every nested value.
        stack.extend(o.iter().filter(|(k, _)| k.as_str() != "geo").map(|(_, v)| v).rev());
        let types: Vec<&str> = match o.get("@type") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !types.iter().any(|t| JSON_LD_TYPES.contains(t)) {
            continue;
        }
        index += 1;
        push(&mut page, json_ld_item(o, &types, opts.datum, index - 1));
    }
    Ok(page)
}

fn json_ld_item(o: &Map<String, Value>, types: &[&str], datum: Datum, index: usize) -> Result<Poi, String> {
    let id = string(o.get("@id")).or_else(|| string(o.get("url"))).unwrap_or_else(|| format!("item {index}"));
    let label = string(o.get("name")).unwrap_or_else(|| id.clone());
    let geo = o.get("geo").ok_or_else(|| format!("{label}: no geo coordinates"))?;
    let num = |k: &str| geo.get(k).and_then(crate::number::from_value);
    let (Some(lat), Some(lon)) = (num("latitude"), num("longitude")) else { return Err(format!("{label}: geo has no latitude/longitude")) };
    let (lon, lat, height) = lon_lat(&[Value::from(lon), Value::from(lat), Value::from(num("elevation").unwrap_or(0.0))], datum).map_err(|e| format!("{label}: {e}"))?;
    let mut poi = fill(o, id, Position::Geo { lon, lat, height })?;
    if types.contains(&"Museum") {
        poi.category = Category::Museum;
    } else if poi.category == Category::Other {
        poi.category = Category::Attraction;
    }
    // schema.org `image` may be an ImageObject; `openingHours` a list.
    if poi.image.is_none() {
        poi.image = safe_url(o.get("image").and_then(|i| i.get("url").or_else(|| i.get(0))));
    }
    if let Some(Value::Array(h)) = o.get("openingHours") {
        poi.opening_hours = Some(h.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; ")).filter(|s| !s.is_empty());
    }
    Ok(poi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> ReadOptions {
        ReadOptions::default()
    }

    #[test]
    fn localized_text_is_kept_by_language_and_serialized_as_an_object() {
        let json = serde_json::json!({ "name": { "zh": "天一阁", "EN": "Tianyi Pavilion" }, "name:ja": "天一閣", "name_en": "Tianyi Library" });
        let name = localized(json.as_object().unwrap(), "name");
        // One text per language: name_en replaced EN's, keys lower-cased and in order.
        assert_eq!(name.len(), 3);
        assert_eq!(serde_json::to_value(&name).unwrap(), serde_json::json!({ "en": "Tianyi Library", "ja": "天一閣", "zh": "天一阁" }));
        assert_eq!((name.get("zh-CN"), name.get("fr"), name.get("ja_JP")), (Some("天一阁"), Some("Tianyi Library"), Some("天一閣")));
        // A bare name beside tagged ones becomes "und"; the first tagged one still comes first for an unknown language.
        let json = serde_json::json!({ "name": "Tianyige", "name:ko": "천일각" });
        let name = localized(json.as_object().unwrap(), "name");
        assert_eq!(serde_json::to_value(&name).unwrap(), serde_json::json!({ "ko": "천일각", "und": "Tianyige" }));
        assert_eq!(name.get("fr"), Some("천일각"));
    }

    #[test]
    fn categories_from_plain_values_and_osm_tags() {
        assert_eq!(Category::parse("tourism=museum; historic=building"), Category::Museum);
        assert_eq!(Category::parse("historic=city_gate; tourism=attraction"), Category::Entrance);
        assert_eq!(Category::parse("amenity=toilets"), Category::Toilets);
        assert_eq!(Category::parse("ticket_office"), Category::TicketOffice);
        assert_eq!(Category::parse("restaurant"), Category::Food);
        assert_eq!(Category::parse("bench"), Category::Other);
    }

    #[test]
    fn names_per_language_with_fallback() {
        let v: Value = serde_json::json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [121.5, 29.8]},
            "properties": {"name:zh": "天一阁", "name:en": "Tianyi Pavilion"}});
        let p = &from_value(&v, opts()).unwrap().pois[0];
        assert_eq!(p.name.get("zh-CN"), Some("天一阁"));
        assert_eq!(p.name.get("en-GB"), Some("Tianyi Pavilion"));
        assert_eq!(p.name.get("fr"), Some("Tianyi Pavilion"));
    }

    #[test]
    fn bad_features_are_skipped_with_reasons_and_links_are_sanitised() {
        let v: Value = serde_json::json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [121.5, 29.8]},
             "properties": {"name": "<img src=x onerror=alert(1)>", "image": "javascript:alert(1)", "ticket_url": "https://t.example/buy"}},
            {"type": "Feature", "geometry": null, "properties": {"name": "nowhere"}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": ["a", 2]}, "properties": {"name": "x"}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {}},
            "junk"
        ]});
        let page = from_value(&v, opts()).unwrap();
        assert_eq!(page.pois.len(), 1);
        assert_eq!(page.skipped.len(), 4, "{:?}", page.skipped);
        let p = &page.pois[0];
        // Text is kept verbatim (the overlay shows it as text); unsafe links are dropped.
        assert_eq!(p.name.get("en"), Some("<img src=x onerror=alert(1)>"));
        assert_eq!(p.image, None);
        assert_eq!(p.ticket_url.as_deref(), Some("https://t.example/buy"));
    }

    #[test]
    fn declared_gcj02_is_converted_to_wgs84() {
        let v: Value = serde_json::json!({"type": "FeatureCollection", "coordinateSystem": "GCJ-02", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [121.531541859215, 31.17530398364597]}, "properties": {"name": "x"}}]});
        let p = &from_value(&v, opts()).unwrap().pois[0];
        let Position::Geo { lon, lat, .. } = p.position else { panic!() };
        assert!((lon - 121.5272106).abs() < 1e-7 && (lat - 31.1774276).abs() < 1e-7);
    }

    #[test]
    fn scene_positions_from_js_objects() {
        let v: Value = serde_json::json!([{"id": "p1", "name": {"zh": "塔", "en": "Pagoda"}, "category": "viewpoint", "position": [1, 2, 3]},
                                          {"id": "p2", "name": "Gate", "lon": 121.5, "lat": 29.8}, {"id": "p3", "name": "bad"}]);
        let page = from_value(&v, opts()).unwrap();
        assert_eq!(page.pois.len(), 2);
        assert_eq!(page.pois[0].position, Position::Scene([1.0, 2.0, 3.0]));
        assert_eq!(page.pois[0].category, Category::Viewpoint);
        assert_eq!(page.skipped.len(), 1);
    }
}
