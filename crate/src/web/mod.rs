//! The web shell: the only room that touches wasm-bindgen and the DOM. One `Viewer` handle per
//! `<scenic-viewer>` element; the element's JS forwards attributes, input and animation frames.

mod animation;
#[cfg(feature = "ar")]
mod ar;
mod decoders;
mod environment;
mod fetch;
mod gyro;
mod lite;
mod minimap;
#[cfg(feature = "panorama")]
mod panorama;
mod pois;
mod shadow;
#[cfg(feature = "tiles")]
mod tiles;
#[cfg(feature = "tour")]
mod tour;
mod walk;
// The lite bundle's stand-ins for the rooms it leaves out.
#[cfg(not(feature = "ar"))]
use lite::ar;
#[cfg(not(feature = "panorama"))]
use lite::panorama;
#[cfg(not(feature = "tiles"))]
use lite::tiles;

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use crate::camera::{CameraSpec, OrbitCamera};
use crate::gltf::{self as loader, Fetched, ResourceKind};
use crate::render::{self, Backend, ContentId, Renderer, Texels, View};
use crate::scene::{Indices, Projection, Scene};
use crate::geometry::simplify::share;
use fetch::{Progress, fetch_bytes, start_decode};

/// Every future's output, in order, once all are done. Not futures' `join_all`: past 30 futures
/// it switches to `FuturesOrdered` (a task list and a binary heap), ~3 KB of the module for each
/// of the four uses. Polling the pending ones on each wake is cheap for a model's few hundred
/// fetches and decodes, each a JS promise.
pub(crate) async fn join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    use std::task::Poll;
    let mut pending: Vec<Option<std::pin::Pin<Box<F>>>> = futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut done: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (slot, out) in pending.iter_mut().zip(&mut done) {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => {
                        *out = Some(v);
                        *slot = None;
                    }
                    Poll::Pending => waiting = true,
                }
            }
        }
        if waiting { Poll::Pending } else { Poll::Ready(()) }
    })
    .await;
    done.into_iter().flatten().collect()
}

pub(crate) fn js_error(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// The loaded model: its scene data, the glTF scene shown, and that scene's bounds (computed
/// once per scene, read by framing and every overlay frame).
struct Loaded {
    /// The model's content in the renderer.
    content: ContentId,
    scene: Scene,
    index: usize,
    bounds: crate::geometry::Aabb,
}

impl Loaded {
    fn show(&mut self, index: usize) {
        self.index = index;
        self.bounds = self.scene.bounds(index);
    }
}

struct State {
    renderer: Renderer,
    camera: OrbitCamera,
    model: Option<Loaded>,
    /// Bumped by every load; an older load that finishes late is dropped.
    generation: u32,
    abort: Option<web_sys::AbortController>,
    last_ms: Option<f64>,
    dirty: bool,
    exposure: f32,
    pois: pois::Placed,
    /// Location AR and the AR map: the visitor's position and the phone's orientation.
    ar: ar::ArState,
    /// A geo-reference given by the page, over the model's own.
    geo_override: Option<crate::poi::GeoReference>,
    /// The page's `camera-orbit` / `camera-target`: applied whenever the view is (re)framed.
    camera_spec: CameraSpec,
    /// Auto-rotate speed in radians per second (0 = off).
    auto_rotate: f32,
    /// Set by input; the next frame notes the time, and auto-rotate waits `AUTO_ROTATE_DELAY` after it.
    interacted: bool,
    idle_since: f64,
    /// The clip being played or shown, if the model has any.
    playback: Option<crate::scene::animation::Playback>,
    /// Poses and deforms the model (its code a part of its own in the lite bundles); none until a
    /// model that animates or deforms has loaded, or when its part could not be fetched.
    poser: Option<&'static dyn animation::Poser>,
    /// "loop" or "finished", until the page takes it (`takeAnimationEvent`).
    animation_event: Option<&'static str>,
    /// The guided tour the page gave (`tour` attribute, `setTour`).
    #[cfg(feature = "tour")]
    tour: Option<crate::tour::Tour>,
    /// Walk mode (`camera-mode="walk"`): the first-person camera, when in use.
    walking: walk::WalkState,
    /// 360° panoramas: the page's list and the one shown.
    #[cfg_attr(not(feature = "panorama"), allow(dead_code))]
    panoramas: panorama::PanoramaState,
    /// Gyro look in walk mode and panoramas.
    gyro: gyro::Gyro,
    /// A streamed 3D Tiles tileset (`tiles` attribute), alone or round the model.
    #[cfg_attr(not(feature = "tiles"), allow(dead_code))]
    tiles: tiles::TilesState,
    /// Bytes a model may take once shown (`memory-budget`); a larger one is refused before it is decoded.
    memory_budget: u64,
    /// `environment-image` and `skybox-image`, prefiltered: kept for the renderer.
    environment_images: environment::EnvironmentImages,
    /// `shadow-intensity`, `shadow-softness`, and the shadow made for the model.
    shadow: shadow::ShadowState,
}

impl State {
    /// Where the scene sits on the earth: the page's geo-reference, else the model's, else the
    /// tileset's (its local frame's origin).
    fn geo(&self) -> Option<crate::poi::GeoReference> {
        self.placed_geo().or_else(|| tiles::geo(self))
    }

    /// Where the page or the model places the scene (what an earth tileset is drawn by).
    fn placed_geo(&self) -> Option<crate::poi::GeoReference> {
        self.geo_override.or_else(|| self.model.as_ref().and_then(|m| m.scene.geo_reference))
    }
}

/// Line of sight over what is drawn (labels hidden behind it, flights lifted over it, the
/// ground under a tap): the model's triangles, built once per model, joined with those of the
/// tiles drawn now (built as each tile arrived while POIs were shown). Dropped when either
/// changes; joining shares the BVHs.
fn sight(s: &mut State) -> Option<&crate::geometry::bvh::Occluders> {
    if s.pois.occluders.is_none() {
        if s.pois.model_sight.is_none() {
            s.pois.model_sight = s.model.as_ref().map(|m| m.scene.occluders(m.index));
        }
        let tiles = tiles::sights(s);
        if s.pois.model_sight.is_some() || !tiles.is_empty() {
            let joined = crate::geometry::bvh::Occluders::joined(s.pois.model_sight.iter().chain(tiles));
            s.pois.occluders = Some(joined);
        }
    }
    s.pois.occluders.as_ref()
}

/// Auto-rotate resumes this long after the last touch (as model-viewer's default).
const AUTO_ROTATE_DELAY_MS: f64 = 3000.0;

thread_local! {
    /// Every live viewer, for `gpuStats`.
    static LIVE: RefCell<Vec<std::rc::Weak<RefCell<State>>>> = const { RefCell::new(Vec::new()) };
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GpuStats {
    viewers: usize,
    devices: u32,
    /// GPU bytes held by all viewers' scenes, and with their render targets.
    scene_bytes: f64,
    gpu_bytes: f64,
    /// The wasm instance's linear memory (CPU side; it only grows).
    wasm_bytes: f64,
    /// Draw calls in all viewers' last frames (an instanced draw of many copies counts once).
    draws: u32,
}

/// What this bundle holds on the GPU right now: live viewers, open devices and bytes. Lets a page
/// (and the tests) check that removed viewers and replaced scenes were released.
#[wasm_bindgen(js_name = gpuStats)]
pub fn gpu_stats() -> Result<JsValue, JsValue> {
    let wasm_bytes = wasm_bindgen::memory().dyn_into::<js_sys::WebAssembly::Memory>().map(|m| m.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length()).unwrap_or(0);
    let mut stats = GpuStats { viewers: 0, devices: render::live_devices(), scene_bytes: 0.0, gpu_bytes: 0.0, wasm_bytes: f64::from(wasm_bytes), draws: 0 };
    LIVE.with(|live| {
        let mut live = live.borrow_mut();
        live.retain(|w| w.strong_count() > 0);
        for state in live.iter().filter_map(std::rc::Weak::upgrade) {
            stats.viewers += 1;
            if let Ok(s) = state.try_borrow() {
                stats.scene_bytes += s.renderer.content_bytes() as f64;
                stats.gpu_bytes += s.renderer.gpu_bytes() as f64;
                stats.draws += s.renderer.frame_draws();
            }
        }
    });
    serde_wasm_bindgen::to_value(&stats).map_err(to_js)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LoadInfo {
    warnings: Vec<String>,
    /// What the model shows without because it could not be fetched: said in the page, where
    /// `warnings` (the file's own faults) go to the console.
    notices: Vec<String>,
    scenes: Vec<String>,
    scene: usize,
    cameras: Vec<String>,
    triangles: usize,
    images: usize,
    /// Animation clip names (model-viewer's `availableAnimations`).
    animations: Vec<String>,
}

#[derive(serde::Deserialize, Default)]
struct Options {
    backend: Option<String>,
}

/// One viewer bound to one canvas.
#[wasm_bindgen]
pub struct Viewer {
    state: Rc<RefCell<State>>,
    /// POIs read by `readPois`, waiting for `setPois`.
    staged: Rc<RefCell<pois::Staged>>,
}

// Every method borrows the state only for synchronous work (no borrow is held across an
// await), so calls from the page never meet a borrowed cell.

fn to_js(e: impl std::fmt::Display) -> JsValue {
    js_sys::Error::new(&e.to_string()).into()
}

/// Hands MikkTSpace's inputs to `run` (see `Viewer::load`: www/features/tangents.js runs the
/// decoders/mikktspace module, in a worker or on the page), or why it could not.
fn tangents_elsewhere(run: Option<&js_sys::Function>, (positions, normals, uvs, indices): loader::TangentInputs) -> impl std::future::Future<Output = Result<Vec<[f32; 4]>, String>> + use<> {
    // The arrays are copied out now: the future holds no borrow of the scene.
    let started = run.ok_or_else(|| "no tangent module was given".to_string()).and_then(|run| {
        let args = js_sys::Array::of4(
            &js_sys::Float32Array::from(bytemuck::cast_slice::<_, f32>(positions)),
            &js_sys::Float32Array::from(bytemuck::cast_slice::<_, f32>(normals)),
            &js_sys::Float32Array::from(bytemuck::cast_slice::<_, f32>(uvs)),
            // 16-bit indices are widened in JS, not in wasm memory (which never shrinks).
            &match indices {
                None => JsValue::UNDEFINED,
                Some(Indices::U16(v)) => js_sys::Uint32Array::new(&js_sys::Uint16Array::from(&v[..])).into(),
                Some(Indices::U32(v)) => js_sys::Uint32Array::from(&v[..]).into(),
            },
        );
        run.apply(&JsValue::NULL, &args).map_err(|e| js_error(&e))?.dyn_into::<js_sys::Promise>().map_err(|_| "the tangent module gave no promise".to_string())
    });
    async move {
        let out = JsFuture::from(started?).await.map_err(|e| js_error(&e))?;
        let out = out.dyn_into::<js_sys::Float32Array>().map_err(|_| "the tangent module gave no Float32Array".to_string())?.to_vec();
        bytemuck::allocation::try_cast_vec(out).map_err(|_| "the tangents came back in pieces".to_string())
    }
}

/// The backends this build can open, best first.
#[wasm_bindgen(js_name = availableBackends)]
pub fn available_backends() -> Vec<String> {
    render::available().into_iter().map(|b| b.name().to_string()).collect()
}

#[wasm_bindgen]
impl Viewer {
    /// Opens a viewer on `canvas`. `options.backend`: "webgpu", "webgl2" or "auto" (WebGPU when
    /// an adapter is actually obtained, else WebGL2 when this build has it). `on_lost` is called
    /// if the GPU context is lost later (a driver reset, a GPU process crash, a tab the browser
    /// evicted from the GPU): the page then opens a new viewer (see `lost`).
    pub fn create(canvas: web_sys::HtmlCanvasElement, options: JsValue, on_lost: Option<js_sys::Function>) -> js_sys::Promise {
        future_to_promise(async move {
            let opts: Options = if options.is_undefined() || options.is_null() {
                Options::default()
            } else {
                serde_wasm_bindgen::from_value(options).map_err(|e| JsValue::from(js_sys::TypeError::new(&format!("viewer options: {e}"))))?
            };
            let want = opts.backend.as_deref().unwrap_or("auto");
            let order: Vec<Backend> = match want {
                "webgpu" => vec![Backend::WebGpu],
                "webgl2" => vec![Backend::WebGl2],
                "auto" => vec![Backend::WebGpu, Backend::WebGl2],
                other => return Err(js_sys::TypeError::new(&format!("backend must be auto, webgpu or webgl2, not {other:?}")).into()),
            };
            let mut errors = Vec::new();
            for b in order {
                match render::open(canvas.clone(), b, on_lost.clone()).await {
                    Ok(renderer) => {
                        let state = State {
                            renderer,
                            camera: OrbitCamera::default(),
                            model: None,
                            generation: 0,
                            abort: None,
                            last_ms: None,
                            dirty: true,
                            exposure: 1.0,
                            pois: Default::default(),
                            ar: Default::default(),
                            geo_override: None,
                            camera_spec: CameraSpec::default(),
                            auto_rotate: 0.0,
                            interacted: false,
                            playback: None,
                            animation_event: None,
                            poser: None,
                            #[cfg(feature = "tour")]
                            tour: None,
                            walking: Default::default(),
                            panoramas: Default::default(),
                            gyro: Default::default(),
                            tiles: Default::default(),
                            idle_since: f64::NEG_INFINITY,
                            memory_budget: u64::MAX,
                            environment_images: Default::default(),
                            shadow: Default::default(),
                        };
                        let state = Rc::new(RefCell::new(state));
                        LIVE.with(|l| l.borrow_mut().push(Rc::downgrade(&state)));
                        return Ok(Viewer { state, staged: Default::default() }.into());
                    }
                    Err(e) => errors.push(e),
                }
            }
            Err(to_js(errors.join("; ")))
        })
    }

    /// MiB a model may take once shown (geometry and textures, estimated from the file before
    /// it is decoded); not a positive number: no limit.
    #[wasm_bindgen(js_name = setMemoryBudget)]
    pub fn set_memory_budget(&self, mib: f64) {
        self.state.borrow_mut().memory_budget = if mib.is_finite() && mib > 0.0 { (mib * 1048576.0) as u64 } else { u64::MAX };
    }

    /// Whether the GPU context is lost: nothing is drawn any more.
    #[wasm_bindgen(getter)]
    pub fn lost(&self) -> bool {
        self.state.borrow().renderer.is_lost()
    }

    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.state.borrow().renderer.backend().name().to_string()
    }

    /// Loads a glTF/GLB from `url`, calling `on_progress(loaded, total)` as bytes arrive.
    /// `response`, when given, is a `fetch(url)` the page started already (so the model downloads
    /// while the wasm and the GPU start up). `tangents`, when given, is
    /// `(positions, normals, uvs, indices?) => Promise<Float32Array>` running MikkTSpace elsewhere
    /// (a worker: its memory is freed after, this module's never shrinks), first called with
    /// just this `WebAssembly.Module` to start up; where it fails they are generated here.
    /// `decode`, when given, is `({ extension, mode, filter, count, stride }, source) =>
    /// Promise<Uint8Array>` running a decoder module (www/features/decoders.js: meshopt for
    /// compressed buffer views, Draco for compressed primitives), called only for a file that has
    /// them; such a file fails to load without it.
    /// Resolves with what was loaded (warnings, scenes, cameras); rejects with a readable message.
    pub fn load(&self, url: String, on_progress: js_sys::Function, response: Option<js_sys::Promise>, tangents: Option<js_sys::Function>, decode: Option<js_sys::Function>) -> js_sys::Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let mut content = None;
            let loaded = load(&state, &url, on_progress, response, tangents, decode, &mut content).await;
            // A failed or superseded load leaves nothing on the GPU.
            if let (Err(_), Some(c)) = (&loaded, content) {
                state.borrow_mut().renderer.remove_content(c);
            }
            loaded
        })
    }
}

/// `Viewer::load`'s work; `content` is set once the model has a content in the renderer.
#[allow(clippy::too_many_arguments)]
async fn load(
    state: &Rc<RefCell<State>>,
    url: &str,
    on_progress: js_sys::Function,
    response: Option<js_sys::Promise>,
    tangents: Option<js_sys::Function>,
    decode: Option<js_sys::Function>,
    content: &mut Option<ContentId>,
) -> Result<JsValue, JsValue> {
    let url = url.to_string();
    let (generation, signal) = {
        let mut s = state.borrow_mut();
        if let Some(a) = s.abort.take() {
            a.abort();
        }
        s.generation += 1;
        let controller = web_sys::AbortController::new().map_err(|e| to_js(js_error(&e)))?;
        let signal = controller.signal();
        s.abort = Some(controller);
        (s.generation, signal)
    };
    let progress = Progress::new(Box::new(move |l, t| {
        let _ = on_progress.call2(&JsValue::NULL, &l.into(), &t.into());
    }));
    let stale = || state.borrow().generation != generation;
    let bytes = match response {
        Some(r) => fetch::read_response(r, &progress).await,
        None => fetch_bytes(&url, &signal, &progress).await,
    }
    .map_err(|e| to_js(format!("could not load {url}: {e}")))?;
    let Decoded { mut scene, bitmaps, warnings } = decode_model(state, &url, Box::new(bytes), &signal, &progress, tangents.as_ref(), decode.as_ref(), &stale, content).await.map_err(to_js)?;
    let id = content.ok_or_else(|| to_js("no content"))?;
    let poser = state.borrow().poser;
    let mut notices = Vec::new();
    // A model that animates or deforms waits for the poser (its part was asked for with the
    // file's JSON); without it the model is shown at rest, and says so.
    let poser = match poser {
        None if !scene.animations.is_empty() || !scene.deformed_meshes().is_empty() => animation::poser().await.map_err(|n| notices.push(n)).ok(),
        p => p,
    };
    if stale() {
        return Err(to_js("superseded by a newer load"));
    }
    let mut s = state.borrow_mut();
    panorama::close(&mut s);
    let index = scene.default_scene.min(scene.scenes.len().saturating_sub(1));
    // The old model's GPU memory is freed before the new one's textures arrive.
    if let Some(old) = s.model.take() {
        s.renderer.remove_content(old.content);
    }
    // And its shadow (the page asks for the new model's).
    if let Some(c) = s.shadow.content.take() {
        s.renderer.remove_content(c);
    }
    s.renderer.finish_content(id, &scene, &bitmaps, index);
    s.renderer.check_uploads();
    // Those that waited for tangents are on the GPU now too.
    let total = scene.triangle_count() as u64;
    scene.meshes.iter_mut().flat_map(|m| &mut m.primitives).for_each(|p| p.strip(share(p.triangle_count(), total)));
    // Skins and default morph weights pose the meshes even when nothing plays.
    s.poser = s.poser.or(poser);
    if poser.is_some_and(|p| animation::deform(p, &mut s.renderer, id, &mut scene)) {
        s.renderer.show_scene(id, &scene, index);
    }
    for b in bitmaps.iter().flatten() {
        b.close();
    }
    let bounds = scene.bounds(index);
    let spec = s.camera_spec;
    s.camera.frame_with(bounds, &spec);
    s.dirty = true;
    let info = LoadInfo {
        warnings,
        notices,
        scenes: scene.scenes.iter().enumerate().map(|(i, r)| r.name.clone().unwrap_or_else(|| format!("Scene {i}"))).collect(),
        scene: index,
        cameras: scene.cameras.iter().enumerate().map(|(i, c)| c.name.clone().unwrap_or_else(|| format!("Camera {i}"))).collect(),
        triangles: scene.triangle_count(),
        images: scene.images.len(),
        animations: animation::names(&scene),
    };
    s.playback = (!scene.animations.is_empty()).then(|| crate::scene::animation::Playback::new(0));
    s.animation_event = None;
    s.model = Some(Loaded { content: id, scene, index, bounds });
    // An earth tileset beside the model is drawn where the model's geo-reference says.
    tiles::reframe(&mut s);
    s.pois.occluders = None;
    s.pois.model_sight = None;
    s.walking = Default::default();
    if let Some(e) = s.renderer.take_error() {
        return Err(to_js(format!("the GPU refused the scene: {e}")));
    }
    serde_wasm_bindgen::to_value(&info).map_err(to_js)
}

/// A model decoded, with its primitives uploaded to a content not yet finished.
struct Decoded {
    scene: Scene,
    /// Decoded images by glTF image index (none where one could not be decoded).
    bitmaps: Vec<Option<crate::render::Texels>>,
    warnings: Vec<String>,
}

/// Bytes to a decoded model: the glTF read, its buffers and images fetched relative to `url`,
/// compressed streams decoded, primitives uploaded to a new content (`content`) as they are
/// built, tangents made and images decoded. The caller finishes the content.
#[allow(clippy::too_many_arguments)]
async fn decode_model(
    state: &Rc<RefCell<State>>,
    url: &str,
    bytes: Box<dyn loader::Bytes>,
    signal: &web_sys::AbortSignal,
    progress: &Progress,
    tangents: Option<&js_sys::Function>,
    decode: Option<&js_sys::Function>,
    stale: &dyn Fn() -> bool,
    content: &mut Option<ContentId>,
) -> Result<Decoded, String> {
    let parsed = loader::parse_file(bytes).map_err(|e| format!("{url}: {e}"))?;
    if animation::wanted(parsed.document()) {
        animation::prefetch();
    }
    // A worker for the tangents starts now, with this compiled module, while the rest loads.
    if let Some(run) = tangents.filter(|_| parsed.may_need_tangents()) {
        let _ = run.call1(&JsValue::NULL, &wasm_bindgen::module());
    }
    // Buffers and images are fetched in parallel.
    let refs = parsed.external_refs();
    let urls: Vec<String> = refs.iter().map(|r| loader::uri::resolve(&url, &r.uri)).collect();
    let results = join_all(urls.iter().map(|u| fetch_bytes(u, signal, progress))).await;
    let mut fetched = Fetched::default();
    for ((r, u), res) in refs.iter().zip(&urls).zip(results) {
        let data = res.map_err(|e| format!("could not load {u}: {e}"))?;
        match r.kind {
            ResourceKind::Buffer => fetched.buffers.push((r.index, Box::new(data))),
            ResourceKind::Image => fetched.images.push((r.index, Box::new(data))),
        }
    }
    decoders::decode(&parsed, &mut fetched, decode).await.map_err(|e| format!("{url}: {e}"))?;
    if stale() {
        return Err("superseded by a newer load".into());
    }
    // Refused before anything is decoded, rather than a tab the phone kills half way.
    let (budget, max_side, block_formats) = {
        let s = state.borrow();
        (s.memory_budget, s.renderer.max_texture_size(), s.renderer.block_formats())
    };
    parsed.estimate(&fetched, max_side, !block_formats.is_empty()).within(budget).map_err(|e| format!("{url}: {e}"))?;
    // Images start decoding in the browser as soon as they are out of the file; meshes
    // and tangents are built meanwhile.
    let mut started: Vec<Result<Option<js_sys::Promise>, String>> = Vec::new();
    // Each primitive goes to the GPU as soon as it is decoded and keeps only positions
    // and indices: the decoded streams of the whole model never sit in wasm memory at
    // once (its high-water mark is what the viewer keeps).
    let id = state.borrow_mut().renderer.begin_content();
    *content = Some(id);
    // A model of millions of triangles keeps a simplified copy for line of sight.
    let total = loader::budget::triangles(parsed.document());
    let loaded = {
        let mut s = state.borrow_mut();
        loader::build_with(
            parsed,
            fetched,
            &mut |i, mime, bytes, range| {
                started.resize_with(started.len().max(i + 1), || Ok(None));
                // A KTX2 the GPU cannot take as blocks (one without mips, too large) comes as
                // RGBA8, for the browser to scale down.
                let blocks = loader::budget::ktx2_header(bytes, range.start, range.len()).is_none_or(|(w, h, l)| loader::budget::ktx2_on_gpu(w, h, l, max_side));
                let array = fetch::js_array(bytes, range);
                started[i] = if mime == "image/ktx2" {
                    decoders::start_ktx2(decode, &array, if blocks { &block_formats } else { &[] })
                } else {
                    start_decode(&array, mime)
                }
                .map(Some);
            },
            &mut |mesh, i, p, read| {
                s.renderer.upload_primitive(id, mesh, i, p, read);
                p.strip(share(p.triangle_count(), total));
            },
        )
    }
    .map_err(|e| format!("{url}: {e}"))?;
    started.resize_with(loaded.scene.images.len(), || Ok(None));
    let mut warnings = loaded.report.warnings;
    let mut scene = loaded.scene;
    // Tangents are generated while the images decode.
    let jobs = loaded.tangents;
    let elsewhere = join_all(jobs.iter().map(|job| tangents_elsewhere(tangents, job.inputs(&scene))));
    let decoding = join_all(started.into_iter().map(|s| async move {
        match s? {
            Some(p) => decoders::texels(p).await.map(Some),
            None => Ok(None),
        }
    }));
    let (decoded, generated) = futures::future::join(decoding, elsewhere).await;
    // MikkTSpace is not in this bundle (see tangents_elsewhere): where its module could not
    // run, the normal map is drawn flat, and said.
    for (job, corners) in jobs.iter().zip(generated) {
        if let Err(e) = corners.and_then(|c| if job.apply(&mut scene, c) { Ok(()) } else { Err("the wrong number of tangents came back".into()) }) {
            warnings.push(format!("/meshes/{}/primitives/{}: its normal map is drawn flat: its tangents could not be made ({e})", job.mesh, job.primitive));
        }
    }
    let mut bitmaps = Vec::new();
    let max = state.borrow().renderer.max_texture_size();
    for (i, d) in decoded.into_iter().enumerate() {
        // Larger than the GPU takes: scaled to fit, as the GPU would refuse it (phones: 4096).
        let ktx2 = scene.images.get(i).is_some_and(|im| im.mime == "image/ktx2");
        let d = match d {
            Ok(Some(Texels::Bitmap(b))) => match (b.width(), b.height(), fetch::fit(&b, max).await) {
                (_, _, Ok(None)) => Ok(Some(Texels::Bitmap(b))),
                (w, h, Ok(Some(smaller))) => {
                    warnings.push(format!("/images/{i}: {w}×{h} is larger than this GPU's {max}-pixel texture limit; drawn at {}×{}", smaller.width(), smaller.height()));
                    Ok(Some(Texels::Bitmap(smaller)))
                }
                (_, _, Err(e)) => Err(e),
            },
            // A block chain fits by starting at a smaller level it already has.
            Ok(Some(Texels::Blocks(mut b))) => {
                let (w, h) = (b.width, b.height);
                while b.width.max(b.height) > max && b.levels.len() > 1 {
                    b.levels.remove(0);
                    (b.width, b.height) = ((b.width / 2).max(1), (b.height / 2).max(1));
                }
                if b.width.max(b.height) > max || b.width % 4 != 0 || b.height % 4 != 0 {
                    Err(format!("{w}×{h} is larger than this GPU's {max}-pixel texture limit and has no smaller level in whole blocks"))
                } else {
                    if (w, h) != (b.width, b.height) {
                        warnings.push(format!("/images/{i}: {w}×{h} is larger than this GPU's {max}-pixel texture limit; drawn at {}×{}", b.width, b.height));
                    }
                    Ok(Some(Texels::Blocks(b)))
                }
            }
            other => other,
        };
        match d {
            Ok(b) => bitmaps.push(b),
            Err(e) if ktx2 => {
                warnings.push(format!("/images/{i}: the KTX2 image could not be transcoded ({e}); its textures are left out"));
                bitmaps.push(None);
            }
            Err(e) => {
                warnings.push(format!("/images/{i}: the browser could not decode it ({e}); its textures are left out"));
                bitmaps.push(None);
            }
        }
    }
    Ok(Decoded { scene, bitmaps, warnings })
}

#[wasm_bindgen]
impl Viewer {
    /// Drops the current model and frees its GPU memory.
    pub fn unload(&self) {
        let mut s = self.state.borrow_mut();
        if let Some(a) = s.abort.take() {
            a.abort();
        }
        s.generation += 1;
        panorama::close(&mut s);
        if let Some(old) = s.model.take() {
            s.renderer.remove_content(old.content);
        }
        s.playback = None;
        s.pois.occluders = None;
        s.pois.model_sight = None;
        s.walking = Default::default();
        s.dirty = true;
    }

    /// Shows glTF scene `index` of the loaded model.
    #[wasm_bindgen(js_name = setScene)]
    pub fn set_scene(&self, index: usize) -> Result<(), JsValue> {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let model = s.model.as_mut().ok_or_else(|| to_js("no model is loaded"))?;
        if index >= model.scene.scenes.len() {
            return Err(to_js(format!("scene {index} does not exist ({} scenes)", model.scene.scenes.len())));
        }
        model.show(index);
        s.pois.occluders = None;
        s.pois.model_sight = None;
        s.walking = Default::default();
        s.renderer.show_scene(model.content, &model.scene, index);
        s.camera.frame_with(model.bounds, &s.camera_spec);
        s.dirty = true;
        Ok(())
    }

    /// Moves the orbit camera to glTF camera `index` (its pose and field of view).
    #[wasm_bindgen(js_name = useCamera)]
    pub fn use_camera(&self, index: usize) -> Result<(), JsValue> {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        let model = s.model.as_ref().ok_or_else(|| to_js("no model is loaded"))?;
        let (_, cams) = model.scene.flatten(model.index);
        let placed = cams.iter().find(|c| c.camera == index).ok_or_else(|| to_js(format!("camera {index} is not placed in this scene")))?;
        let fov = match model.scene.cameras[index].projection {
            Projection::Perspective { yfov, .. } => Some(yfov),
            Projection::Orthographic { .. } => None,
        };
        s.camera.set_pose(placed.world, fov);
        s.dirty = true;
        Ok(())
    }

    /// Sets the drawing buffer size in device pixels (CSS size × devicePixelRatio).
    pub fn resize(&self, width: u32, height: u32) {
        let mut s = self.state.borrow_mut();
        s.renderer.resize(width, height);
        s.dirty = true;
    }

    /// Drag to orbit, by fractions of the viewport height.
    /// In walk mode a drag looks round instead.
    pub fn rotate(&self, dx: f32, dy: f32) {
        let mut s = self.state.borrow_mut();
        if panorama::look(&mut s, dx, dy) {
            s.dirty = true;
            s.interacted = true;
            return;
        }
        match s.walking.walk.as_mut() {
            Some(w) => {
                w.look(dx, dy);
                s.dirty = true;
            }
            None => s.camera.rotate(dx, dy),
        }
        s.interacted = true;
    }

    /// Nothing to pan while walking (the joystick and keys move the walker).
    pub fn pan(&self, dx: f32, dy: f32) {
        let mut s = self.state.borrow_mut();
        if s.walking.walk.is_none() {
            s.camera.pan(dx, dy);
        }
        s.interacted = true;
    }

    /// In walk mode the wheel or a pinch strides forward or back.
    pub fn zoom(&self, factor: f32) {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        if panorama::zoom(s, factor) {
            s.dirty = true;
            s.interacted = true;
            return;
        }
        match (s.walking.walk.as_mut(), &s.walking.surfaces) {
            (Some(w), Some(surfaces)) => {
                if factor.is_finite() && factor > 0.0 {
                    w.stride(surfaces, -factor.ln() * 4.0);
                }
                s.dirty = true;
            }
            _ => s.camera.zoom(factor),
        }
        s.interacted = true;
    }

    /// Sets `camera-orbit` and `camera-target` (see `camera::spec`) and re-frames the view with
    /// them. Bad text is refused with a reason and changes nothing.
    #[wasm_bindgen(js_name = setCamera)]
    pub fn set_camera(&self, orbit: &str, target: &str) -> Result<(), JsValue> {
        let spec = CameraSpec::parse(orbit, target).map_err(to_js)?;
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        s.camera_spec = spec;
        if let Some(b) = s.model.as_ref().map(|m| m.bounds).or_else(|| tiles::bounds(s)) {
            s.camera.frame_with(b, &s.camera_spec);
        }
        s.dirty = true;
        Ok(())
    }

    /// The current view: `{ yaw, pitch }` in degrees, `distance` and `target` in metres, as
    /// `camera-orbit` / `camera-target` would write them.
    #[wasm_bindgen(js_name = cameraOrbit)]
    pub fn camera_orbit(&self) -> Result<JsValue, JsValue> {
        #[derive(Serialize)]
        struct Pose {
            yaw: f32,
            pitch: f32,
            distance: f32,
            target: [f32; 3],
        }
        let s = self.state.borrow();
        let o = s.camera.orbit;
        let pose = Pose { yaw: o.yaw.to_degrees(), pitch: o.pitch.to_degrees(), distance: o.distance, target: o.target.to_array() };
        serde_wasm_bindgen::to_value(&pose).map_err(to_js)
    }

    /// Puts the camera where `cameraOrbit()` said it was (a viewer that replaces a lost one).
    #[wasm_bindgen(js_name = restoreOrbit)]
    pub fn restore_orbit(&self, pose: JsValue) -> Result<(), JsValue> {
        #[derive(serde::Deserialize)]
        struct Pose {
            yaw: f32,
            pitch: f32,
            distance: f32,
            target: [f32; 3],
        }
        let p: Pose = serde_wasm_bindgen::from_value(pose).map_err(|e| JsValue::from(js_sys::TypeError::new(&format!("orbit: {e}"))))?;
        if ![p.yaw, p.pitch, p.distance].iter().chain(&p.target).all(|v| v.is_finite()) || p.distance <= 0.0 {
            return Err(js_sys::TypeError::new("orbit: finite angles, target and a positive distance").into());
        }
        let mut s = self.state.borrow_mut();
        s.camera.restore(p.yaw.to_radians(), p.pitch.to_radians(), p.distance, glam::Vec3::from_array(p.target));
        s.dirty = true;
        Ok(())
    }

    /// Turns the view `degrees_per_second` around its target while nobody touches it (0 stops).
    #[wasm_bindgen(js_name = setAutoRotate)]
    pub fn set_auto_rotate(&self, degrees_per_second: f32) {
        let mut s = self.state.borrow_mut();
        s.auto_rotate = if degrees_per_second.is_finite() { degrees_per_second.to_radians() } else { 0.0 };
        s.dirty = true;
    }

    /// Sky and sun preset: daylight, dusk, overcast or night.
    #[wasm_bindgen(js_name = setEnvironment)]
    pub fn set_environment(&self, name: &str) -> Result<(), JsValue> {
        let env = crate::scene::environment::Environment::preset(name).map_err(to_js)?;
        let mut s = self.state.borrow_mut();
        s.renderer.set_environment(env);
        s.dirty = true;
        Ok(())
    }

    /// Re-frames the loaded scene (leaving walk mode).
    pub fn reset(&self) {
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        walk::forget(s);
        panorama::close(s);
        if let Some(b) = s.model.as_ref().map(|m| m.bounds).or_else(|| tiles::bounds(s)) {
            s.camera.frame_with(b, &s.camera_spec);
        } else if !s.pois.anchors.is_empty() {
            // POIs alone: back to the view that frames them.
            s.camera.frame_with(s.pois.bounds(), &s.camera_spec);
        }
        s.dirty = true;
    }

    #[wasm_bindgen(setter)]
    pub fn set_exposure(&self, v: f32) {
        let mut s = self.state.borrow_mut();
        s.exposure = if v.is_finite() { v.clamp(0.0, 16.0) } else { 1.0 };
        s.dirty = true;
    }

    /// Advances damping and draws if anything changed. Returns whether another animation frame
    /// is wanted; the element stops requesting frames when it is false (battery).
    pub fn frame(&self, now_ms: f64) -> Result<bool, JsValue> {
        let mut s = self.state.borrow_mut();
        let dt = s.last_ms.map_or(1.0 / 60.0, |l| ((now_ms - l) / 1000.0) as f32).clamp(0.0, 0.1);
        if std::mem::take(&mut s.interacted) {
            s.idle_since = now_ms;
        }
        let was_flying = s.camera.flying();
        let mut moving = s.camera.update(dt);
        moving |= walk::advance(&mut s, dt);
        moving |= panorama::advance(&mut s, dt);
        if was_flying && !s.camera.flying() {
            // A landed flight counts as a touch: auto-rotate waits before turning the view away.
            s.idle_since = now_ms;
        }
        // Auto-rotate keeps frames coming while it waits out the delay after a touch, then turns.
        // Not while walking or in a panorama: the orbit camera is not the one shown then.
        let spinning = s.auto_rotate != 0.0 && s.model.is_some() && s.walking.walk.is_none() && !panorama::shown(&s);
        if spinning && !moving && now_ms - s.idle_since >= AUTO_ROTATE_DELAY_MS {
            let turn = s.auto_rotate * dt;
            s.camera.spin(turn);
            moving = true;
        }
        let animating = animation::advance(&mut s, dt);
        let wants_more = moving || spinning || animating;
        s.last_ms = if wants_more { Some(now_ms) } else { None };
        if moving || s.dirty {
            s.dirty = false;
            tiles::update(&mut s);
            let view = view_of(&s);
            s.renderer.render(&view).map_err(to_js)?;
        }
        if let Some(e) = s.renderer.take_error() {
            return Err(to_js(format!("GPU error: {e}")));
        }
        Ok(wants_more)
    }

    /// Renders the current view and returns `{width, height, data}` with RGBA8 sRGB pixels,
    /// top row first.
    #[wasm_bindgen(js_name = readPixels)]
    pub fn read_pixels(&self) -> js_sys::Promise {
        let state = self.state.clone();
        future_to_promise(async move {
            let readback = {
                let mut s = state.borrow_mut();
                tiles::update(&mut s);
                let view = view_of(&s);
                s.renderer.read_pixels(&view)
            };
            let render::Image { width: w, height: h, data } = readback.await.map_err(to_js)?;
            let out = js_sys::Object::new();
            js_sys::Reflect::set(&out, &"width".into(), &w.into())?;
            js_sys::Reflect::set(&out, &"height".into(), &h.into())?;
            js_sys::Reflect::set(&out, &"data".into(), &js_sys::Uint8ClampedArray::from(&data[..]))?;
            Ok(out.into())
        })
    }
}

fn view_of(s: &State) -> View {
    let (w, h) = s.renderer.size();
    let aspect = w as f32 / h.max(1) as f32;
    if let Some(v) = panorama::view(s, aspect) {
        return v;
    }
    if let Some(walker) = &s.walking.walk {
        return View { view: walker.view(), proj: walker.projection(aspect), eye: walker.eye(), exposure: s.exposure };
    }
    View { view: s.camera.view(), proj: s.camera.projection(aspect), eye: s.camera.eye(), exposure: s.exposure }
}
