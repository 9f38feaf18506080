//! Panoramas on the Viewer handle: the list the page gives, stepping into one (the camera flies
//! to its place, then the photo sphere replaces the model with a short zoom), looking round in
//! it, hotspots on the screen, and stepping out. Fetching and decoding the photo, the hotspots'
//! DOM and the messages are www/features/panorama.js.

use glam::{Mat4, Vec3};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{State, Viewer, to_js};
use crate::camera::Orbit;
use crate::panorama::tiles::{Cache, Multires, TileKey};
use crate::panorama::{self, Panorama, Target};
use crate::render::{ContentId, View};

/// Field of view when the photo appears, and the one it settles to (degrees).
const FOV_IN: f32 = 100.0;
const FOV: f32 = 70.0;

pub(super) struct Shown {
    pub id: String,
    /// The photo sphere, or none for a tiled panorama.
    content: Option<ContentId>,
    tiles: Option<(Multires, Cache<ContentId>)>,
    centre: Vec3,
    heading: f32,
    /// Compass degrees in the panorama's frame (0 = the photo's middle).
    yaw: f32,
    pitch: f32,
    fov: f32,
    fov_target: f32,
    /// The flight there has landed and the photo is drawn.
    active: bool,
    /// The orbit view left for the panorama.
    left: Orbit,
}

#[derive(Default)]
pub(super) struct PanoramaState {
    pub list: Vec<Panorama>,
    pub shown: Option<Shown>,
}

/// Whether a panorama is shown (the orbit camera is not the one drawn then).
pub(super) fn shown(s: &State) -> bool {
    s.panoramas.shown.is_some()
}

/// The panorama's view, once it is drawn.
pub(super) fn view(s: &State, aspect: f32) -> Option<View> {
    let p = s.panoramas.shown.as_ref().filter(|p| p.active)?;
    let d = Mat4::from_rotation_y(-p.heading.to_radians()).transform_vector3(panorama::direction(p.yaw, p.pitch));
    Some(View {
        view: Mat4::look_to_rh(p.centre, d, Vec3::Y),
        proj: Mat4::perspective_rh(p.fov.to_radians(), aspect.max(1e-3), 0.05, panorama::RADIUS * 2.0),
        eye: p.centre,
        exposure: s.exposure,
    })
}

/// Every frame: a landed flight puts the photo in place of the model; the zoom eases.
pub(super) fn advance(s: &mut State, dt: f32) -> bool {
    let flying = s.camera.flying();
    let model = s.model.as_ref().map(|m| m.content);
    let Some(p) = s.panoramas.shown.as_mut() else { return false };
    if !p.active {
        if flying {
            return false;
        }
        p.active = true;
        for c in p.content.into_iter().chain(p.tiles.iter().flat_map(|(_, cache)| cache.contents())) {
            s.renderer.set_visible(c, true);
        }
        // The model and its shadow give way to the photo.
        for c in model.into_iter().chain(s.shadow.content) {
            s.renderer.set_visible(c, false);
        }
        return true;
    }
    let k = 1.0 - (-8.0 * dt.clamp(0.0, 0.1)).exp();
    p.fov += (p.fov_target - p.fov) * k;
    if (p.fov - p.fov_target).abs() < 0.01 {
        p.fov = p.fov_target;
        return false;
    }
    true
}

/// Puts the model back and frees the photo (a new model, leaving).
pub(super) fn close(s: &mut State) -> Option<Orbit> {
    let p = s.panoramas.shown.take()?;
    for c in p.content.into_iter().chain(p.tiles.iter().flat_map(|(_, cache)| cache.contents())) {
        s.renderer.remove_content(c);
    }
    for c in s.model.as_ref().map(|m| m.content).into_iter().chain(s.shadow.content) {
        s.renderer.set_visible(c, true);
    }
    Some(p.left)
}

/// A drag looks round (the photo follows the finger); true when a panorama took it.
pub(super) fn look(s: &mut State, dx: f32, dy: f32) -> bool {
    let Some(p) = s.panoramas.shown.as_mut().filter(|p| p.active) else { return false };
    if dx.is_finite() && dy.is_finite() {
        p.yaw = (p.yaw - dx * p.fov * 1.2).rem_euclid(360.0);
        p.pitch = (p.pitch + dy * p.fov * 1.2).clamp(-89.0, 89.0);
    }
    true
}

/// The shown panorama's look (yaw, pitch degrees), once drawn.
pub(super) fn looking(s: &State) -> Option<(f32, f32)> {
    s.panoramas.shown.as_ref().filter(|p| p.active).map(|p| (p.yaw, p.pitch))
}

/// Looks `yaw`, `pitch` (degrees) in the shown panorama; false when none is.
pub(super) fn aim(s: &mut State, yaw: f32, pitch: f32) -> bool {
    let Some(p) = s.panoramas.shown.as_mut().filter(|p| p.active) else { return false };
    p.yaw = yaw.rem_euclid(360.0);
    p.pitch = pitch.clamp(-89.0, 89.0);
    true
}

/// The wheel or a pinch zooms the photo; true when a panorama took it.
pub(super) fn zoom(s: &mut State, factor: f32) -> bool {
    let Some(p) = s.panoramas.shown.as_mut().filter(|p| p.active) else { return false };
    if factor.is_finite() && factor > 0.0 {
        p.fov_target = (p.fov_target * factor).clamp(25.0, 100.0);
    }
    true
}

#[derive(serde::Serialize)]
struct Entry<'a> {
    id: &'a str,
    image: &'a str,
    tiled: bool,
    poi: Option<&'a str>,
    name: &'a crate::poi::Localized,
    hotspots: Vec<HotspotView<'a>>,
}

#[derive(serde::Serialize)]
struct HotspotView<'a> {
    yaw: f32,
    pitch: f32,
    panorama: Option<&'a str>,
    poi: Option<&'a str>,
    label: &'a crate::poi::Localized,
}

fn entry(p: &Panorama) -> Entry<'_> {
    Entry {
        id: &p.id,
        image: &p.image,
        tiled: p.tiles.is_some(),
        poi: p.poi.as_deref(),
        name: &p.name,
        hotspots: p
            .hotspots
            .iter()
            .map(|h| {
                let (panorama, poi) = match &h.to {
                    Target::Panorama(id) => (Some(id.as_str()), None),
                    Target::Poi(id) => (None, Some(id.as_str())),
                };
                HotspotView { yaw: h.yaw, pitch: h.pitch, panorama, poi, label: &h.label }
            })
            .collect(),
    }
}

#[wasm_bindgen]
impl Viewer {
    /// Reads the page's panoramas (a list, or `{ panoramas }`) from `bytes`, or from `value`
    /// when `bytes` is empty. Returns `{ panoramas: [{ id, image, poi, name, hotspots }],
    /// skipped }`; an error says why none can be shown.
    #[wasm_bindgen(js_name = setPanoramas)]
    pub fn set_panoramas(&self, bytes: &[u8], value: JsValue) -> Result<JsValue, JsValue> {
        let v: serde_json::Value = if bytes.is_empty() {
            serde_wasm_bindgen::from_value(value).map_err(|e| to_js(format!("panoramas: {e}")))?
        } else {
            serde_json::from_slice(bytes).map_err(|e| to_js(format!("the panoramas are not JSON: {e}")))?
        };
        let (list, skipped) = panorama::read(&v).map_err(to_js)?;
        #[derive(serde::Serialize)]
        struct Out<'a> {
            panoramas: Vec<Entry<'a>>,
            skipped: Vec<String>,
        }
        let out = Out { panoramas: list.iter().map(entry).collect(), skipped };
        let js = out.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(to_js)?;
        self.state.borrow_mut().panoramas.list = list;
        Ok(js)
    }

    /// Steps into panorama `id` with its decoded photo (none for a tiled one, whose tiles come
    /// through addPanoramaTile): flies to its place (at once when `instant`, or from inside
    /// another panorama), then shows it in place of the model.
    #[wasm_bindgen(js_name = enterPanorama)]
    pub fn enter_panorama(&self, id: &str, photo: Option<web_sys::ImageBitmap>, instant: bool) -> Result<(), JsValue> {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let p = s.panoramas.list.iter().find(|p| p.id == id).ok_or_else(|| to_js(format!("no panorama {id:?}")))?;
        let centre = match (p.position, p.poi.as_deref()) {
            (Some(pos), _) => Vec3::from_array(pos),
            (None, Some(poi)) => {
                let i = s.pois.pois.iter().position(|q| q.id == poi).ok_or_else(|| to_js(format!("panorama {id:?}: no POI {poi:?} is shown")))?;
                let unit = s.model.as_ref().map_or(1.0, |m| m.scene.units_per_metre());
                s.pois.anchors[i] + Vec3::Y * crate::camera::walk::EYE_HEIGHT * unit
            }
            (None, None) => return Err(to_js("no place")),
        };
        let heading = p.heading;
        let tiles = p.tiles.clone().map(|m| (m, Cache::default()));
        let content = match (&tiles, photo) {
            (Some(_), _) => None,
            (None, Some(photo)) => {
                let content = s.renderer.begin_content();
                s.renderer.finish_content(content, &panorama::scene(centre, heading), &[Some(crate::render::Texels::Bitmap(photo))], 0);
                s.renderer.set_visible(content, false);
                Some(content)
            }
            (None, None) => return Err(to_js(format!("panorama {id:?}: a photo is needed"))),
        };
        // From one panorama to the next: straight there, keeping the way back to the 3D view.
        let (left, from_inside) = match close(s) {
            Some(left) => (left, true),
            None => (s.camera.orbit, false),
        };
        super::walk::forget(s);
        if !instant && !from_inside {
            let radius = s.camera.radius();
            let mut to = s.camera.orbit;
            to.target = centre;
            to.distance = radius * 0.05;
            to.pitch = 0.15;
            s.camera.fly(to, None, s.pois.occluders.as_ref());
        }
        let yaw = if from_inside { 0.0 } else { (s.camera.orbit.yaw.to_degrees() * -1.0 - heading).rem_euclid(360.0) };
        s.panoramas.shown = Some(Shown { id: id.to_owned(), content, tiles, centre, heading, yaw, pitch: 0.0, fov: FOV_IN, fov_target: FOV, active: false, left });
        s.dirty = true;
        Ok(())
    }

    /// Steps out to the 3D view left (flown back unless `instant`).
    #[wasm_bindgen(js_name = exitPanorama)]
    pub fn exit_panorama(&self, instant: bool) {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let Some(centre) = s.panoramas.shown.as_ref().map(|p| p.centre) else { return };
        if let Some(left) = close(s) {
            if instant {
                s.camera.restore(left.yaw, left.pitch, left.distance, left.target);
            } else {
                let radius = s.camera.radius();
                s.camera.restore(left.yaw, 0.15, radius * 0.05, centre);
                s.camera.fly(left, None, s.pois.occluders.as_ref());
            }
        }
        s.dirty = true;
    }

    /// The panorama shown (once the photo is drawn), or null.
    #[wasm_bindgen(getter, js_name = panorama)]
    pub fn panorama_id(&self) -> Option<String> {
        self.state.borrow().panoramas.shown.as_ref().filter(|p| p.active).map(|p| p.id.clone())
    }

    /// `[yaw, pitch, fov]` degrees in the panorama shown (empty when none is).
    #[wasm_bindgen(js_name = panoramaView)]
    pub fn panorama_view(&self) -> Vec<f32> {
        self.state.borrow().panoramas.shown.as_ref().filter(|p| p.active).map_or(Vec::new(), |p| vec![p.yaw, p.pitch, p.fov])
    }

    /// Looks `yaw`, `pitch` with `fov` (degrees) in the panorama shown.
    #[wasm_bindgen(js_name = setPanoramaView)]
    pub fn set_panorama_view(&self, yaw: f32, pitch: f32, fov: f32) -> Result<(), JsValue> {
        let mut s = self.state.borrow_mut();
        let p = s.panoramas.shown.as_mut().filter(|p| p.active).ok_or_else(|| to_js("no panorama is shown"))?;
        if ![yaw, pitch, fov].iter().all(|v| v.is_finite()) {
            return Err(js_sys::TypeError::new("panorama view: finite degrees").into());
        }
        p.yaw = yaw.rem_euclid(360.0);
        p.pitch = pitch.clamp(-89.0, 89.0);
        p.fov = fov.clamp(25.0, 100.0);
        p.fov_target = p.fov;
        s.dirty = true;
        Ok(())
    }

    /// Where the shown panorama's hotspots are: `[x, y, visible]` per hotspot in CSS pixels of a
    /// `w` × `h` view.
    #[wasm_bindgen(js_name = panoramaHotspots)]
    pub fn panorama_hotspots(&self, w: f32, h: f32) -> Vec<f32> {
        let s = self.state.borrow();
        let (width, height) = s.renderer.size();
        let Some(v) = view(&s, width as f32 / height.max(1) as f32) else { return Vec::new() };
        let Some(p) = s.panoramas.shown.as_ref() else { return Vec::new() };
        let Some(entry) = s.panoramas.list.iter().find(|e| e.id == p.id) else { return Vec::new() };
        let turn = Mat4::from_rotation_y(-p.heading.to_radians());
        let vp = v.proj * v.view;
        let mut out = Vec::with_capacity(entry.hotspots.len() * 3);
        for hs in &entry.hotspots {
            let d = turn.transform_vector3(panorama::direction(hs.yaw, hs.pitch));
            match panorama::project(vp, p.centre, d, w, h) {
                Some((x, y)) if (0.0..=w).contains(&x) && (0.0..=h).contains(&y) => out.extend([x, y, 1.0]),
                _ => out.extend([0.0, 0.0, 0.0]),
            }
        }
        out
    }

    /// Every tile of the lowest level of tiled panorama `id` (fetched before stepping in, so
    /// nothing is blank while turning): `[{ key, url }]`, `key` as addPanoramaTile takes it.
    #[wasm_bindgen(js_name = panoramaBaseTiles)]
    pub fn panorama_base_tiles(&self, id: &str) -> Result<JsValue, JsValue> {
        let s = self.state.borrow();
        let m = s.panoramas.list.iter().find(|p| p.id == id).and_then(|p| p.tiles.as_ref()).ok_or_else(|| to_js(format!("no tiled panorama {id:?}")))?;
        tile_list(m, &m.base())
    }

    /// The tiles the shown tiled panorama would fetch next, most needed first, at most `limit`:
    /// the lowest level's, then those in view at the level the view needs (none of a face out of
    /// view). `[{ key, url }]`; empty when all are there.
    #[wasm_bindgen(js_name = panoramaTiles)]
    pub fn panorama_tiles(&self, limit: usize) -> Result<JsValue, JsValue> {
        let mut s = self.state.borrow_mut();
        let (width, height) = s.renderer.size();
        let Some(p) = s.panoramas.shown.as_mut() else { return tile_list_empty() };
        let (active, yaw, pitch, fov, fov_target) = (p.active, p.yaw, p.pitch, p.fov, p.fov_target);
        let Some((m, cache)) = p.tiles.as_mut() else { return tile_list_empty() };
        let visible = if active {
            // The level the settled zoom needs; the tiles of the wider of now and then.
            let ppr = height as f32 * 0.5 / (fov_target.to_radians() * 0.5).tan();
            let aspect = width as f32 / height.max(1) as f32;
            let vp = Mat4::perspective_rh(fov.max(fov_target).to_radians(), aspect.max(1e-3), 0.05, 10.0) * Mat4::look_to_rh(Vec3::ZERO, panorama::direction(yaw, pitch), Vec3::Y);
            m.visible(vp, m.level_for(ppr))
        } else {
            Vec::new()
        };
        let wanted = cache.wanted(m, &visible, limit);
        tile_list(m, &wanted)
    }

    /// Gives tile `key` (`[level, face, x, y]`) of the shown tiled panorama; false when it is not
    /// one of its tiles (a late answer for a panorama left). Tiles seen longest ago are freed
    /// past a budget.
    #[wasm_bindgen(js_name = addPanoramaTile)]
    pub fn add_panorama_tile(&self, key: Vec<u32>, bitmap: web_sys::ImageBitmap) -> bool {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let Some(p) = s.panoramas.shown.as_mut() else { return false };
        let Some((m, cache)) = p.tiles.as_mut() else { return false };
        let &[level, face, x, y] = key.as_slice() else { return false };
        let k = TileKey { level: level.min(255) as u8, face: face.min(255) as u8, x: x.min(u16::MAX as u32) as u16, y: y.min(u16::MAX as u32) as u16 };
        if !m.has(k) || cache.has(k) {
            return false;
        }
        let content = s.renderer.begin_content();
        s.renderer.finish_content(content, &panorama::tiles::tile_scene(m, k, p.centre, p.heading), &[Some(crate::render::Texels::Bitmap(bitmap))], 0);
        s.renderer.set_visible(content, p.active);
        for freed in cache.insert(k, content) {
            s.renderer.remove_content(freed);
        }
        s.dirty = true;
        true
    }

    /// How many tiles of the shown panorama are on the GPU (0 for a photo).
    #[wasm_bindgen(js_name = panoramaTilesLoaded)]
    pub fn panorama_tiles_loaded(&self) -> usize {
        self.state.borrow().panoramas.shown.as_ref().and_then(|p| p.tiles.as_ref()).map_or(0, |(_, c)| c.len())
    }
}

#[derive(Serialize)]
struct TileRef {
    key: [u32; 4],
    url: String,
}

fn tile_list(m: &Multires, keys: &[TileKey]) -> Result<JsValue, JsValue> {
    let list: Vec<TileRef> = keys.iter().map(|&k| TileRef { key: [k.level as u32, k.face as u32, k.x as u32, k.y as u32], url: m.url(k) }).collect();
    list.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(to_js)
}

fn tile_list_empty() -> Result<JsValue, JsValue> {
    Ok(js_sys::Array::new().into())
}
