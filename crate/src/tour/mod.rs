//! Guided tours: an itinerary of stops, each a POI of the viewer's (by id) or a place of its own,
//! with narration text, audio and how to look at it. Read from schema.org `TouristTrip` JSON-LD
//! (`itinerary` as an `ItemList`), GeoJSON whose features carry an order property, or a plain
//! object from the page (`{ id, name, stops: [{ poi, text, audio, heading, … }] }`). Pure logic,
//! tested natively; untrusted text stays text (the element shows it with `textContent`).

use serde_json::{Map, Value};

use crate::camera::Orbit;
use crate::poi::{self, Localized, Poi, ReadOptions, localized, safe_url, string};

/// Stops past this many are left out (and said): a tour is a walk, not a feed.
pub const MAX_STOPS: usize = 200;
/// Nested itinerary lists (days, then parts of a day) deeper than this are not followed.
const MAX_DEPTH: usize = 8;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tour {
    pub id: String,
    pub name: Localized,
    pub description: Localized,
    pub stops: Vec<Stop>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stop {
    /// A POI of the viewer's, by id (JSON-LD's `@id` or `identifier`; see [`refers_to`]).
    pub poi: Option<String>,
    /// A place of the stop's own, when it carries coordinates.
    pub place: Option<Poi>,
    pub name: Localized,
    /// What the narrator says (the stop's description).
    pub text: Localized,
    /// Only http(s) URLs are kept.
    pub audio: Option<String>,
    pub view: StopView,
}

/// How the camera looks at a stop; each unset value is chosen by the viewer.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StopView {
    /// Degrees, as `camera-orbit`'s first value (the view turned around the stop).
    pub heading: Option<f32>,
    /// Degrees above the horizon.
    pub pitch: Option<f32>,
    /// Metres from the stop.
    pub distance: Option<f32>,
    /// Seconds the flight there takes.
    pub duration: Option<f32>,
}

/// A tour read, and why stops were left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TourRead {
    pub tour: Tour,
    pub skipped: Vec<String>,
}

impl StopView {
    /// The orbit that looks at a stop at `target` as this view asks, from the camera now (whose
    /// heading and field of view it keeps where the stop gives none); `radius` is the scene's.
    pub fn orbit(&self, target: glam::Vec3, now: Orbit, radius: f32) -> Orbit {
        Orbit {
            target,
            yaw: self.heading.map_or(now.yaw, f32::to_radians),
            pitch: self.pitch.map_or(0.35, f32::to_radians),
            distance: self.distance.unwrap_or((radius * 0.35).max(1.0)),
            fov_y: now.fov_y,
        }
    }
}

pub fn parse(bytes: &[u8], opts: ReadOptions) -> Result<TourRead, String> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("the tour is not JSON: {e}"))?;
    from_value(&v, opts)
}

/// Whether a stop's POI reference names POI `id`: the same string, or an IRI whose fragment or
/// last path segment is it (`https://example.com/spots#pagoda`, `…/spots/pagoda`).
pub fn refers_to(reference: &str, id: &str) -> bool {
    reference == id || reference.rsplit_once('#').is_some_and(|(_, f)| f == id) || reference.trim_end_matches('/').rsplit_once('/').is_some_and(|(_, last)| last == id)
}

pub fn from_value(v: &Value, opts: ReadOptions) -> Result<TourRead, String> {
    let mut read = TourRead::default();
    let o = match v {
        Value::Object(o) => o,
        Value::Array(stops) => {
            plain_stops(stops, opts, &mut read);
            return finish(read);
        }
        _ => return Err("the tour is not an object".into()),
    };
    if let Some(trip) = trip(o) {
        read.tour.id = string(trip.get("@id")).or_else(|| string(trip.get("identifier"))).unwrap_or_else(|| "tour".into());
        read.tour.name = localized(trip, "name");
        read.tour.description = localized(trip, "description");
        let itinerary = trip.get("itinerary").ok_or("the TouristTrip has no itinerary")?;
        let mut n = 0;
        itinerary_items(itinerary, 0, opts, &mut read, &mut n);
    } else if o.get("type").and_then(Value::as_str) == Some("FeatureCollection") {
        read.tour.id = string(o.get("id")).unwrap_or_else(|| "tour".into());
        read.tour.name = localized(o, "name");
        geojson_stops(o, opts, &mut read);
    } else if let Some(Value::Array(stops)) = o.get("stops") {
        read.tour.id = string(o.get("id")).unwrap_or_else(|| "tour".into());
        read.tour.name = localized(o, "name");
        read.tour.description = localized(o, "description");
        plain_stops(stops, opts, &mut read);
    } else {
        return Err("not a tour: expected a schema.org TouristTrip, a GeoJSON FeatureCollection of stops, or { stops: [...] }".into());
    }
    finish(read)
}

fn finish(mut read: TourRead) -> Result<TourRead, String> {
    if read.tour.id.is_empty() {
        read.tour.id = "tour".into();
    }
    if read.tour.stops.len() > MAX_STOPS {
        read.skipped.push(format!("{} stops past the first {MAX_STOPS} are left out", read.tour.stops.len() - MAX_STOPS));
        read.tour.stops.truncate(MAX_STOPS);
    }
    if read.tour.stops.is_empty() {
        let why = read.skipped.first().map_or(String::new(), |s| format!(" ({s})"));
        return Err(format!("the tour has no stops that can be shown{why}"));
    }
    Ok(read)
}

fn types(o: &Map<String, Value>) -> Vec<&str> {
    match o.get("@type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// The TouristTrip (or Trip) itself, or the first in an `@graph`.
fn trip(o: &Map<String, Value>) -> Option<&Map<String, Value>> {
    let is_trip = |o: &Map<String, Value>| types(o).iter().any(|t| *t == "TouristTrip" || *t == "Trip");
    if is_trip(o) {
        return Some(o);
    }
    o.get("@graph")?.as_array()?.iter().filter_map(Value::as_object).find(|o| is_trip(o))
}

fn number(o: &Map<String, Value>, key: &str) -> Option<f32> {
    let x = crate::number::from_value(o.get(key)?)?;
    (x.is_finite()).then_some(x as f32)
}

fn view(o: &Map<String, Value>) -> StopView {
    StopView {
        heading: number(o, "heading"),
        pitch: number(o, "pitch").map(|p| p.clamp(-89.0, 89.0)),
        distance: number(o, "distance").filter(|d| *d > 0.0),
        duration: number(o, "duration").map(|d| d.clamp(0.0, 30.0)),
    }
}

/// schema.org `audio`: a URL or an AudioObject's `contentUrl`; Scenic's `audio_url` also.
fn audio(o: &Map<String, Value>) -> Option<String> {
    safe_url(o.get("audio")).or_else(|| safe_url(o.get("audio").and_then(|a| a.get("contentUrl")))).or_else(|| safe_url(o.get("audio_url"))).or_else(|| safe_url(o.get("audioUrl")))
}

/// The stop's own place when it has coordinates (read as a POI is).
fn place(v: &Value, opts: ReadOptions) -> Option<Poi> {
    poi::from_value(v, opts).ok()?.pois.into_iter().next()
}

fn push(read: &mut TourRead, n: usize, stop: Stop) {
    if stop.poi.is_none() && stop.place.is_none() {
        let name = stop.name.get("en").unwrap_or("");
        read.skipped.push(format!("stop {n} {name:?}: neither coordinates nor the id of a POI"));
    } else {
        read.tour.stops.push(stop);
    }
}

/// An `ItemList`'s elements in `position` order, nested lists (a day's parts) flattened.
fn itinerary_items(v: &Value, depth: usize, opts: ReadOptions, read: &mut TourRead, n: &mut usize) {
    if depth > MAX_DEPTH || read.tour.stops.len() > MAX_STOPS {
        return;
    }
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) if o.contains_key("itemListElement") => match o.get("itemListElement") {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(one) => vec![one],
            None => vec![],
        },
        other => vec![other],
    };
    let mut ordered: Vec<(f64, usize, &Value)> = items.iter().enumerate().map(|(i, it)| (it.get("position").and_then(Value::as_f64).unwrap_or(f64::MAX), i, *it)).collect();
    ordered.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (_, _, item) in ordered {
        let Some(li) = item.as_object() else {
            // A bare reference: "pagoda" or an IRI.
            if let Some(r) = string(Some(item)) {
                *n += 1;
                push(read, *n, Stop { poi: Some(r), ..Default::default() });
            }
            continue;
        };
        if li.contains_key("itemListElement") {
            itinerary_items(item, depth + 1, opts, read, n);
            continue;
        }
        // A ListItem holds its place in `item`; a bare place may stand in the list itself.
        let target = li.get("item").unwrap_or(item);
        let place_obj = target.as_object();
        *n += 1;
        let from = |k: &str| place_obj.map(|p| localized(p, k)).filter(|l| !l.is_empty()).unwrap_or_else(|| localized(li, k));
        let reference = match target {
            Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            Value::Object(p) => string(p.get("@id")).or_else(|| string(p.get("identifier"))),
            _ => None,
        };
        // A stop that only names a POI takes the POI's name when shown (crate/src/web/tour.rs).
        let name = from("name");
        let text = Some(localized(li, "description")).filter(|l| !l.is_empty()).unwrap_or_else(|| place_obj.map(|p| localized(p, "description")).unwrap_or_default());
        let stop = Stop {
            place: place_obj.and_then(|p| p.get("geo").and(place(target, opts))),
            poi: reference,
            name,
            text,
            audio: audio(li).or_else(|| place_obj.and_then(audio)),
            view: view(li),
        };
        push(read, *n, stop);
    }
}

/// GeoJSON: each feature a stop, in the order of its `order` (or `stop`, `sequence`) property.
fn geojson_stops(o: &Map<String, Value>, opts: ReadOptions, read: &mut TourRead) {
    let empty = Map::new();
    let features = o.get("features").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let mut ordered: Vec<(f64, usize, &Value)> = features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let p = f.get("properties").and_then(Value::as_object).unwrap_or(&empty);
            let order = ["order", "stop", "sequence"].iter().find_map(|k| p.get(*k).and_then(Value::as_f64)).unwrap_or(f64::MAX);
            (order, i, f)
        })
        .collect();
    ordered.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (n, (_, _, f)) in ordered.into_iter().enumerate() {
        let p = f.get("properties").and_then(Value::as_object).unwrap_or(&empty);
        let has_geometry = f.get("geometry").is_some_and(Value::is_object) || p.contains_key("position");
        let mut wrapped = f.clone();
        if let Some(coll) = o.get("crs").or_else(|| o.get("coordinateSystem")) {
            // The collection's datum applies to each feature read alone.
            if let Some(props) = wrapped.get_mut("properties").and_then(Value::as_object_mut) {
                props.entry("coordinateSystem").or_insert_with(|| coll.get("properties").and_then(|c| c.get("name")).unwrap_or(coll).clone());
            }
        }
        let stop = Stop {
            poi: string(p.get("poi")),
            place: if has_geometry { place(&wrapped, opts) } else { None },
            name: localized(p, "name"),
            text: Some(localized(p, "narration")).filter(|l| !l.is_empty()).unwrap_or_else(|| localized(p, "description")),
            audio: audio(p),
            view: view(p),
        };
        push(read, n + 1, stop);
    }
}

/// The page's form: `{ poi, name, text, audio, heading, pitch, distance, duration }` or a place
/// given as a POI is (`position` or `lon`/`lat`).
fn plain_stops(stops: &[Value], opts: ReadOptions, read: &mut TourRead) {
    for (i, s) in stops.iter().enumerate() {
        let Some(o) = s.as_object() else {
            read.skipped.push(format!("stop {} is not an object", i + 1));
            continue;
        };
        let has_place = o.contains_key("position") || o.contains_key("lon") || o.contains_key("longitude");
        let stop = Stop {
            poi: string(o.get("poi")),
            place: if has_place { place(&Value::Array(vec![s.clone()]), opts) } else { None },
            name: localized(o, "name"),
            text: Some(localized(o, "text")).filter(|l| !l.is_empty()).unwrap_or_else(|| localized(o, "description")),
            audio: audio(o),
            view: view(o),
        };
        push(read, i + 1, stop);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poi::Position;
    use serde_json::json;

    fn opts() -> ReadOptions {
        ReadOptions::default()
    }

    #[test]
    fn schema_org_trip_in_list_order_with_language_tagged_text() {
        let trip = json!({
            "@context": "https://schema.org", "@type": "TouristTrip", "@id": "lake-walk",
            "name": [{"@language": "zh", "@value": "环湖游"}, {"@language": "en", "@value": "Round the lake"}],
            "itinerary": {"@type": "ItemList", "itemListElement": [
                {"@type": "ListItem", "position": 2, "item": {"@id": "https://example.com/spots#pavilion"},
                 "description": {"@language": "en", "@value": "The pavilion."}, "heading": "30", "audio": {"@type": "AudioObject", "contentUrl": "https://example.com/a.mp3"}},
                {"@type": "ListItem", "position": 1, "item": {"@type": "TouristAttraction", "name": "Pagoda", "geo": {"latitude": 29.87, "longitude": 121.55}, "description": "Five tiers."}},
                {"@type": "ListItem", "position": 3, "item": {"@type": "TouristAttraction", "name": "Nowhere"}, "audio": "javascript:alert(1)"}
            ]}
        });
        let r = from_value(&trip, opts()).unwrap();
        assert_eq!(r.tour.id, "lake-walk");
        assert_eq!(r.tour.name.get("zh"), Some("环湖游"));
        assert_eq!(r.tour.name.get("en-GB"), Some("Round the lake"));
        let s = &r.tour.stops;
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name.get("en"), Some("Pagoda"));
        assert_eq!(s[0].text.get("en"), Some("Five tiers."));
        assert!(matches!(s[0].place.as_ref().unwrap().position, Position::Geo { lat, .. } if (lat - 29.87).abs() < 1e-9));
        assert_eq!(s[1].poi.as_deref(), Some("https://example.com/spots#pavilion"));
        assert!(refers_to(s[1].poi.as_deref().unwrap(), "pavilion") && !refers_to("pavilion-2", "pavilion"));
        assert_eq!(s[1].view.heading, Some(30.0));
        assert_eq!(s[1].audio.as_deref(), Some("https://example.com/a.mp3"));
        assert_eq!(r.skipped.len(), 1, "{:?}", r.skipped);
        assert!(r.skipped[0].contains("stop 3"), "{}", r.skipped[0]);
    }

    #[test]
    fn corpus_trips_read_with_nested_day_lists() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/poi/schema-org");
        let Ok(bytes) = std::fs::read(dir.join("eg-0265.jsonld")) else { return };
        // San Francisco: days, then parts of a day. Only the Golden Gate Bridge has coordinates;
        // the other four stops are said by name.
        let r = parse(&bytes, opts()).unwrap();
        assert_eq!(r.tour.name.get("en"), Some("Weekend in San Francisco"));
        assert_eq!(r.tour.stops.len(), 1);
        assert_eq!(r.tour.stops[0].name.get("en"), Some("Golden Gate Bridge"));
        assert_eq!(r.tour.stops[0].text.get("en"), Some("Pedestrian visit of the Golden Gate Bridge."), "the ListItem's words, not the place's");
        assert_eq!(r.skipped.len(), 4);
        assert!(r.skipped[0].contains("stop 2 \"Chinatown\""), "{:?}", r.skipped);
        // London: two stops without coordinates or ids: nothing to show, and the error says why.
        let bytes = std::fs::read(dir.join("eg-0263.jsonld")).unwrap();
        let e = parse(&bytes, opts()).unwrap_err();
        assert!(e.contains("Shakespeare"), "{e}");
    }

    #[test]
    fn geojson_stops_follow_their_order_property() {
        let fc = json!({"type": "FeatureCollection", "name": {"zh": "古镇", "en": "Old town"}, "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [121.5, 29.8]}, "properties": {"name": "B", "order": 2, "narration": {"en": "Second."}}},
            {"type": "Feature", "geometry": null, "properties": {"name": "A", "order": 1, "poi": "gate", "pitch": 120}},
        ]});
        let r = from_value(&fc, opts()).unwrap();
        let s = &r.tour.stops;
        assert_eq!(s[0].poi.as_deref(), Some("gate"));
        assert_eq!(s[0].view.pitch, Some(89.0));
        assert_eq!(s[1].text.get("en"), Some("Second."));
        assert!(s[1].place.is_some());
    }

    #[test]
    fn the_pages_plain_form_and_bad_input() {
        let t = json!({"id": "t", "stops": [{"poi": "pagoda", "text": {"zh": "塔", "en": "<b>Tower</b>"}, "duration": 99}, {"name": "Dock", "position": [1, 2, 3]}, 5]});
        let r = from_value(&t, opts()).unwrap();
        assert_eq!(r.tour.stops[0].text.get("en"), Some("<b>Tower</b>"), "text is kept as text, for textContent");
        assert_eq!(r.tour.stops[0].view.duration, Some(30.0));
        assert!(matches!(r.tour.stops[1].place.as_ref().unwrap().position, Position::Scene([1.0, 2.0, 3.0])));
        assert_eq!(r.skipped, vec!["stop 3 is not an object".to_string()]);
        assert!(from_value(&json!({"hello": 1}), opts()).unwrap_err().contains("not a tour"));
        assert!(parse(b"{", opts()).is_err());
        assert!(from_value(&json!({"stops": []}), opts()).unwrap_err().contains("no stops"));
        let many: Vec<Value> = (0..500).map(|i| json!({"poi": format!("p{i}")})).collect();
        let r = from_value(&Value::Array(many), opts()).unwrap();
        assert_eq!(r.tour.stops.len(), MAX_STOPS);
        assert!(r.skipped[0].contains("300 stops"));
        // Lists nested past the depth limit end quietly, not in a stack overflow.
        let mut deep = json!({"itemListElement": [{"item": "x"}]});
        for _ in 0..100 {
            deep = json!({"itemListElement": [deep]});
        }
        let trip = json!({"@type": "TouristTrip", "itinerary": deep});
        assert!(from_value(&trip, opts()).is_err());
    }
}
