//! Animation playback on the Viewer handle: the clip's clock (scene::animation::Playback, pure)
//! advanced by frames, the scene posed and handed to the renderer. Names and semantics follow
//! model-viewer's (`availableAnimations`, `animationName`, `play({repetitions})`, `pause()`,
//! `paused`, `currentTime`, `timeScale`, `duration`).
//!
//! Posing and deforming (keyframe sampling, crossfades, skinning, morphing) go through a
//! `Poser`: in the lite bundles it is a wasm part of its own, fetched only for a model that
//! animates or deforms, so that a still model's first frame does not wait for that code.

use wasm_bindgen::prelude::*;

use super::{State, Viewer, to_js};
use crate::scene::Scene;
use crate::scene::animation::Step;

/// What a posed or deformed scene needs beyond its plain data. Only `make_poser` makes one, so
/// the implementations (reached through this trait's vtable) go wherever `make_poser` goes.
pub trait Poser {
    /// Poses the nodes a clip drives at `t`, blended from `from` (`Scene::pose_crossfade`).
    fn pose(&self, scene: &mut Scene, clip: usize, t: f32, from: Option<(usize, f32, f32)>);
    /// Every animated node back at rest (`Scene::rest_pose`).
    fn rest(&self, scene: &mut Scene);
    /// Skins and morphs the deformable meshes; the (mesh, primitive) pairs rewritten.
    fn deform(&self, scene: &mut Scene) -> Vec<(usize, usize)>;
}

struct Engine;

impl Poser for Engine {
    fn pose(&self, scene: &mut Scene, clip: usize, t: f32, from: Option<(usize, f32, f32)>) {
        scene.pose_crossfade(clip, t, from);
    }
    fn rest(&self, scene: &mut Scene) {
        scene.rest_pose();
    }
    fn deform(&self, scene: &mut Scene) -> Vec<(usize, usize)> {
        scene.deform()
    }
}

/// Why there is no poser: its part could not be fetched (the model is shown at rest).
pub struct Unavailable;

#[cfg(feature = "split")]
impl From<wasm_split_helpers::SplitLoaderError> for Unavailable {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        Unavailable
    }
}

#[cfg_attr(feature = "split", wasm_split_helpers::wasm_split(anim, fallible, preload(preload_poser)))]
fn make_poser() -> Result<&'static dyn Poser, Unavailable> {
    Ok(&Engine)
}

/// The poser, fetching its part on first use; the notice a page shows when it cannot be had.
pub async fn poser() -> Result<&'static dyn Poser, String> {
    let p = make_poser();
    #[cfg(feature = "split")]
    let p = p.await;
    p.map_err(|Unavailable| "animations, skins and morph targets are shown at rest: the animation player could not be downloaded".into())
}

/// Whether a file animates or deforms, so needs the poser (known once its JSON is read).
pub fn wanted(doc: &crate::gltf::doc::Document) -> bool {
    !doc.animations.is_empty() || !doc.skins.is_empty() || doc.meshes.iter().flat_map(|m| &m.primitives).any(|p| !p.targets.is_empty())
}

/// Starts fetching the poser's part (where it is one) while the rest of the model loads.
pub fn prefetch() {
    #[cfg(feature = "split")]
    wasm_bindgen_futures::spawn_local(async {
        let _ = preload_poser().await;
    });
}

/// Clip names, "Animation N" where the file gives none.
pub fn names(scene: &Scene) -> Vec<String> {
    scene.animations.iter().enumerate().map(|(i, a)| a.name.clone().unwrap_or_else(|| format!("Animation {i}"))).collect()
}

/// Skins and morphs the deformable meshes to the scene's current pose, and hands their new
/// streams to the renderer (shown with its next `show_scene`); false when nothing deforms.
pub fn deform(poser: &dyn Poser, renderer: &mut crate::render::Renderer, content: crate::render::ContentId, scene: &mut Scene) -> bool {
    let changed = poser.deform(scene);
    for &(m, i) in &changed {
        renderer.update_primitive(content, m, i, &scene.meshes[m].primitives[i]);
    }
    !changed.is_empty()
}

/// Moves the clock on and poses the scene; true while a clip plays (more frames wanted).
pub fn advance(s: &mut State, dt: f32) -> bool {
    let (Some(p), Some(model), Some(poser)) = (s.playback.as_mut(), s.model.as_mut(), s.poser) else { return false };
    if !p.playing {
        return false;
    }
    let duration = model.scene.animations.get(p.clip).map_or(0.0, |a| a.duration);
    let fading = p.fade.is_some();
    match p.advance(dt, duration) {
        Step::Playing => {}
        Step::Looped => s.animation_event = Some("loop"),
        Step::Finished => s.animation_event = Some("finished"),
    }
    let (clip, time, playing, fade) = (p.clip, p.time, p.playing, p.fade);
    if fading && fade.is_none() {
        // What only the old clip drove goes back to rest.
        poser.rest(&mut model.scene);
    }
    poser.pose(&mut model.scene, clip, time, fade.map(|f| f.from()));
    deform(poser, &mut s.renderer, model.content, &mut model.scene);
    s.renderer.show_scene(model.content, &model.scene, model.index);
    s.dirty = true;
    playing
}

/// Poses the current clip at its clock (after a seek or a change of clip).
fn show(s: &mut State) {
    let (Some(p), Some(model), Some(poser)) = (s.playback.as_ref(), s.model.as_mut(), s.poser) else { return };
    poser.rest(&mut model.scene);
    poser.pose(&mut model.scene, p.clip, p.time, None);
    deform(poser, &mut s.renderer, model.content, &mut model.scene);
    s.renderer.show_scene(model.content, &model.scene, model.index);
    s.dirty = true;
}

#[wasm_bindgen]
impl Viewer {
    #[wasm_bindgen(getter, js_name = availableAnimations)]
    pub fn available_animations(&self) -> Vec<String> {
        self.state.borrow().model.as_ref().map(|m| names(&m.scene)).unwrap_or_default()
    }

    /// Selects the clip called `name` (the first when empty), at its start; playing goes on.
    #[wasm_bindgen(js_name = setAnimation)]
    pub fn set_animation(&self, name: &str) -> Result<(), JsValue> {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let Some(model) = s.model.as_ref() else { return Ok(()) };
        let all = names(&model.scene);
        if all.is_empty() {
            return if name.is_empty() { Ok(()) } else { Err(to_js(format!("animation-name=\"{name}\": the model has no animations"))) };
        }
        let clip = if name.is_empty() { 0 } else { all.iter().position(|n| n == name).ok_or_else(|| to_js(format!("animation-name=\"{name}\" is not one of: {}", all.join(", "))))? };
        let duration = |c: usize| model.scene.animations.get(c).map_or(0.0, |a| a.duration);
        if let Some(p) = s.playback.as_mut() {
            p.switch(clip, duration(p.clip), duration(clip));
            if p.fade.is_some() {
                // The next frames blend; no cut to the new clip's first pose.
                s.dirty = true;
                return Ok(());
            }
        }
        show(s);
        Ok(())
    }

    /// Seconds a change of clip while playing blends from the old one (0: a cut).
    #[wasm_bindgen(js_name = setCrossfade)]
    pub fn set_crossfade(&self, seconds: f64) {
        if let Some(p) = self.state.borrow_mut().playback.as_mut() {
            p.crossfade = if seconds.is_finite() { seconds.max(0.0) as f32 } else { 0.3 };
        }
    }

    #[wasm_bindgen(getter, js_name = animationName)]
    pub fn animation_name(&self) -> Option<String> {
        let s = self.state.borrow();
        let (p, m) = (s.playback.as_ref()?, s.model.as_ref()?);
        names(&m.scene).into_iter().nth(p.clip)
    }

    /// Plays the clip `repetitions` times (forever when absent or not a positive number).
    pub fn play(&self, repetitions: Option<f64>) {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let Some(duration) = s.playback.as_ref().zip(s.model.as_ref()).map(|(p, m)| m.scene.animations.get(p.clip).map_or(0.0, |a| a.duration)) else { return };
        let reps = repetitions.filter(|r| r.is_finite() && *r >= 1.0).map(|r| r.min(u32::MAX as f64) as u32);
        if let Some(p) = s.playback.as_mut() {
            p.play(reps, duration);
        }
        s.last_ms = None;
        s.dirty = true;
    }

    pub fn pause(&self) {
        if let Some(p) = self.state.borrow_mut().playback.as_mut() {
            p.playing = false;
        }
    }

    #[wasm_bindgen(getter)]
    pub fn paused(&self) -> bool {
        self.state.borrow().playback.as_ref().is_none_or(|p| !p.playing)
    }

    #[wasm_bindgen(getter, js_name = currentTime)]
    pub fn current_time(&self) -> f64 {
        self.state.borrow().playback.as_ref().map_or(0.0, |p| f64::from(p.time))
    }

    /// Seeks (seconds, clamped to the clip) and shows that pose.
    #[wasm_bindgen(setter, js_name = currentTime)]
    pub fn set_current_time(&self, t: f64) {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let duration = s.playback.as_ref().zip(s.model.as_ref()).map_or(0.0, |(p, m)| m.scene.animations.get(p.clip).map_or(0.0, |a| a.duration));
        if let Some(p) = s.playback.as_mut() {
            p.time = if t.is_finite() { (t as f32).clamp(0.0, duration) } else { 0.0 };
            // A seek shows that pose alone.
            p.fade = None;
        }
        show(s);
    }

    #[wasm_bindgen(getter)]
    pub fn duration(&self) -> f64 {
        let s = self.state.borrow();
        s.playback.as_ref().zip(s.model.as_ref()).map_or(0.0, |(p, m)| m.scene.animations.get(p.clip).map_or(0.0, |a| f64::from(a.duration)))
    }

    #[wasm_bindgen(getter, js_name = timeScale)]
    pub fn time_scale(&self) -> f64 {
        self.state.borrow().playback.as_ref().map_or(1.0, |p| f64::from(p.time_scale))
    }

    #[wasm_bindgen(setter, js_name = timeScale)]
    pub fn set_time_scale(&self, v: f64) {
        if let Some(p) = self.state.borrow_mut().playback.as_mut() {
            p.time_scale = if v.is_finite() { v as f32 } else { 1.0 };
        }
    }

    /// "loop" or "finished" once after it happened, else undefined (the element turns it into an event).
    #[wasm_bindgen(js_name = takeAnimationEvent)]
    pub fn take_animation_event(&self) -> Option<String> {
        self.state.borrow_mut().animation_event.take().map(str::to_owned)
    }
}
