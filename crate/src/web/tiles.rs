//! 3D Tiles on the Viewer handle: the tileset the page gives (`tiles` attribute), which tiles
//! each view draws and wants (crate/src/tiles), their contents through the model loader, and an
//! LRU byte budget. Fetching, its queue, cancelling and the messages are www/features/tiles.js.
//!
//! World space is the tileset's (ECEF for a geo-referenced one, in f64); the renderer's is a
//! local y-up frame at the root's centre (east-north-up on the earth), so f32 keeps millimetres
//! across a city.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use glam::{DMat4, DVec3};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::fetch::{JsBytes, Progress};
use super::{Decoded, State, Viewer, decode_model, js_error, to_js};
use crate::geometry::Aabb;
use crate::geometry::bvh::Occluders;
use crate::gltf::uri;
use crate::render::ContentId;
use crate::scene::Node;
use crate::tiles::content::{self, Piece};
use crate::tiles::select::{self, Camera, MAX_SSE};
use crate::tiles::{Tileset, Volume};

/// GPU bytes the tiles may hold before the least recently drawn are freed (a phone's share).
pub const DEFAULT_BUDGET: u64 = 192 << 20;
/// How close the orbit camera may come to its target over tiles, in metres.
const CLOSEST_M: f32 = 2.0;

struct TileContents {
    contents: Vec<ContentId>,
    /// What it holds: GPU bytes, and wasm bytes of its line of sight (both count in the budget).
    bytes: u64,
    gpu: u64,
    /// The last selection that drew it.
    seen: u64,
    /// Its triangles for line of sight (labels hidden behind it) and for walking on, when POIs
    /// were shown or walking was asked for as it arrived: kept only then, as they cost wasm
    /// memory about as much as the GPU holds.
    sight: Option<Occluders>,
    /// Whether `sight` was asked for (a tile without triangles has none even so).
    solid: bool,
}

pub(super) struct Streamed {
    generation: u32,
    set: Tileset,
    /// Tileset world → the renderer's frame.
    frame: DMat4,
    /// Counts changes of `frame`: a tile decoded across one is dropped and fetched again.
    epoch: u32,
    loaded: HashMap<usize, TileContents>,
    /// Being decoded, or failed (never asked for again).
    pending: Vec<bool>,
    failed: Vec<bool>,
    /// The last selection: tiles drawn, and those to fetch, most needed first.
    drawn: Vec<usize>,
    want: Vec<usize>,
    tick: u64,
    /// Bytes the loaded tiles hold (GPU and line of sight), and of those the GPU's.
    bytes: u64,
    gpu: u64,
    /// Sub-requests of contents (a .gltf's buffers), cancelled with the tileset.
    abort: web_sys::AbortController,
    /// The root's bounds in the renderer's frame (framing).
    bounds: Aabb,
    /// Walking was asked for over the tiles: every tile keeps its triangles, and those drawn
    /// without them are fetched again (from the browser's cache) to get them. (POIs shown ask
    /// the same of the tiles drawn, for their line of sight.)
    pub solid: bool,
}

impl TileContents {
    /// Frees its GPU contents.
    fn free(self, renderer: &mut crate::render::Renderer) {
        for id in self.contents {
            renderer.remove_content(id);
        }
    }
}

impl Streamed {
    /// Tile `tile` added tiles below it (a subtree or an external tileset read): they get their
    /// flags, and it is no longer being decoded.
    fn grown(&mut self, tile: usize) {
        let n = self.set.tiles.len();
        self.pending.resize(n, false);
        self.failed.resize(n, false);
        self.pending[tile] = false;
    }
}

pub(super) struct TilesState {
    pub set: Option<Streamed>,
    generation: u32,
    pub budget: u64,
    pub max_sse: f64,
}

impl Default for TilesState {
    fn default() -> Self {
        TilesState { set: None, generation: 0, budget: DEFAULT_BUDGET, max_sse: MAX_SSE }
    }
}

/// Tileset world → renderer frame, by its root's centre (`tiles::scene_frame`).
fn frame_for(set: &Tileset, geo: Option<&crate::poi::GeoReference>) -> DMat4 {
    crate::tiles::scene_frame(set.tiles.first().map_or(DVec3::ZERO, |t| t.bounds.centre()), geo)
}

/// The model or the page placed the scene after the tileset was read (or moved it): an earth
/// tileset is drawn again in that frame, its tiles fetched anew.
pub(super) fn reframe(s: &mut State) {
    let geo = s.placed_geo();
    let Some(t) = s.tiles.set.as_mut() else { return };
    let frame = frame_for(&t.set, geo.as_ref());
    if frame.abs_diff_eq(t.frame, 1e-9) {
        return;
    }
    t.frame = frame;
    t.epoch += 1;
    t.bounds = aabb(&t.set.tiles[0].bounds, frame);
    for (_, c) in t.loaded.drain() {
        c.free(&mut s.renderer);
    }
    (t.bytes, t.gpu) = (0, 0);
    t.drawn.clear();
    s.pois.occluders = None;
    s.dirty = true;
}

/// A volume's corners (or a sphere's box) in the renderer's frame.
fn aabb(v: &Volume, frame: DMat4) -> Aabb {
    let (c, h) = match *v {
        Volume::Box { centre, half } => (centre, half),
        Volume::Sphere { centre, radius } => (centre, [DVec3::X * radius, DVec3::Y * radius, DVec3::Z * radius]),
    };
    let mut b = Aabb::EMPTY;
    for k in 0..8 {
        let s = |bit: usize| if k & bit == 0 { -1.0 } else { 1.0 };
        let p = frame.transform_point3(c + h[0] * s(1) + h[1] * s(2) + h[2] * s(4));
        b = b.union(Aabb { min: p.as_vec3(), max: p.as_vec3() });
    }
    b
}

/// Resolves tiles' content URIs, and implicit roots' templates from `roots` on, against the
/// tileset they came from.
fn resolve(set: &mut Tileset, tiles: std::ops::Range<usize>, roots: usize, base: &str) {
    for t in &mut set.tiles[tiles] {
        for c in &mut t.contents {
            *c = uri::resolve(base, c);
        }
    }
    for r in set.implicit.iter_mut().skip(roots) {
        r.subtrees = uri::resolve(base, &r.subtrees);
        r.content = r.content.as_deref().map(|c| uri::resolve(base, c));
    }
}

/// Every frame that draws: choose the tiles for this view, show those, note what to fetch.
pub(super) fn update(s: &mut State) {
    let (_, height) = s.renderer.size();
    let view = super::view_of(s);
    let State { tiles, renderer, pois, walking, .. } = s;
    let sight_wanted = !pois.pois.is_empty();
    let max_sse = tiles.max_sse;
    let Some(t) = tiles.set.as_mut() else { return };
    let to_world = t.frame.inverse();
    let vp = (view.proj * view.view).as_dmat4() * t.frame;
    // The vertical field of view from the projection (its [1][1] is 1 / tan(fov / 2)).
    let fov = 2.0 * (1.0 / f64::from(view.proj.y_axis.y).max(1e-6)).atan();
    let camera = Camera::new(vp, to_world.transform_point3(view.eye.as_dvec3()), fov, f64::from(height.max(1)));
    let loaded = &t.loaded;
    let failed = &t.failed;
    let sel = select::select_with(&t.set, &camera, max_sse, |i| loaded.contains_key(&i), |i| failed[i]);
    t.tick += 1;
    let mut drawn = vec![false; t.set.tiles.len()];
    // Kept from eviction this frame: what is drawn and its ancestors (as 3DTilesRendererJS
    // marks every tile it traverses), so backing off finds the coarser tiles there: no hole.
    let mut kept = vec![false; t.set.tiles.len()];
    for &i in &sel.draw {
        drawn[i] = true;
        let mut up = Some(i);
        while let Some(a) = up.filter(|&a| !kept[a]) {
            kept[a] = true;
            up = t.set.tiles[a].parent;
        }
    }
    for (i, c) in t.loaded.iter_mut() {
        if kept[*i] {
            c.seen = t.tick;
        }
        for &id in &c.contents {
            renderer.set_visible(id, drawn[*i]);
        }
    }
    // Drawn tiles that came without the triangles walking or labels need (they arrived before
    // the POIs), after what is missing.
    let resolid = sel.draw.iter().copied().filter(|i| (t.solid || sight_wanted) && t.loaded.get(i).is_some_and(|c| !c.solid));
    t.want = sel.load.into_iter().chain(resolid).filter(|&i| !t.pending[i] && !t.failed[i]).collect();
    if t.drawn != sel.draw {
        // What hides labels, and what walkers stand on, changed with what is drawn.
        pois.occluders = None;
        walking.stale = true;
    }
    t.drawn = sel.draw;
    // What this view stopped using is freed now, not only when the next tile arrives.
    evict(t, tiles.budget, renderer);
}

/// Frees the least recently used tiles past the budget (never one drawn now, nor an ancestor of one).
fn evict(t: &mut Streamed, budget: u64, renderer: &mut crate::render::Renderer) {
    while t.bytes > budget {
        let Some((&i, _)) = t.loaded.iter().filter(|(_, c)| c.seen < t.tick).min_by_key(|(_, c)| c.seen) else { break };
        if let Some(c) = t.loaded.remove(&i) {
            t.bytes = t.bytes.saturating_sub(c.bytes);
            t.gpu = t.gpu.saturating_sub(c.gpu);
            c.free(renderer);
        }
    }
}

/// The tileset's place on the earth (its frame's origin), when it is in ECEF.
pub(super) fn geo(s: &State) -> Option<crate::poi::GeoReference> {
    let t = s.tiles.set.as_ref()?;
    let origin = t.frame.inverse().transform_point3(DVec3::ZERO);
    (origin.length() > 1.0e6).then(|| {
        let (lon, lat, h) = crate::poi::geo::from_ecef(origin);
        crate::poi::GeoReference::new(lon, lat, h, 0.0)
    })
}

/// The line of sight of the tiles drawn now (those that kept one).
pub(super) fn sights(s: &State) -> Vec<&Occluders> {
    s.tiles.set.as_ref().map_or(Vec::new(), |t| t.drawn.iter().filter_map(|i| t.loaded.get(i)?.sight.as_ref()).collect())
}

/// The root's bounds in the renderer's frame.
pub(super) fn bounds(s: &State) -> Option<Aabb> {
    s.tiles.set.as_ref().map(|t| t.bounds)
}

/// Whether a tileset is streamed.
pub(super) fn streaming(s: &State) -> bool {
    s.tiles.set.is_some()
}

/// Tiles keep their triangles from now on (walk mode stands on them); those drawn without are
/// fetched again.
pub(super) fn keep_triangles(s: &mut State) {
    if let Some(t) = s.tiles.set.as_mut().filter(|t| !t.solid) {
        t.solid = true;
        s.dirty = true;
    }
}

/// Drops the tileset and frees its contents.
pub(super) fn clear(s: &mut State) {
    if let Some(t) = s.tiles.set.take() {
        s.camera.set_closest(None);
        s.pois.occluders = None;
        t.abort.abort();
        for c in t.loaded.into_values() {
            c.free(&mut s.renderer);
        }
    }
}

/// Places a decoded piece: each of `at` (renderer frame) holds the scene's roots.
fn place(scene: &mut crate::scene::Scene, at: &[DMat4]) -> usize {
    let index = scene.default_scene.min(scene.scenes.len().saturating_sub(1));
    let Some(root) = scene.scenes.get_mut(index) else { return index };
    let roots = std::mem::take(&mut root.nodes);
    for m in at {
        root.nodes.push(scene.nodes.len());
        scene.nodes.push(Node { name: None, local: m.as_mat4(), children: roots.clone(), mesh: None, camera: None, instances: vec![], rest: None, ..Default::default() });
    }
    // Animations, cameras and walking are not taken from tiles: the scene is not kept.
    index
}

/// The pieces of one fetched content: a GLB or glTF read as it is (left in JS memory), a 1.0
/// format unpacked from a copy.
fn pieces(file: &js_sys::Uint8Array) -> Result<Vec<Piece>, String> {
    let len = file.length() as usize;
    let mut head = [0u8; 20];
    if len >= 20 {
        file.subarray(0, 20).copy_to(&mut head);
    }
    if &head[..4] == b"glTF" {
        let json = u32::from_le_bytes([head[12], head[13], head[14], head[15]]) as usize;
        let prefix = file.subarray(0, (20 + json).min(len) as u32).to_vec();
        return Ok(vec![Piece { glb: 0..len, rtc: content::cesium_rtc(&prefix).unwrap_or(DVec3::ZERO), instances: None }]);
    }
    if head.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b'{') {
        return Ok(vec![Piece { glb: 0..len, rtc: DVec3::ZERO, instances: None }]);
    }
    content::unpack(&file.to_vec())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SetInfo {
    generation: u32,
    tiles: usize,
    warnings: Vec<String>,
}

#[derive(Serialize)]
struct Wanted<'a> {
    tile: usize,
    urls: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TilesInfo {
    tiles: usize,
    loaded: usize,
    drawn: usize,
    wanted: usize,
    pending: usize,
    failed: usize,
    /// Held against the budget: GPU bytes, and wasm bytes of the tiles' line of sight.
    bytes: f64,
    gpu_bytes: f64,
    wasm_bytes: f64,
    budget: f64,
}

#[wasm_bindgen]
impl Viewer {
    /// Streams the tileset.json `bytes` (fetched from `url`, which its contents are relative to)
    /// in place of any other; frames it when no model is loaded. `{ generation, tiles, warnings }`.
    #[wasm_bindgen(js_name = setTileset)]
    pub fn set_tileset(&self, bytes: &[u8], url: &str) -> Result<JsValue, JsValue> {
        let mut set = Tileset::read(bytes).map_err(|e| to_js(format!("{url}: {e}")))?;
        let n = set.tiles.len();
        resolve(&mut set, 0..n, 0, url);
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        clear(s);
        s.tiles.generation += 1;
        let frame = frame_for(&set, s.placed_geo().as_ref());
        let bounds = aabb(&set.tiles[0].bounds, frame);
        let abort = web_sys::AbortController::new().map_err(|e| to_js(js_error(&e)))?;
        let info = SetInfo { generation: s.tiles.generation, tiles: n, warnings: set.warnings.clone() };
        s.tiles.set = Some(Streamed { generation: s.tiles.generation, set, frame, loaded: HashMap::new(), pending: vec![false; n], failed: vec![false; n], drawn: Vec::new(), want: Vec::new(), tick: 0, bytes: 0, gpu: 0, abort, bounds, epoch: 0, solid: false });
        // A tiled area is looked at from kilometres up and from its streets.
        s.camera.set_closest(Some(CLOSEST_M));
        if s.model.is_none() {
            let spec = s.camera_spec;
            s.camera.frame_with(bounds, &spec);
        }
        s.dirty = true;
        info.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(to_js)
    }

    /// Drops the tileset and frees its tiles.
    #[wasm_bindgen(js_name = clearTiles)]
    pub fn clear_tiles(&self) {
        let mut s = self.state.borrow_mut();
        clear(&mut s);
        s.tiles.generation += 1;
        s.dirty = true;
    }

    /// The tiles the last drawn view wants fetched, most needed first, at most `limit`:
    /// `[{ tile, urls }]` (none being added or failed).
    #[wasm_bindgen(js_name = tilesWanted)]
    pub fn tiles_wanted(&self, limit: usize) -> Result<JsValue, JsValue> {
        let s = self.state.borrow();
        let Some(t) = s.tiles.set.as_ref() else { return Ok(js_sys::Array::new().into()) };
        let list: Vec<Wanted> = t.want.iter().filter(|&&i| !t.pending[i] && !t.failed[i]).take(limit).map(|&i| Wanted { tile: i, urls: &t.set.tiles[i].contents }).collect();
        list.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(to_js)
    }

    /// Tile `tile` of tileset `generation` could not be fetched: its parent stays drawn and it
    /// is not asked for again.
    #[wasm_bindgen(js_name = tileFailed)]
    pub fn tile_failed(&self, generation: u32, tile: usize) {
        let mut s = self.state.borrow_mut();
        if let Some(t) = s.tiles.set.as_mut().filter(|t| t.generation == generation && tile < t.failed.len()) {
            t.failed[tile] = true;
        }
    }

    /// Gives tile `tile` of tileset `generation` its fetched contents (one array per URL of
    /// tilesWanted). Resolves true once it can be drawn, false for a late answer (another
    /// tileset, a tile already there); rejects with a message naming the tile when a content
    /// cannot be read, and the tile is not asked for again.
    #[wasm_bindgen(js_name = addTile)]
    pub fn add_tile(&self, generation: u32, tile: usize, files: Vec<js_sys::Uint8Array>, tangents: Option<js_sys::Function>, decode: Option<js_sys::Function>) -> js_sys::Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let mut made = Vec::new();
            let mut sights = Vec::new();
            let mut solid = false;
            let epoch = state.borrow().tiles.set.as_ref().map(|t| t.epoch);
            let result = add_tile(&state, generation, tile, files, tangents, decode, &mut made, &mut sights, &mut solid).await;
            let solid = &solid;
            let mut s = state.borrow_mut();
            let s = &mut *s;
            let current = s.tiles.set.as_mut().filter(|t| t.generation == generation);
            match (result, current) {
                // (Placed in the frame it was decoded in; a reframe meanwhile drops it.)
                (Ok(true), Some(t)) if Some(t.epoch) == epoch => {
                    let mut gpu = 0;
                    for (id, b) in &made {
                        gpu += b;
                        s.renderer.set_visible(*id, false);
                    }
                    t.pending[tile] = false;
                    let sight = (!sights.is_empty()).then(|| Occluders::joined(&sights));
                    // Its line of sight is wasm memory the budget covers too.
                    let bytes = gpu + sight.as_ref().map_or(0, Occluders::bytes);
                    (t.bytes, t.gpu) = (t.bytes + bytes, t.gpu + gpu);
                    let new = TileContents { contents: made.into_iter().map(|(id, _)| id).collect(), bytes, gpu, seen: t.tick, sight, solid: *solid };
                    // Fetched again for its triangles: the copy drawn until now goes.
                    if let Some(old) = t.loaded.insert(tile, new) {
                        t.bytes = t.bytes.saturating_sub(old.bytes);
                        t.gpu = t.gpu.saturating_sub(old.gpu);
                        old.free(&mut s.renderer);
                        s.pois.occluders = None;
                        s.walking.stale = true;
                    }
                    evict(t, s.tiles.budget, &mut s.renderer);
                    s.dirty = true;
                    Ok(true.into())
                }
                (result, current) => {
                    for (id, _) in made {
                        s.renderer.remove_content(id);
                    }
                    if let Some(t) = current {
                        t.pending[tile] = false;
                        if result.is_err() {
                            t.failed[tile] = true;
                        }
                        s.dirty = true;
                    }
                    result.map(|_| false.into()).map_err(to_js)
                }
            }
        })
    }

    /// `{ tiles, loaded, drawn, wanted, pending, failed, bytes, gpuBytes, wasmBytes, budget }` of
    /// the tileset shown (null when none is): `bytes` (GPU and the tiles' line of sight in wasm)
    /// is what the budget holds.
    #[wasm_bindgen(js_name = tilesInfo)]
    pub fn tiles_info(&self) -> Result<JsValue, JsValue> {
        let s = self.state.borrow();
        let Some(t) = s.tiles.set.as_ref() else { return Ok(JsValue::NULL) };
        let count = |v: &[bool]| v.iter().filter(|&&b| b).count();
        let info = TilesInfo { tiles: t.set.tiles.len(), loaded: t.loaded.len(), drawn: t.drawn.len(), wanted: t.want.len(), pending: count(&t.pending), failed: count(&t.failed), bytes: t.bytes as f64, gpu_bytes: t.gpu as f64, wasm_bytes: t.bytes.saturating_sub(t.gpu) as f64, budget: s.tiles.budget as f64 };
        info.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(to_js)
    }

    /// The GPU bytes tiles may hold (least recently drawn freed past it), and the screen-space
    /// error in pixels a tile may show before its children are wanted (16 by default).
    #[wasm_bindgen(js_name = setTilesLimits)]
    pub fn set_tiles_limits(&self, budget_bytes: f64, max_sse: f64) {
        let mut s = self.state.borrow_mut();
        if budget_bytes.is_finite() && budget_bytes >= 0.0 {
            s.tiles.budget = budget_bytes as u64;
        }
        if max_sse.is_finite() && max_sse > 0.0 {
            s.tiles.max_sse = max_sse;
        }
        let s = &mut *s;
        if let Some(t) = s.tiles.set.as_mut() {
            evict(t, s.tiles.budget, &mut s.renderer);
        }
        s.dirty = true;
    }
}

/// `Viewer::add_tile`'s work: each content decoded and placed; `made` gets each finished
/// content and its GPU bytes. Ok(false) for a late or repeated answer.
async fn add_tile(state: &Rc<RefCell<State>>, generation: u32, tile: usize, files: Vec<js_sys::Uint8Array>, tangents: Option<js_sys::Function>, decode: Option<js_sys::Function>, made: &mut Vec<(ContentId, u64)>, sights: &mut Vec<Occluders>, solid: &mut bool) -> Result<bool, String> {
    let (urls, transform, signal, implicit) = {
        let mut s = state.borrow_mut();
        let s = &mut *s;
        let Some(t) = s.tiles.set.as_mut().filter(|t| t.generation == generation && tile < t.set.tiles.len()) else { return Ok(false) };
        // (A tile already there is fetched again only for the triangles walking or labels need.)
        let sight_wanted = t.solid || !s.pois.pois.is_empty();
        let again = sight_wanted && t.loaded.get(&tile).is_some_and(|c| !c.solid);
        if t.pending[tile] || (t.loaded.contains_key(&tile) && !again) || t.set.tiles[tile].contents.is_empty() {
            return Ok(false);
        }
        t.pending[tile] = true;
        *solid = sight_wanted;
        (t.set.tiles[tile].contents.clone(), t.set.tiles[tile].transform, t.abort.signal(), t.set.tiles[tile].implicit.is_some())
    };
    let name = |url: &str| format!("tile {}", url.rsplit('/').next().unwrap_or(url));
    if files.len() != urls.len() {
        return Err(format!("{}: {} contents given for {}", name(&urls[0]), files.len(), urls.len()));
    }
    let current = || state.borrow().tiles.set.as_ref().is_some_and(|t| t.generation == generation);
    if implicit {
        let mut s = state.borrow_mut();
        let Some(t) = s.tiles.set.as_mut().filter(|t| t.generation == generation) else { return Ok(false) };
        t.set.expand(tile, &files[0].to_vec()).map_err(|e| format!("subtree {}: {e}", name(&urls[0])))?;
        t.grown(tile);
        s.dirty = true;
        // The tile has its own content now (fetched next, if any) and children.
        return Ok(false);
    }
    for (file, url) in files.iter().zip(&urls) {
        if Tileset::is_external(url) {
            if urls.len() != 1 {
                return Err(format!("{}: an external tileset must be a tile's only content", name(url)));
            }
            let sub = Tileset::read_under(&file.to_vec(), transform).map_err(|e| format!("{url}: {e}"))?;
            let mut s = state.borrow_mut();
            let Some(t) = s.tiles.set.as_mut().filter(|t| t.generation == generation) else { return Ok(false) };
            let roots = t.set.implicit.len();
            let added = t.set.graft(tile, sub).map_err(|e| format!("{url}: {e}"))?;
            resolve(&mut t.set, added, roots, url);
            t.grown(tile);
            s.dirty = true;
            // The tile only groups now: nothing of its own to draw, its children to fetch.
            return Ok(false);
        }
        for piece in pieces(file).map_err(|e| format!("{}: {e}", name(url)))? {
            let bytes = JsBytes(file.subarray(piece.glb.start as u32, piece.glb.end as u32));
            let progress = Progress::new(Box::new(|_, _| {}));
            let mut content = None;
            let decoded = decode_model(state, url, Box::new(bytes), &signal, &progress, tangents.as_ref(), decode.as_ref(), &|| !current(), &mut content).await;
            let Some(id) = content else { return decoded.map(|_| false).map_err(|e| format!("{}: {e}", name(url))) };
            let Decoded { mut scene, bitmaps, .. } = match decoded {
                Ok(d) => d,
                Err(e) => {
                    state.borrow_mut().renderer.remove_content(id);
                    return Err(format!("{}: {e}", name(url)));
                }
            };
            let mut s = state.borrow_mut();
            let s = &mut *s;
            let Some(t) = s.tiles.set.as_ref().filter(|t| t.generation == generation) else {
                s.renderer.remove_content(id);
                return Ok(false);
            };
            // Tile frame → renderer frame, with the glTF's y-up turned to 3D Tiles' z-up.
            let y_to_z = DMat4::from_rotation_x(std::f64::consts::FRAC_PI_2);
            let base = t.frame * transform * DMat4::from_translation(piece.rtc);
            let at: Vec<DMat4> = match &piece.instances {
                Some(list) => list.iter().map(|i| base * *i * y_to_z).collect(),
                None => vec![base * y_to_z],
            };
            let index = place(&mut scene, &at);
            if *solid {
                sights.push(scene.occluders(index));
            }
            let before = s.renderer.content_bytes();
            s.renderer.finish_content(id, &scene, &bitmaps, index);
            made.push((id, s.renderer.content_bytes().saturating_sub(before)));
            for b in bitmaps.iter().flatten() {
                b.close();
            }
            if let Some(e) = s.renderer.take_error() {
                return Err(format!("{}: the GPU refused it: {e}", name(url)));
            }
        }
    }
    Ok(true)
}
