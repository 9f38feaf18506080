//! The AR side of the Viewer handle: the element feeds it the browser's position fixes and
//! orientation events, and asks for label placements each frame (crate::ar does the work).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{Viewer, to_js};
use crate::ar::declination::declination;
use crate::ar::orientation::{self, Heading, Reading, Smoothed};
use crate::ar::position::{Fix, Visitor};
use crate::ar::table::{self, SandTable};
use crate::render::View as DrawView;
use crate::ar::{self, Target, View};
use crate::poi::{Datum, Position};

/// Fixes less precise than this are ignored unless the page says otherwise (metres): worse
/// than a city block puts a label on the wrong building.
const DEFAULT_MAX_ACCURACY_M: f64 = 50.0;

#[derive(Default)]
pub(super) struct ArState {
    visitor: Visitor,
    orientation: Smoothed,
    heading: Option<Heading>,
    last_ms: Option<f64>,
    /// Degrees east of true north the compass's north lies here (WMM), once a position is known.
    declination: Option<f64>,
    /// Each POI's east-north-up offset from the visitor, kept until the visitor's frame or the
    /// POIs change (the geodesy is most of a frame's work at thousands of POIs).
    targets: Option<(crate::poi::GeoReference, Vec<glam::DVec3>)>,
    /// The WebXR sand table, while a session runs, and its last frame's time.
    table: SandTable,
    table_ms: Option<f64>,
}

impl ArState {
    /// The POIs changed: their offsets are worked out again on the next frame.
    pub(super) fn forget_targets(&mut self) {
        self.targets = None;
    }

    /// The drawn camera rotation about true north (the sensors' is about magnetic north).
    fn rotation(&self) -> Option<glam::DQuat> {
        let turn = glam::DQuat::from_rotation_z(-self.declination.unwrap_or(0.0).to_radians());
        self.orientation.current.map(|q| turn * q)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    /// Whether a position is known, and how well (metres).
    position: bool,
    uncertainty: Option<f64>,
    /// The last fix's accuracy, used or ignored.
    last_accuracy: Option<f64>,
    longitude: Option<f64>,
    latitude: Option<f64>,
    /// "reliable", "uncalibrated", "unknown" (no north), or "none" (no orientation yet).
    heading: &'static str,
    /// Degrees clockwise from true north the phone points, once known.
    heading_deg: Option<f64>,
    /// The magnetic declination applied (degrees, east positive; WMM2025).
    declination: Option<f64>,
    /// Whether the drawn orientation is still gliding towards the sensors'.
    settling: bool,
}

#[wasm_bindgen]
impl Viewer {
    /// A position fix for AR (`lon`, `lat` in `crs`: WGS84 by default, GCJ-02 from WeChat's
    /// JS-SDK, BD-09). Returns null when used, or why it was ignored (less precise than
    /// `max_accuracy` metres). Never sent anywhere.
    #[wasm_bindgen(js_name = arFix)]
    #[allow(clippy::too_many_arguments)]
    pub fn ar_fix(&self, lon: f64, lat: f64, altitude: Option<f64>, accuracy: f64, time_ms: f64, crs: Option<String>, max_accuracy: Option<f64>) -> Result<Option<String>, JsValue> {
        let datum = crs.filter(|c| !c.is_empty()).map_or(Ok(Datum::Wgs84), |c| Datum::parse(&c)).map_err(to_js)?;
        let (lon, lat) = if lon.is_finite() && lat.is_finite() { datum.to_wgs84(lon, lat) } else { (f64::NAN, f64::NAN) };
        let mut s = self.state.borrow_mut();
        let threshold = max_accuracy.filter(|m| m.is_finite() && *m > 0.0).unwrap_or(DEFAULT_MAX_ACCURACY_M);
        let r = s.ar.visitor.accept(Fix { lon, lat, altitude, accuracy, time_ms }, threshold);
        if r.is_ok() {
            s.ar.declination = declination(lon, lat, js_sys::Date::now());
        }
        s.dirty = true;
        Ok(r.err().map(|e| e.to_string()))
    }

    /// A DeviceOrientation reading (degrees; `compass` is iOS's `webkitCompassHeading`,
    /// `compass_accuracy` its `webkitCompassAccuracy`). Returns false when it holds no angles.
    #[wasm_bindgen(js_name = arOrientation)]
    #[allow(clippy::too_many_arguments)]
    pub fn ar_orientation(&self, alpha: Option<f64>, beta: Option<f64>, gamma: Option<f64>, screen: f64, compass: Option<f64>, compass_accuracy: Option<f64>, absolute: bool) -> bool {
        let nan = f64::NAN;
        let r = Reading { alpha: alpha.unwrap_or(nan), beta: beta.unwrap_or(nan), gamma: gamma.unwrap_or(nan), screen, compass: compass.filter(|c| c.is_finite()), absolute };
        let Some(q) = orientation::camera_rotation(&r) else { return false };
        let mut s = self.state.borrow_mut();
        let first = s.ar.orientation.target.is_none();
        s.ar.orientation.target = Some(q);
        if first {
            s.ar.orientation.settle();
        }
        s.ar.heading = Some(match (r.compass, compass_accuracy) {
            (Some(_), Some(a)) if !(0.0..=25.0).contains(&a) => Heading::Uncalibrated,
            (Some(_), _) => Heading::Reliable,
            (None, _) if absolute => Heading::Reliable,
            _ => Heading::Unknown,
        });
        s.dirty = true;
        true
    }

    /// Forgets the orientation (leaving AR: the next session starts from fresh readings). The
    /// position is kept, in this page only: a position the page gave once still serves, and the
    /// next fix after a while outweighs it (its uncertainty has grown with the time).
    #[wasm_bindgen(js_name = arReset)]
    pub fn ar_reset(&self) {
        let mut s = self.state.borrow_mut();
        s.ar.orientation = Smoothed::default();
        s.ar.heading = None;
        s.ar.last_ms = None;
    }

    /// Lays out every POI for AR `mode` ("location" over the camera picture, "map" on the dial)
    /// at `time_ms`: per POI `[x, y, scale, opacity, state, count, distance, bearing, arrow]`
    /// (state as `layout`, plus 4: an arrow at the border, pointing `arrow` radians). Empty until
    /// a position is known. The orientation glides towards the sensors': `arMoving` says whether
    /// to draw again.
    #[wasm_bindgen(js_name = arLayout)]
    pub fn ar_layout(&self, mode: &str, css_width: f32, css_height: f32, fov_deg: f32, max_distance: f32, time_ms: f64) -> Vec<f32> {
        let mut s = self.state.borrow_mut();
        let dt = s.ar.last_ms.map_or(0.0, |t| ((time_ms - t) / 1000.0).clamp(0.0, 1.0));
        s.ar.last_ms = Some(time_ms);
        s.ar.orientation.step(dt);
        let Some(frame) = s.ar.visitor.frame() else { return Vec::new() };
        let fresh = s.ar.targets.as_ref().is_some_and(|(f, t)| *f == frame && t.len() == s.pois.pois.len());
        if !fresh {
            let geo = s.geo();
            let grounded = s.ar.visitor.has_altitude();
            let enu = s
                .pois
                .pois
                .iter()
                .map(|p| {
                    let at = match (p.position, geo) {
                        (Position::Geo { lon, lat, height }, _) => Some((lon, lat, height)),
                        (Position::Scene(a), Some(g)) => {
                            let (lon, lat) = g.to_geo(a);
                            Some((lon, lat, g.height + f64::from(a[1])))
                        }
                        (Position::Scene(_), None) => None,
                    };
                    // A POI without a height (0) stands on the visitor's ground; with one, and a
                    // device altitude, it is placed at its height.
                    at.map_or(glam::DVec3::splat(f64::INFINITY), |(lon, lat, h)| frame.enu(lon, lat, if h == 0.0 || !grounded { frame.height } else { h }))
                })
                .collect();
            s.ar.targets = Some((frame, enu));
        }
        let enu = s.ar.targets.as_ref().map_or(&[][..], |(_, t)| t.as_slice());
        let targets: Vec<Target> = s.pois.pois.iter().zip(&s.pois.sizes).zip(enu).map(|((p, &(width, height)), &enu)| Target { enu, priority: p.priority, width, height }).collect();
        let view = View { width: css_width, height: css_height, fov_deg, max_distance: if max_distance.is_finite() && max_distance > 0.0 { max_distance } else { 5000.0 }, eye_height: 1.6 };
        let placed = if mode == "map" {
            let heading = s.ar.rotation().map_or(0.0, orientation::heading_of);
            // Without north the dial cannot turn: it stays north-up.
            let heading = if s.ar.heading == Some(Heading::Unknown) { 0.0 } else { heading };
            ar::map_layout(&targets, heading, &view)
        } else {
            match s.ar.rotation() {
                Some(q) => ar::location_layout(&targets, q, &view),
                None => return Vec::new(),
            }
        };
        let mut out = Vec::with_capacity(placed.len() * 9);
        for p in placed {
            // The 3D view's state codes, plus 4: an arrow at the border.
            let state = if p.edge && p.placement.state == crate::overlay::State::Offscreen { 4.0 } else { super::pois::state_code(p.placement.state) };
            let q = p.placement;
            out.extend([q.x, q.y, q.scale, q.opacity, state, q.count as f32, p.distance, p.bearing, p.arrow]);
        }
        out
    }

    /// Whether the orientation is still gliding towards the sensors' (draw another frame).
    #[wasm_bindgen(getter, js_name = arMoving)]
    pub fn ar_moving(&self) -> bool {
        self.state.borrow().ar.orientation.settling()
    }

    /// What AR knows: `{position, uncertainty, lastAccuracy, longitude, latitude, heading,
    /// headingDeg, declination, settling}`.
    #[wasm_bindgen(js_name = arStatus)]
    pub fn ar_status(&self) -> Result<JsValue, JsValue> {
        let s = self.state.borrow();
        let frame = s.ar.visitor.frame();
        let status = Status {
            position: frame.is_some(),
            uncertainty: s.ar.visitor.uncertainty(),
            last_accuracy: s.ar.visitor.last_accuracy,
            longitude: frame.map(|f| f.lon),
            latitude: frame.map(|f| f.lat),
            heading: match s.ar.heading {
                Some(Heading::Reliable) => "reliable",
                Some(Heading::Uncalibrated) => "uncalibrated",
                Some(Heading::Unknown) => "unknown",
                None => "none",
            },
            heading_deg: s.ar.rotation().filter(|_| s.ar.heading != Some(Heading::Unknown)).map(|q| orientation::heading_of(q).to_degrees().rem_euclid(360.0)),
            declination: s.ar.declination,
            settling: s.ar.orientation.settling(),
        };
        status.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(to_js)
    }

    /// The visitor on the mini-map: `[x, z]` in scene metres (placed through the scene's
    /// geo-reference), or empty while there is no position or no geo-reference.
    #[wasm_bindgen(js_name = mapVisitor)]
    pub fn map_visitor(&self) -> Vec<f32> {
        let s = self.state.borrow();
        let (Some(me), Some(geo)) = (s.ar.visitor.frame(), s.geo()) else { return Vec::new() };
        let p = geo.to_scene(me.lon, me.lat, 0.0);
        vec![p[0], p[2]]
    }

    /// Where on the map dial `distance` metres falls, as a fraction of its radius (for rings).
    #[wasm_bindgen(js_name = arMapRadius)]
    pub fn ar_map_radius(&self, distance: f32, max_distance: f32) -> f32 {
        ar::map_radius(distance, max_distance)
    }

    /// One WebXR frame of the sand table. `views` holds, per XR view, its viewport `[x, y,
    /// width, height]` in the layer, its view matrix (the inverse of the view's transform) and
    /// its projection (WebXR's, OpenGL depth): 36 numbers each, column-major. `hit` is the
    /// hit-test pose under the screen's centre (16 numbers), if a surface was found. Plays the
    /// model's animation on to `time_ms`, draws into `framebuffer` (the layer's; null for the
    /// canvas's own) and returns the labels for the first view over `css_width` × `css_height`
    /// (as `layout`).
    #[wasm_bindgen(js_name = xrFrame)]
    #[allow(clippy::too_many_arguments)]
    pub fn xr_frame(&self, framebuffer: JsValue, views: &[f32], hit: Option<Vec<f32>>, css_width: f32, css_height: f32, time_ms: f64) -> Result<Vec<f32>, JsValue> {
        let mut s = self.state.borrow_mut();
        // The XR session's frames replace the page's: the water wheel turns on the table too.
        let dt = s.ar.table_ms.map_or(0.0, |t| ((time_ms - t) / 1000.0) as f32).clamp(0.0, 0.1);
        s.ar.table_ms = Some(time_ms);
        super::animation::advance(&mut s, dt);
        let xr: Vec<([i32; 4], glam::Mat4, glam::Mat4)> = views
            .chunks_exact(36)
            .map(|v| ([v[0] as i32, v[1] as i32, v[2] as i32, v[3] as i32], mat(&v[4..20]), table::projection_from_xr(mat(&v[20..36]))))
            .collect();
        let Some(&(_, first_view, first_proj)) = xr.iter().find(|(vp, ..)| vp[2] > 0 && vp[3] > 0) else {
            return Err(to_js("the XR frame has no view"));
        };
        let eye = first_view.inverse().w_axis.truncate();
        let surface = hit.filter(|h| h.len() == 16).map(|h| glam::Vec3::new(h[12], h[13], h[14]));
        s.ar.table.hit(surface, eye);
        let bounds = table_bounds(&s);
        let model = bounds.and_then(|b| s.ar.table.model_matrix(&b));
        let exposure = s.exposure;
        // The model's matrix goes into each view: the scene stays as loaded, and its labels,
        // line of sight and culling work in its own units.
        let draw_views: Vec<([i32; 4], DrawView)> = match model {
            Some(m) => xr.iter().map(|&(vp, view, proj)| (vp, DrawView { view: view * m, proj, eye: m.inverse().transform_point3(view.inverse().w_axis.truncate()), exposure })).collect(),
            None => Vec::new(),
        };
        s.renderer.render_xr(&framebuffer, &draw_views).map_err(to_js)?;
        if let Some(e) = s.renderer.take_error() {
            return Err(to_js(format!("GPU error: {e}")));
        }
        let (Some(m), Some(b)) = (model, bounds) else { return Ok(Vec::new()) };
        let v = DrawView { view: first_view * m, proj: first_proj, eye: m.inverse().transform_point3(eye), exposure };
        // Labels are full size over the whole table: fading starts past the model's far side.
        let near = (v.eye - b.center()).length() + b.radius();
        Ok(super::pois::layout_for(&mut s, &v, css_width, css_height, near))
    }

    /// Puts the sand table's model down where it is previewed; false while no surface is found.
    #[wasm_bindgen(js_name = xrPlace)]
    pub fn xr_place(&self) -> bool {
        self.state.borrow_mut().ar.table.place()
    }

    /// Picks the model up again: it follows the screen's centre until placed.
    #[wasm_bindgen(js_name = xrLift)]
    pub fn xr_lift(&self) {
        self.state.borrow_mut().ar.table.lift();
    }

    /// Two fingers on the sand table: the ratio of their distance to before (pinch) and the turn
    /// of the line between them on screen (radians, clockwise).
    #[wasm_bindgen(js_name = xrGesture)]
    pub fn xr_gesture(&self, pinch: f32, twist: f32) {
        self.state.borrow_mut().ar.table.gesture(pinch, twist);
    }

    /// The sand table: `{ surface, placed, anchor: [x, y, z] | null, yaw (degrees), scale
    /// (metres per scene unit), zoom }`.
    #[wasm_bindgen(js_name = xrTable)]
    pub fn xr_table(&self) -> Result<JsValue, JsValue> {
        let s = self.state.borrow();
        let t = &s.ar.table;
        let status = TableStatus {
            surface: t.surface.is_some(),
            placed: t.placed.is_some(),
            anchor: t.anchor().map(|a| a.to_array()),
            yaw: t.yaw.to_degrees(),
            scale: table_bounds(&s).map(|b| t.scale(&b)),
            zoom: t.zoom,
        };
        status.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(to_js)
    }

    /// The session ended: the next one starts afresh, and the 3D view is drawn again.
    #[wasm_bindgen(js_name = xrEnd)]
    pub fn xr_end(&self) {
        let mut s = self.state.borrow_mut();
        s.ar.table = SandTable::default();
        s.ar.table_ms = None;
        s.dirty = true;
    }
}

#[derive(Serialize)]
struct TableStatus {
    surface: bool,
    placed: bool,
    anchor: Option<[f32; 3]>,
    yaw: f32,
    scale: Option<f32>,
    zoom: f32,
}

fn mat(m: &[f32]) -> glam::Mat4 {
    let mut a = [0.0; 16];
    a.copy_from_slice(&m[..16]);
    glam::Mat4::from_cols_array(&a)
}

/// What stands on the sand table: the model, else the tiles drawn, else the POIs alone.
fn table_bounds(s: &super::State) -> Option<crate::geometry::Aabb> {
    let b = s.model.as_ref().map(|m| m.bounds).or_else(|| super::tiles::bounds(s)).or_else(|| (!s.pois.anchors.is_empty()).then(|| s.pois.bounds()))?;
    (!b.is_empty()).then_some(b)
}
