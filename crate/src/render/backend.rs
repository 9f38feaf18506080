//! The one renderer interface the web room sees, and how a backend is opened.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;

use super::{Backend, ContentId, View};
use crate::scene::environment::Environment;
use crate::scene::{Primitive, Scene};

/// A frame read back: RGBA8 sRGB rows, top first.
pub struct Image {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// A decoded glTF image as a backend uploads it.
pub enum Texels {
    /// Decoded by the browser (PNG, JPEG, WebP) or RGBA8 from the Basis module: mipmaps are
    /// made on the GPU.
    Bitmap(web_sys::ImageBitmap),
    /// Block-compressed by the Basis module, its whole mip chain given.
    Blocks(Blocks),
}

pub struct Blocks {
    pub format: super::blocks::BlockFormat,
    pub width: u32,
    pub height: u32,
    /// From the base level down, views into the module's answer.
    pub levels: Vec<js_sys::Uint8Array>,
}

impl Texels {
    pub fn size(&self) -> (u32, u32) {
        match self {
            Texels::Bitmap(b) => (b.width(), b.height()),
            Texels::Blocks(b) => (b.width, b.height),
        }
    }

    /// Frees a bitmap's memory now rather than at garbage collection.
    pub fn close(&self) {
        if let Texels::Bitmap(b) = self {
            b.close();
        }
    }
}

pub type Pending<T> = Pin<Box<dyn Future<Output = Result<T, String>>>>;

/// What every backend does. Contents are referred to by id; GPU handles stay inside.
pub trait RenderBackend {
    fn backend(&self) -> Backend;
    /// The drawing buffer in device pixels.
    fn size(&self) -> (u32, u32);
    /// Follows the canvas size in device pixels, within what the GPU allows.
    fn resize(&mut self, width: u32, height: u32);
    /// Samples per pixel: 4 (multisampled) or 1 (see `samples_for`).
    fn samples(&self) -> u32;
    /// Overrides the multisampling chosen at opening: 4 or 1.
    fn set_samples(&mut self, samples: u32);
    /// The oldest GPU error since the last call, if any.
    fn take_error(&mut self) -> Option<String>;
    /// Whether the GPU context is lost (WebGL context loss, WebGPU device loss): nothing can be
    /// drawn until the viewer opens a new backend and uploads again.
    fn is_lost(&self) -> bool;
    /// The sun and sky preset (its sky lights the scene while no environment image does).
    fn set_environment(&mut self, env: Environment);
    /// Lights the scene from an environment image (None: the preset's sky and sun) and shows a
    /// photo behind it (None: the procedural sky). Uploaded before the next frame.
    fn set_environment_images(&mut self, image: Option<std::rc::Rc<crate::ibl::Prefiltered>>, skybox: Option<std::rc::Rc<crate::ibl::Prefiltered>>);
    /// The largest texture side the GPU takes; larger images are downscaled before upload.
    fn max_texture_size(&self) -> u32;
    /// The block formats the GPU samples, best first (asked of the Basis module for KTX2).
    fn block_formats(&self) -> Vec<super::blocks::BlockFormat>;

    /// Starts a content; its primitives may be uploaded as they are decoded.
    fn begin_content(&mut self) -> ContentId;
    /// Uploads primitive `index` of mesh `mesh` (the loader may then drop its vertex streams);
    /// `read` gives the streams still in the file (scene::FileStream).
    fn upload_primitive(&mut self, content: ContentId, mesh: usize, index: usize, p: &Primitive, read: &crate::scene::ReadFile);
    /// Uploads the materials, textures and remaining primitives of `scene` and shows glTF scene
    /// `index`; `images` are the decoded images by glTF image index.
    fn finish_content(&mut self, content: ContentId, scene: &Scene, images: &[Option<Texels>], index: usize);
    /// Checks, where the API reports errors only when asked (WebGL's synchronous getError),
    /// that the uploads so far were taken; a failure is then `take_error`'s. Once per model:
    /// asked after every streamed tile it stalled the main thread for as long as the GPU
    /// process needed to catch up (1.5 s over the terrain benchmark's path in SwiftShader).
    fn check_uploads(&mut self) {}
    /// Rewrites the positions, normals and tangents of a finished content's primitive after
    /// skinning or morphing moved them (the streams keep their lengths). Takes effect in the
    /// draws with the next `show_scene`.
    fn update_primitive(&mut self, content: ContentId, mesh: usize, index: usize, p: &Primitive);
    /// Shows another glTF scene of a finished content.
    fn show_scene(&mut self, content: ContentId, scene: &Scene, index: usize);
    /// Drops a content and frees its GPU memory now.
    fn remove_content(&mut self, content: ContentId);
    /// Keeps a content on the GPU but out of frames (false), or draws it again (true).
    fn set_visible(&mut self, content: ContentId, visible: bool);

    /// GPU bytes of the contents, and with the render targets.
    fn content_bytes(&self) -> u64;
    fn gpu_bytes(&self) -> u64;
    /// Draw calls of the last frame drawn (an instanced draw counts once; the sky not at all).
    fn frame_draws(&self) -> u32;

    /// Draws a frame to the canvas.
    fn render(&mut self, v: &View) -> Result<(), String>;
    /// Renders a frame off screen and reads it back. The future holds no borrow of the backend.
    fn read_pixels(&mut self, v: &View) -> Pending<Image>;
    /// The same, for the contact shadow (crate::shadow): each pixel's nearest depth (0..1) in
    /// red over white, without the sky.
    fn read_depth(&mut self, v: &View) -> Pending<Image>;
    /// Draws into a WebXR layer's framebuffer (null: the canvas's own, as an emulator gives):
    /// each view in its viewport `[x, y, width, height]`, over a transparent clear and without
    /// the sky, so that the camera's picture shows around the model. XR layers take a WebGL
    /// context: only the WebGL2 backend draws them.
    fn render_xr(&mut self, framebuffer: &wasm_bindgen::JsValue, views: &[([i32; 4], View)]) -> Result<(), String> {
        let _ = (framebuffer, views);
        Err("WebXR draws through WebGL2, and this viewer runs on WebGPU".into())
    }
}

pub type Renderer = Box<dyn RenderBackend>;

thread_local! {
    static LIVE_DEVICES: Cell<u32> = const { Cell::new(0) };
}

/// GPU devices and WebGL2 contexts open on this page (from this bundle).
pub fn live_devices() -> u32 {
    LIVE_DEVICES.with(Cell::get)
}

/// Counts one open device or context while it lives.
pub(crate) struct DeviceCount;

impl DeviceCount {
    pub fn new() -> DeviceCount {
        LIVE_DEVICES.with(|n| n.set(n.get() + 1));
        DeviceCount
    }
}

impl Drop for DeviceCount {
    fn drop(&mut self) {
        LIVE_DEVICES.with(|n| n.set(n.get().saturating_sub(1)));
    }
}

/// The backends this build holds, best first.
pub fn available() -> Vec<Backend> {
    let mut v = Vec::new();
    if cfg!(feature = "webgpu") {
        v.push(Backend::WebGpu);
    }
    if cfg!(feature = "webgl") {
        v.push(Backend::WebGl2);
    }
    v
}

/// Opens `want` on `canvas`, if this build has it. `on_lost` is called if the GPU context is
/// lost later (then `is_lost` holds, and the viewer must open a new backend on a new canvas).
pub async fn open(canvas: web_sys::HtmlCanvasElement, want: Backend, on_lost: Option<js_sys::Function>) -> Result<Renderer, String> {
    match want {
        #[cfg(feature = "webgpu")]
        Backend::WebGpu => Ok(Box::new(super::webgpu::Renderer::new(canvas, want, on_lost).await?)),
        #[cfg(feature = "webgl")]
        Backend::WebGl2 => Ok(Box::new(super::webgl::Renderer::new(canvas, on_lost)?)),
        #[allow(unreachable_patterns)]
        _ => {
            let _ = (canvas, on_lost);
            Err(format!("{} is not in this build", want.name()))
        }
    }
}

/// Resolves after the browser has run its event loop once (a 0 ms timer).
pub async fn yield_now() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
