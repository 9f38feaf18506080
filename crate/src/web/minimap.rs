//! The mini-map on the Viewer handle: a top-down picture of the scene (drawn once by the renderer
//! with an orthographic camera looking straight down, north up), where the camera is and looks
//! each frame, and a tap that flies there. The map's DOM is www/features/minimap.js.

use glam::{Mat4, Vec3};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{State, Viewer, to_js, view_of};
use crate::render::{self, View};

/// The square of the ground plane the map shows, `[x0, z0, x1, z1]`: the scene's (or the POIs')
/// extent, with a margin.
fn square(s: &State) -> Option<[f32; 4]> {
    let b = s.model.as_ref().map(|m| m.bounds).filter(|b| !b.is_empty()).unwrap_or_else(|| s.pois.bounds());
    if b.is_empty() {
        return None;
    }
    let c = b.center();
    let half = ((b.max.x - b.min.x).max(b.max.z - b.min.z) * 0.5 * 1.04).max(1.0);
    Some([c.x - half, c.z - half, c.x + half, c.z + half])
}

/// Looking straight down on `sq` from above the scene, north (-Z) up, fitted to a `w` × `h`
/// picture whose middle square is `sq`.
fn top_down(s: &State, sq: [f32; 4], w: u32, h: u32) -> View {
    let b = s.model.as_ref().map_or(s.pois.bounds(), |m| m.bounds);
    let (cx, cz, half) = ((sq[0] + sq[2]) * 0.5, (sq[1] + sq[3]) * 0.5, (sq[2] - sq[0]) * 0.5);
    let top = b.max.y.max(0.0) + half;
    let eye = Vec3::new(cx, top, cz);
    let aspect = w as f32 / h.max(1) as f32;
    let (hx, hy) = if aspect >= 1.0 { (half * aspect, half) } else { (half, half / aspect) };
    let depth = top - b.min.y.min(0.0) + 1.0;
    View {
        view: Mat4::look_at_rh(eye, Vec3::new(cx, 0.0, cz), Vec3::NEG_Z),
        proj: Mat4::orthographic_rh(-hx, hx, -hy, hy, 0.1, depth + 0.1),
        eye,
        exposure: s.exposure,
    }
}

#[wasm_bindgen]
impl Viewer {
    /// The map's picture: `{ width, height, data, square: [x0, z0, x1, z1] }`, RGBA rows top
    /// first, the square of ground it shows in the middle `min(width, height)` pixels; null
    /// when there is nothing to map.
    #[wasm_bindgen(js_name = mapImage)]
    pub fn map_image(&self) -> js_sys::Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let (pending, sq) = {
                let mut s = state.borrow_mut();
                let Some(sq) = square(&s) else { return Ok(JsValue::NULL) };
                let (w, h) = s.renderer.size();
                let view = top_down(&s, sq, w, h);
                (s.renderer.read_pixels(&view), sq)
            };
            let render::Image { width, height, data } = pending.await.map_err(to_js)?;
            let out = js_sys::Object::new();
            js_sys::Reflect::set(&out, &"width".into(), &width.into())?;
            js_sys::Reflect::set(&out, &"height".into(), &height.into())?;
            js_sys::Reflect::set(&out, &"data".into(), &js_sys::Uint8ClampedArray::from(&data[..]))?;
            js_sys::Reflect::set(&out, &"square".into(), &js_sys::Float32Array::from(&sq[..]))?;
            Ok(out.into())
        })
    }

    /// Where the camera is for the map: `[eye x, eye z, view direction x, z (unit), half the
    /// horizontal field of view (radians)]`, or empty before anything is shown.
    #[wasm_bindgen(js_name = mapCamera)]
    pub fn map_camera(&self) -> Vec<f32> {
        let s = self.state.borrow();
        let v = view_of(&s);
        // The view matrix's third row is the backward axis.
        let back = Vec3::new(v.view.x_axis.z, v.view.y_axis.z, v.view.z_axis.z);
        let flat = Vec3::new(-back.x, 0.0, -back.z).normalize_or(Vec3::NEG_Z);
        // proj.x_axis.x = 1 / tan(half horizontal fov) for a perspective projection.
        let half = (1.0 / v.proj.x_axis.x.max(1e-3)).atan();
        vec![v.eye.x, v.eye.z, flat.x, flat.z, half]
    }

    /// The shown POIs' anchors on the ground plane, `[x0, z0, x1, z1, …]` in layout order.
    #[wasm_bindgen(js_name = mapPois)]
    pub fn map_pois(&self) -> Vec<f32> {
        self.state.borrow().pois.anchors.iter().flat_map(|a| [a.x, a.z]).collect()
    }

    /// Flies the view to the ground at `(x, z)` (keeping its heading, pitch and distance); when
    /// walking, the walker stands there instead. Returns the point flown to, `[x, y, z]`.
    #[wasm_bindgen(js_name = flyToGround)]
    pub fn fly_to_ground(&self, x: f32, z: f32) -> Result<Vec<f32>, JsValue> {
        if !x.is_finite() || !z.is_finite() {
            return Err(js_sys::TypeError::new("flyToGround: finite coordinates").into());
        }
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let b = s.model.as_ref().map(|m| m.bounds).or_else(|| super::tiles::bounds(s)).unwrap_or_else(|| s.pois.bounds());
        super::sight(s);
        let top = b.max.y + 1.0;
        let drop = top - b.min.y + 1.0;
        let ground = s.pois.occluders.as_ref().and_then(|o| o.first_hit(Vec3::new(x, top, z), Vec3::new(x, top - drop, z))).map(|(t, _)| top - t * drop);
        if let (Some(w), Some(surfaces)) = (s.walking.walk.as_mut(), &s.walking.surfaces) {
            let y = surfaces.ground(Vec3::new(x, b.min.y - 1.0, z), drop).ok_or_else(|| to_js("no ground to stand on there"))?;
            w.feet = Vec3::new(x, y, z);
            s.dirty = true;
            return Ok(vec![x, y, z]);
        }
        let mut to = s.camera.orbit;
        to.target = Vec3::new(x, ground.unwrap_or(to.target.y), z);
        let occ = s.pois.occluders.as_ref();
        s.camera.fly(to, None, occ);
        s.dirty = true;
        Ok(to.target.to_array().to_vec())
    }
}
