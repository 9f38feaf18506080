//! Walk mode on the Viewer handle: entering and leaving it (flown, not cut), and what the keys
//! and the joystick hold. Input routing for drags and the wheel is in mod.rs.

use wasm_bindgen::prelude::*;

use super::{State, Viewer, to_js};
use crate::camera::Orbit;
use crate::camera::walk::{Surfaces, Walk};
use crate::geometry::bvh::Occluders;

/// How entering or leaving walk mode is under way.
#[derive(Default)]
pub(super) struct WalkState {
    pub walk: Option<Walk>,
    /// Flying down to where the walk starts; it begins when the flight lands.
    pub entering: Option<Walk>,
    /// The orbit view left for walking, flown back to when walking ends.
    pub left: Option<Orbit>,
    /// What is walked on now: the model's surfaces joined with the drawn tiles' triangles.
    pub surfaces: Option<Surfaces>,
    /// The model's ground, walls and water, built when walking first begins in a scene.
    pub model: Option<Surfaces>,
    /// The tiles drawn changed: `surfaces` is joined again before the next step.
    pub stale: bool,
}

/// Brings `surfaces` up to date with the model and the tiles drawn (joining shares the BVHs).
fn refresh(s: &mut State) {
    if !s.walking.stale && s.walking.surfaces.is_some() {
        return;
    }
    s.walking.stale = false;
    if s.walking.model.is_none() {
        s.walking.model = s.model.as_ref().map(|m| Surfaces::of(&m.scene, m.index));
    }
    let tiles = super::tiles::sights(s);
    let model = s.walking.model.as_ref();
    let joined = (model.is_some() || !tiles.is_empty()).then(|| Surfaces {
        solid: Occluders::joined(model.map(|m| &m.solid).into_iter().chain(tiles)),
        liquid: Occluders::joined(model.map(|m| &m.liquid)),
        // Tiles are in metres.
        unit: model.map_or(1.0, |m| m.unit),
    });
    s.walking.surfaces = joined;
}

/// Where a walk may start: the model's bounds, the tileset's, or both.
fn walk_bounds(s: &State) -> Option<crate::geometry::Aabb> {
    match (s.model.as_ref().map(|m| m.bounds), super::tiles::bounds(s)) {
        (Some(a), Some(b)) => Some(a.union(b)),
        (a, b) => a.or(b),
    }
}

/// The orbit pose that sees exactly what `w` sees (the orbit's target a little ahead of the eye).
fn orbit_at(w: &Walk, s: &State) -> Orbit {
    let ahead = (s.camera.radius() * 0.05).max(0.5);
    Orbit { target: w.eye() + w.forward() * ahead, yaw: w.yaw, pitch: -w.pitch, distance: ahead, fov_y: w.fov_y }
}

/// Called every frame: a landed entering flight hands over to the walker. Returns whether it moves.
pub(super) fn advance(s: &mut State, dt: f32) -> bool {
    if !s.camera.flying() {
        if let Some(w) = s.walking.entering.take() {
            s.walking.walk = Some(w);
        }
    }
    let s = &mut *s;
    if s.walking.walk.is_some() {
        refresh(s);
    }
    match (&mut s.walking.walk, &s.walking.surfaces) {
        (Some(w), Some(surfaces)) => w.update(surfaces, dt),
        _ => false,
    }
}

/// Leaves walk mode at once (a reset), keeping the scene's surfaces for the next walk.
pub(super) fn forget(s: &mut State) {
    s.walking = WalkState { model: s.walking.model.take(), stale: true, ..Default::default() };
}

#[wasm_bindgen]
impl Viewer {
    /// 'orbit' or 'walk' (also while flying into it).
    #[wasm_bindgen(getter, js_name = cameraMode)]
    pub fn camera_mode(&self) -> String {
        let s = self.state.borrow();
        if s.walking.walk.is_some() || s.walking.entering.is_some() { "walk" } else { "orbit" }.into()
    }

    /// Switches to `mode` ('orbit' | 'walk'), flying between them unless `instant`. Walking
    /// starts on the ground under the orbit's target, facing the way the view faced; an error
    /// says why it cannot (no model, no ground there).
    #[wasm_bindgen(js_name = setCameraMode)]
    pub fn set_camera_mode(&self, mode: &str, instant: bool) -> Result<(), JsValue> {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let duration = instant.then_some(0.0);
        match mode {
            "walk" => {
                if s.walking.walk.is_some() || s.walking.entering.is_some() {
                    return Ok(());
                }
                let bounds = walk_bounds(s).ok_or_else(|| to_js("walk mode needs a model (src) or tiles"))?;
                super::tiles::keep_triangles(s);
                refresh(s);
                let o = s.camera.orbit;
                let w = s.walking.surfaces.as_ref().and_then(|surfaces| Walk::enter(surfaces, bounds, o.target, o.yaw, o.fov_y)).ok_or_else(|| {
                    to_js(if super::tiles::streaming(s) {
                        "walk mode: no ground under the view's centre yet (the tiles there are still loading; try again in a moment)"
                    } else {
                        "walk mode: there is no ground to stand on under the view's centre"
                    })
                })?;
                s.walking.left = Some(o);
                let to = orbit_at(&w, s);
                s.camera.fly(to, duration, None);
                s.walking.entering = Some(w);
            }
            "orbit" => {
                s.walking.entering = None;
                let Some(w) = s.walking.walk.take() else { return Ok(()) };
                let here = orbit_at(&w, s);
                s.camera.restore(here.yaw, here.pitch, here.distance, here.target);
                if let Some(back) = s.walking.left.take() {
                    s.camera.fly(back, duration, s.walking.surfaces.as_ref().map(|w| &w.solid));
                }
            }
            other => return Err(js_sys::TypeError::new(&format!("camera-mode must be \"orbit\" or \"walk\", not {other:?}")).into()),
        }
        s.dirty = true;
        Ok(())
    }

    /// What the keys or the on-screen joystick hold: forward and right in -1..1, and running.
    #[wasm_bindgen(js_name = walkInput)]
    pub fn walk_input(&self, forward: f32, right: f32, run: bool) {
        let mut s = self.state.borrow_mut();
        if let Some(w) = s.walking.walk.as_mut() {
            w.set_input(forward, right, run);
            s.interacted = true;
        }
    }

    /// Puts the walker at `feet` (on the ground found there), looking `yaw` and `pitch`
    /// degrees: a shared walk-mode link. Only while walking.
    #[wasm_bindgen(js_name = setWalkPose)]
    pub fn set_walk_pose(&self, x: f32, y: f32, z: f32, yaw: f32, pitch: f32) -> Result<(), JsValue> {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        if ![x, y, z, yaw, pitch].iter().all(|v| v.is_finite()) {
            return Err(js_sys::TypeError::new("walk pose: finite numbers").into());
        }
        // A link followed as the page opens arrives while the walk is still being flown into.
        if s.walking.walk.is_none() {
            if let Some(w) = s.walking.entering.take() {
                s.walking.walk = Some(w);
                s.camera.restore(s.camera.orbit.yaw, s.camera.orbit.pitch, s.camera.orbit.distance, s.camera.orbit.target);
            }
        }
        let (Some(w), Some(surfaces)) = (s.walking.walk.as_mut(), &s.walking.surfaces) else { return Err(to_js("not walking")) };
        let feet = glam::Vec3::new(x, y, z);
        let ground = surfaces.ground(feet, crate::camera::walk::STEP).ok_or_else(|| to_js("walk pose: no ground to stand on there"))?;
        w.feet = glam::Vec3::new(x, ground, z);
        w.yaw = yaw.to_radians();
        w.pitch = pitch.to_radians().clamp(-1.4, 1.4);
        s.dirty = true;
        Ok(())
    }

    /// Where the walker stands and looks: `{ feet: [x, y, z], eye: [x, y, z], yaw, pitch }`
    /// (degrees), or null when not walking.
    #[wasm_bindgen(js_name = walkPose)]
    pub fn walk_pose(&self) -> Result<JsValue, JsValue> {
        #[derive(serde::Serialize)]
        struct Pose {
            feet: [f32; 3],
            eye: [f32; 3],
            yaw: f32,
            pitch: f32,
        }
        let s = self.state.borrow();
        let Some(w) = &s.walking.walk else { return Ok(JsValue::NULL) };
        let pose = Pose { feet: w.feet.to_array(), eye: w.eye().to_array(), yaw: w.yaw.to_degrees(), pitch: w.pitch.to_degrees() };
        serde_wasm_bindgen::to_value(&pose).map_err(to_js)
    }
}
