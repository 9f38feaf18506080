//! The tour side of the Viewer handle: reading an itinerary, and flying the camera to a stop.
//! Sequencing, narration and audio are the element's (www/features/tour.js).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{State, Viewer, to_js};
use crate::poi::{Datum, Localized, Position, ReadOptions};
use crate::tour::{self, Stop, Tour};

#[derive(Serialize)]
struct StopView {
    name: Localized,
    text: Localized,
    audio: Option<String>,
    /// The POI the stop is, when it is one of the viewer's.
    poi: Option<String>,
}

#[derive(Serialize)]
struct TourView {
    id: String,
    name: Localized,
    description: Localized,
    stops: usize,
    skipped: Vec<String>,
}

/// A stop flown to: how long the flight takes, and what to show and play on arrival.
#[derive(Serialize)]
struct Flying {
    duration: f32,
    stop: StopView,
}

fn json<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    // Plain objects, not ES Maps, so the page reads `name.zh`.
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(to_js)
}

/// The viewer's POI a stop refers to, if any.
fn poi_index(s: &State, stop: &Stop) -> Option<usize> {
    let r = stop.poi.as_deref()?;
    s.pois.pois.iter().position(|p| p.id == r).or_else(|| s.pois.pois.iter().position(|p| tour::refers_to(r, &p.id)))
}

/// Where a stop is in the scene: its POI's anchor, else its own place.
fn anchor(s: &State, stop: &Stop) -> Result<glam::Vec3, String> {
    if let Some(i) = poi_index(s, stop) {
        return Ok(s.pois.anchors[i]);
    }
    match (&stop.place, stop.poi.as_deref()) {
        (Some(p), _) => match p.position {
            Position::Scene(a) => Ok(glam::Vec3::from_array(a)),
            Position::Geo { lon, lat, height } => {
                let geo = s.geo().ok_or("it has longitude/latitude but the scene has no geo-reference")?;
                Ok(glam::Vec3::from_array(geo.to_scene(lon, lat, height)))
            }
        },
        (None, Some(r)) => Err(format!("no POI with id {r:?} is shown")),
        (None, None) => Err("it has no place".into()),
    }
}

fn stop_view(s: &State, stop: &Stop) -> StopView {
    let poi = poi_index(s, stop).map(|i| &s.pois.pois[i]);
    let name = if stop.name.is_empty() { poi.map(|p| p.name.clone()).or_else(|| stop.place.as_ref().map(|p| p.name.clone())).unwrap_or_default() } else { stop.name.clone() };
    let text = if stop.text.is_empty() { poi.map(|p| p.description.clone()).unwrap_or_default() } else { stop.text.clone() };
    StopView { name, text, audio: stop.audio.clone().or_else(|| poi.and_then(|p| p.audio_url.clone())), poi: poi.map(|p| p.id.clone()) }
}

/// Builds the line of sight once (the POI layer shares it).
fn occluders(s: &mut State) {
    super::sight(s);
}

#[wasm_bindgen]
impl Viewer {
    /// Reads a tour (schema.org TouristTrip, GeoJSON stops with an order property, or `{ stops }`)
    /// from `bytes`, or from `value` when `bytes` is empty, replacing any tour held. Returns
    /// `{id, name, description, stops, skipped}`.
    #[wasm_bindgen(js_name = setTour)]
    pub fn set_tour(&self, bytes: &[u8], value: JsValue, datum_name: Option<String>) -> Result<JsValue, JsValue> {
        let datum = datum_name.filter(|n| !n.is_empty()).map_or(Ok(Datum::Wgs84), |n| Datum::parse(&n)).map_err(to_js)?;
        let opts = ReadOptions { datum };
        let read = if bytes.is_empty() {
            let v: serde_json::Value = serde_wasm_bindgen::from_value(value).map_err(|e| to_js(format!("tour: {e}")))?;
            tour::from_value(&v, opts)
        } else {
            tour::parse(bytes, opts)
        }
        .map_err(to_js)?;
        let Tour { id, name, description, stops } = &read.tour;
        let out = TourView { id: id.clone(), name: name.clone(), description: description.clone(), stops: stops.len(), skipped: read.skipped };
        self.state.borrow_mut().tour = Some(read.tour);
        json(&out)
    }

    /// Forgets the tour.
    #[wasm_bindgen(js_name = clearTour)]
    pub fn clear_tour(&self) {
        self.state.borrow_mut().tour = None;
    }

    /// Stop `index`'s name, text, audio and POI as they stand now (its POI may have loaded
    /// after the tour).
    #[wasm_bindgen(js_name = tourStop)]
    pub fn tour_stop(&self, index: usize) -> Result<JsValue, JsValue> {
        let s = self.state.borrow();
        let stop = s.tour.as_ref().and_then(|t| t.stops.get(index)).ok_or_else(|| to_js(format!("the tour has no stop {}", index + 1)))?;
        json(&stop_view(&s, stop))
    }

    /// Flies to stop `index` (over the scene, eased; `instant` for reduced motion). Returns
    /// `{duration, stop}`; an error names a stop that cannot be placed.
    #[wasm_bindgen(js_name = flyToStop)]
    pub fn fly_to_stop(&self, index: usize, instant: bool) -> Result<JsValue, JsValue> {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let stop = s.tour.as_ref().and_then(|t| t.stops.get(index)).cloned().ok_or_else(|| to_js(format!("the tour has no stop {}", index + 1)))?;
        let target = anchor(s, &stop).map_err(|e| to_js(format!("stop {}: {e}", index + 1)))?;
        let radius = s.model.as_ref().map_or(s.pois.extent.unwrap_or(10.0), |m| m.bounds.radius());
        let to = stop.view.orbit(target, s.camera.orbit, radius);
        occluders(s);
        let duration = if instant { Some(0.0) } else { stop.view.duration };
        s.camera.fly(to, duration, s.pois.occluders.as_ref());
        s.dirty = true;
        let flight = s.camera.flight_duration();
        json(&Flying { duration: flight, stop: stop_view(s, &stop) })
    }

    /// Whether the camera is flying (to a stop); false once it has landed or input stopped it.
    #[wasm_bindgen(getter)]
    pub fn flying(&self) -> bool {
        self.state.borrow().camera.flying()
    }
}
