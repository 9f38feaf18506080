//! The POI side of the Viewer handle: reading POI data, anchoring it in the scene, and laying
//! out labels each frame for the element's DOM overlay.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{State, Viewer, to_js, view_of};
use crate::geometry::bvh::Occluders;
use crate::overlay::{self, Label};
use crate::poi::{self, Datum, GeoReference, Poi, Position, ReadOptions};

/// A POI as the element shows it (text is shown as text, links are already http(s) only).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PoiView {
    id: String,
    name: poi::Localized,
    category: &'static str,
    description: poi::Localized,
    image: Option<String>,
    opening_hours: Option<String>,
    ticket_url: Option<String>,
    audio_url: Option<String>,
    priority: i32,
}

/// What one page read: how many POIs it held (they wait in wasm for `setPois`), why features
/// were skipped, and the next page.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PageView {
    count: usize,
    skipped: Vec<String>,
    next: Option<String>,
    number_matched: Option<u64>,
}

/// The POIs shown, in layout order, and why others could not be placed.
#[derive(Serialize)]
struct Shown {
    pois: Vec<PoiView>,
    problems: Vec<String>,
}

/// POIs in place: data for display plus each one's anchor in scene coordinates.
#[derive(Default)]
pub(super) struct Placed {
    pub pois: Vec<Poi>,
    pub anchors: Vec<glam::Vec3>,
    pub sizes: Vec<(f32, f32)>,
    /// What is drawn, for line of sight (`super::sight`): built lazily, dropped when the scene
    /// or the tiles drawn change.
    pub occluders: Option<Occluders>,
    /// The model's part of it, kept while the model is.
    pub model_sight: Option<Occluders>,
    /// The POIs' own extent (radius, metres) when there is no model to size the view by.
    pub extent: Option<f32>,
}

impl Placed {
    /// The box around the anchors (the view of POIs shown without a model).
    pub fn bounds(&self) -> crate::geometry::Aabb {
        crate::geometry::Aabb::from_points(self.anchors.iter().map(|a| a.as_ref()))
    }
}

fn view(p: &Poi) -> PoiView {
    PoiView {
        id: p.id.clone(),
        name: p.name.clone(),
        category: p.category.as_str(),
        description: p.description.clone(),
        image: p.image.clone(),
        opening_hours: p.opening_hours.clone(),
        ticket_url: p.ticket_url.clone(),
        audio_url: p.audio_url.clone(),
        priority: p.priority,
    }
}

fn datum(name: Option<String>) -> Result<Datum, JsValue> {
    name.filter(|n| !n.is_empty()).map_or(Ok(Datum::Wgs84), |n| Datum::parse(&n).map_err(to_js))
}

/// A feed's reader (GeoJSON, OGC API pages, JSON-LD, datums): in the lite bundles a wasm part of
/// its own, fetched with the first feed, so that a page without POIs never downloads it.
#[cfg_attr(feature = "split", wasm_split_helpers::wasm_split(poi, fallible, preload(preload_reader)))]
fn read_page(bytes: Vec<u8>, value: Option<serde_json::Value>, opts: ReadOptions) -> Result<poi::PoiPage, ReadFailed> {
    match value {
        Some(v) => poi::from_value(&v, opts),
        None => poi::parse(&bytes, opts),
    }
    .map_err(|e| ReadFailed(e.to_string()))
}

/// Why a feed was not read: its reader's module could not be fetched, or the feed is bad.
struct ReadFailed(String);

#[cfg(feature = "split")]
impl From<wasm_split_helpers::SplitLoaderError> for ReadFailed {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        ReadFailed("the POI reader could not be downloaded".into())
    }
}

/// POIs read and not yet shown. `discardPois` starts a new generation: a read still waiting for
/// the reader's part when the page moved on (a new feed) adds nothing.
#[derive(Default)]
pub struct Staged {
    pois: Vec<Poi>,
    generation: u32,
}

/// The most POIs one viewer shows (a scenic area has hundreds; each is a label in the page).
pub const MAX_POIS: usize = 5000;

#[wasm_bindgen]
impl Viewer {
    /// Reads one response body (GeoJSON, an OGC API – Features page, schema.org JSON-LD) or,
    /// when `bytes` is empty, `value` (an array built in JS). Returns `{count, skipped, next,
    /// numberMatched}`; the POIs stay here, and nothing is shown until `setPois`.
    #[wasm_bindgen(js_name = readPois)]
    pub fn read_pois(&self, bytes: Vec<u8>, value: JsValue, datum_name: Option<String>) -> js_sys::Promise {
        let staged = self.staged.clone();
        let generation = staged.borrow().generation;
        let read = datum(datum_name).and_then(|datum| {
            let value = if bytes.is_empty() {
                let v: serde_json::Value = serde_wasm_bindgen::from_value(value).map_err(|e| to_js(format!("POI data: {e}")))?;
                Some(v)
            } else {
                None
            };
            Ok((value, ReadOptions { datum }))
        });
        wasm_bindgen_futures::future_to_promise(async move {
            let (value, opts) = read?;
            let page = read_page(bytes, value, opts);
            #[cfg(feature = "split")]
            let page = page.await;
            let mut page = page.map_err(|e| to_js(e.0))?;
            let mut staged = staged.borrow_mut();
            if staged.generation != generation {
                page = poi::PoiPage::default();
            }
            let room = MAX_POIS.saturating_sub(staged.pois.len());
            if page.pois.len() > room {
                // A feed of a million features would be a million labels: the first ones are shown,
                // the rest said, and no further pages are fetched.
                page.skipped.push(format!("{} more POIs than the {MAX_POIS} shown are left out", page.pois.len() - room));
                page.pois.truncate(room);
                page.next = None;
            }
            let out = PageView {
                count: page.pois.len(),
                skipped: page.skipped,
                next: page.next,
                number_matched: page.number_matched,
            };
            staged.pois.extend(page.pois);
            // Plain objects, not ES Maps, so the page reads `name.zh`.
            out.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(to_js)
        })
    }

    /// Starts fetching the POI reader where it is a part of its own (the lite bundles), so that it
    /// arrives while the feed does rather than after it (a round trip less before the labels).
    /// A failed fetch is left to `readPois`, which tries again and says so.
    #[wasm_bindgen(js_name = prefetchPoiReader)]
    pub fn prefetch_poi_reader(&self) {
        #[cfg(feature = "split")]
        wasm_bindgen_futures::spawn_local(async {
            let _ = preload_reader().await;
        });
    }

    /// Forgets POIs read but not yet shown (a load that was cancelled between pages).
    #[wasm_bindgen(js_name = discardPois)]
    pub fn discard_pois(&self) {
        let mut staged = self.staged.borrow_mut();
        staged.pois.clear();
        staged.generation = staged.generation.wrapping_add(1);
    }

    /// Shows the POIs read since the last call (replacing those shown). Returns `{pois,
    /// problems}`: the POIs shown as the page displays them, in the order `layout` reports them
    /// (each POI crosses to JS once, here), and the reasons for any that cannot be placed (e.g.
    /// longitude/latitude without a geo-reference).
    #[wasm_bindgen(js_name = setPois)]
    pub fn set_pois(&self) -> Result<JsValue, JsValue> {
        let pois = std::mem::take(&mut self.staged.borrow_mut().pois);
        let mut s = self.state.borrow_mut();
        let alone = s.model.is_none();
        // POIs alone (no model: a town's spots, or AR): placed around their own centre.
        let geo = s.geo().or_else(|| if alone { centre(&pois) } else { None });
        let mut placed = Placed { occluders: s.pois.occluders.take(), model_sight: s.pois.model_sight.take(), ..Default::default() };
        let mut problems = Vec::new();
        for p in pois {
            let anchor = match (p.position, geo) {
                (Position::Scene(a), _) => glam::Vec3::from_array(a),
                (Position::Geo { lon, lat, height }, Some(g)) => glam::Vec3::from_array(g.to_scene(lon, lat, height)),
                (Position::Geo { .. }, None) => {
                    problems.push(format!("{}: has longitude/latitude but the scene has no geo-reference", p.id));
                    continue;
                }
            };
            placed.anchors.push(anchor);
            placed.sizes.push((120.0, 28.0));
            placed.pois.push(p);
        }
        if alone && !placed.anchors.is_empty() {
            let bounds = placed.bounds();
            placed.extent = Some(bounds.radius().max(10.0));
            let spec = s.camera_spec;
            s.camera.frame_with(bounds, &spec);
        }
        let shown = Shown { pois: placed.pois.iter().map(view).collect(), problems };
        s.pois = placed;
        s.ar.forget_targets();
        s.dirty = true;
        // Plain objects, not ES Maps, so the page reads `name.zh`.
        shown.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(to_js)
    }

    /// Places the scene on the earth (overrides the model's own `extras.geoReference`).
    #[wasm_bindgen(js_name = setGeoReference)]
    pub fn set_geo_reference(&self, lon: f64, lat: f64, height: f64, heading: f64) -> Result<(), JsValue> {
        if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) || !height.is_finite() || !heading.is_finite() {
            return Err(js_sys::TypeError::new("geo-reference needs longitude -180..180, latitude -90..90 and finite height and heading").into());
        }
        let mut s = self.state.borrow_mut();
        // Where the scene is comes from the page; how big its unit is stays the model's.
        let metres_per_unit = s.model.as_ref().and_then(|m| m.scene.geo_reference).map_or(1.0, |g| g.metres_per_unit);
        s.geo_override = Some(GeoReference { metres_per_unit, ..GeoReference::new(lon, lat, height, heading) });
        super::tiles::reframe(&mut s);
        Ok(())
    }

    /// Label sizes in CSS pixels, `[w0, h0, w1, h1, …]`, measured once by the element.
    #[wasm_bindgen(js_name = setLabelSizes)]
    pub fn set_label_sizes(&self, sizes: &[f32]) {
        let mut s = self.state.borrow_mut();
        for (slot, wh) in s.pois.sizes.iter_mut().zip(sizes.chunks_exact(2)) {
            *slot = (wh[0].max(1.0), wh[1].max(1.0));
        }
    }

    /// Lays out every label for the current camera: `[x, y, scale, opacity, state, count]` per
    /// POI (CSS pixels; state 0 visible, 1 off screen, 2 occluded, 3 clustered).
    pub fn layout(&self, css_width: f32, css_height: f32) -> Vec<f32> {
        layout(&mut self.state.borrow_mut(), css_width, css_height)
    }

    /// The scene's extent as `[west, south, east, north]` degrees when it is geo-referenced
    /// (for an OGC API `bbox` query), else nothing.
    #[wasm_bindgen(js_name = sceneBbox)]
    pub fn scene_bbox(&self) -> Option<Vec<f64>> {
        let s = self.state.borrow();
        let geo = s.geo()?;
        let b = s.model.as_ref().map(|m| m.bounds).or_else(|| super::tiles::bounds(&s))?;
        if b.is_empty() {
            return None;
        }
        let corners = [[b.min.x, 0.0, b.min.z], [b.max.x, 0.0, b.min.z], [b.min.x, 0.0, b.max.z], [b.max.x, 0.0, b.max.z]].map(|c| geo.to_geo(c));
        let (w, e) = corners.iter().fold((f64::MAX, f64::MIN), |(a, z), c| (a.min(c.0), z.max(c.0)));
        let (so, n) = corners.iter().fold((f64::MAX, f64::MIN), |(a, z), c| (a.min(c.1), z.max(c.1)));
        Some(vec![w, so, e, n])
    }

    /// Eases the camera to frame POI `id`.
    #[wasm_bindgen(js_name = flyTo)]
    pub fn fly_to(&self, id: &str) -> Result<(), JsValue> {
        let mut s = self.state.borrow_mut();
        let i = s.pois.pois.iter().position(|p| p.id == id).ok_or_else(|| to_js(format!("no POI with id {id:?}")))?;
        let target = s.pois.anchors[i];
        let radius = s.model.as_ref().map_or(s.pois.extent.unwrap_or(10.0), |m| m.bounds.radius());
        s.camera.fly_to(target, (radius * 0.35).max(1.0));
        Ok(())
    }
}

/// The mean position of POIs given by longitude/latitude, as a frame to place them in.
fn centre(pois: &[Poi]) -> Option<GeoReference> {
    let geo: Vec<(f64, f64)> = pois.iter().filter_map(|p| if let Position::Geo { lon, lat, .. } = p.position { Some((lon, lat)) } else { None }).collect();
    let n = geo.len() as f64;
    (n > 0.0).then(|| GeoReference::new(geo.iter().map(|g| g.0).sum::<f64>() / n, geo.iter().map(|g| g.1).sum::<f64>() / n, 0.0, 0.0))
}

/// A label's state as the element reads it from a layout array.
pub(super) fn state_code(state: overlay::State) -> f32 {
    match state {
        overlay::State::Visible => 0.0,
        overlay::State::Offscreen => 1.0,
        overlay::State::Occluded => 2.0,
        overlay::State::Clustered => 3.0,
    }
}

fn layout(s: &mut State, w: f32, h: f32) -> Vec<f32> {
    // Labels fade with distance measured against what is shown: the model, else the tiles,
    // else the POIs' own extent.
    let radius = s.model.as_ref().map(|m| m.bounds).or_else(|| super::tiles::bounds(s)).map_or(s.pois.extent.unwrap_or(10.0), |b| b.radius());
    let v = view_of(s);
    layout_for(s, &v, w, h, radius * 1.5)
}

/// The labels seen through `v` (in scene units, as the anchors are), full size within
/// `near_distance` of the eye: `[x, y, scale, opacity, state, count]` per POI.
pub(super) fn layout_for(s: &mut State, v: &crate::render::View, w: f32, h: f32, near_distance: f32) -> Vec<f32> {
    if s.pois.pois.is_empty() {
        return Vec::new();
    }
    super::sight(s);
    let cam = overlay::Camera { view_proj: v.proj * v.view, eye: v.eye, width: w, height: h, near_distance };
    let labels: Vec<Label> = s
        .pois
        .pois
        .iter()
        .zip(&s.pois.anchors)
        .zip(&s.pois.sizes)
        .map(|((p, &anchor), &(width, height))| Label { anchor, priority: p.priority, width, height })
        .collect();
    let placed = overlay::layout(&labels, &cam, s.pois.occluders.as_ref());
    let mut out = Vec::with_capacity(placed.len() * 6);
    for p in placed {
        out.extend([p.x, p.y, p.scale, p.opacity, state_code(p.state), p.count as f32]);
    }
    out
}
