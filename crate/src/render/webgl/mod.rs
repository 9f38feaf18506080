//! The WebGL2 backend, written on web-sys's `WebGl2RenderingContext`: the GLSL that build.rs
//! translated from pbr.wgsl (`render::glsl`), one program per shader variant, the same draw list,
//! uniform blocks, sampling and multisampling policy as the WebGPU backend. No wgpu-core and no
//! shader translator ship with it.

mod environment;
mod scene;

use crate::render::cache::Cache;
use std::rc::Rc;
use std::cell::Cell;

use glam::Mat4;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{WebGl2RenderingContext as Gl, WebGlBuffer, WebGlFramebuffer, WebGlProgram, WebGlRenderbuffer};

use crate::render::draws::{PipelineKey, frame_order};
use crate::render::uniforms::GlobalsU;
use crate::render::blocks::BlockFormat;
use crate::render::{Backend, ContentId, Contents, DeviceCount, Image, Pending, RenderBackend, Texels, View, glsl, is_cpu_renderer, samples_for};
use crate::render::lights::Lights;
use crate::scene::environment::Environment;
use crate::scene::{Primitive, Scene, Topology};
use crate::shader::{self, Variant};
use scene::{GlPrimitive, GlScene, Textures};

/// WebGPU's clip space has depth 0..1, GL's -1..1: z' = 2z - w, applied to the view-projection
/// (the sky's z = w stays on the far plane).
const GL_DEPTH: Mat4 = Mat4::from_cols_array(&[1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, -1.0, 1.0]);

/// An offscreen framebuffer with a colour and a depth renderbuffer.
struct Target {
    fb: WebGlFramebuffer,
    color: WebGlRenderbuffer,
    depth: WebGlRenderbuffer,
}

impl Target {
    fn new(gl: &Gl, width: u32, height: u32, samples: u32) -> Option<Target> {
        let (fb, color, depth) = (gl.create_framebuffer()?, gl.create_renderbuffer()?, gl.create_renderbuffer()?);
        gl.bind_framebuffer(Gl::FRAMEBUFFER, Some(&fb));
        for (rb, format, attachment) in [(&color, Gl::RGBA8, Gl::COLOR_ATTACHMENT0), (&depth, Gl::DEPTH_COMPONENT24, Gl::DEPTH_ATTACHMENT)] {
            gl.bind_renderbuffer(Gl::RENDERBUFFER, Some(rb));
            gl.renderbuffer_storage_multisample(Gl::RENDERBUFFER, samples as i32, format, width as i32, height as i32);
            gl.framebuffer_renderbuffer(Gl::FRAMEBUFFER, attachment, Gl::RENDERBUFFER, Some(rb));
        }
        gl.bind_framebuffer(Gl::FRAMEBUFFER, None);
        Some(Target { fb, color, depth })
    }

    fn delete(&self, gl: &Gl) {
        gl.delete_framebuffer(Some(&self.fb));
        gl.delete_renderbuffer(Some(&self.color));
        gl.delete_renderbuffer(Some(&self.depth));
    }
}

/// A linked program and where its material textures are.
struct Program {
    program: WebGlProgram,
}

pub struct Renderer {
    gl: Gl,
    canvas: web_sys::HtmlCanvasElement,
    width: u32,
    height: u32,
    samples: u32,
    /// The multisampled target, resolved into the canvas (none at 1 sample: drawn straight in).
    msaa: Option<Target>,
    programs: Cache<Variant, Program>,
    sky: Program,
    globals: WebGlBuffer,
    /// UNIFORM_BUFFER_OFFSET_ALIGNMENT: where per-object uniforms may start.
    align: u32,
    textures: Textures,
    contents: Contents<GlPrimitive, GlScene>,
    lights: Lights,
    env: environment::EnvTextures,
    /// Draw calls of the last frame, the sky's not counted.
    frame_draws: u32,
    errors: Vec<String>,
    /// Set by `webglcontextlost`; the listener stays registered while the renderer lives.
    lost: Rc<Cell<bool>>,
    on_lost: Closure<dyn FnMut(web_sys::Event)>,
    _count: DeviceCount,
}

impl Drop for Renderer {
    fn drop(&mut self) {
        // Free GPU memory now, not at garbage collection (the contents free theirs when dropped).
        self.contents.clear();
        self.programs.values().chain(std::iter::once(&self.sky)).for_each(|p| self.gl.delete_program(Some(&p.program)));
        self.gl.delete_buffer(Some(&self.globals));
        self.textures.delete(&self.gl);
        self.env.delete(&self.gl);
        if let Some(t) = &self.msaa {
            t.delete(&self.gl);
        }
        let _ = self.canvas.remove_event_listener_with_callback("webglcontextlost", self.on_lost.as_ref().unchecked_ref());
    }
}

fn compile(gl: &Gl, kind: u32, src: &str) -> Result<web_sys::WebGlShader, String> {
    let shader = gl.create_shader(kind).ok_or("the GPU context is lost")?;
    gl.shader_source(&shader, src);
    gl.compile_shader(&shader);
    if gl.get_shader_parameter(&shader, Gl::COMPILE_STATUS).as_bool() == Some(true) {
        return Ok(shader);
    }
    let log = gl.get_shader_info_log(&shader).unwrap_or_default();
    gl.delete_shader(Some(&shader));
    Err(format!("the GPU could not compile a shader: {log}"))
}

/// Links `vs` + `fs` and binds their uniform blocks and samplers to the WGSL bindings.
fn link(gl: &Gl, (vs, fs): (String, String)) -> Result<Program, String> {
    let (v, f) = (compile(gl, Gl::VERTEX_SHADER, &vs)?, compile(gl, Gl::FRAGMENT_SHADER, &fs)?);
    let program = gl.create_program().ok_or("the GPU context is lost")?;
    gl.attach_shader(&program, &v);
    gl.attach_shader(&program, &f);
    gl.link_program(&program);
    gl.delete_shader(Some(&v));
    gl.delete_shader(Some(&f));
    if gl.get_program_parameter(&program, Gl::LINK_STATUS).as_bool() != Some(true) {
        let log = gl.get_program_info_log(&program).unwrap_or_default();
        gl.delete_program(Some(&program));
        return Err(format!("the GPU could not link a shader: {log}"));
    }
    for (name, binding) in glsl::BLOCKS {
        let index = gl.get_uniform_block_index(&program, name);
        if index != Gl::INVALID_INDEX {
            gl.uniform_block_binding(&program, index, *binding);
        }
    }
    gl.use_program(Some(&program));
    for (name, unit) in glsl::SAMPLERS {
        if let Some(loc) = gl.get_uniform_location(&program, name) {
            gl.uniform1i(Some(&loc), *unit as i32);
        }
    }
    Ok(Program { program })
}

impl Renderer {
    pub fn new(canvas: web_sys::HtmlCanvasElement, on_lost: Option<js_sys::Function>) -> Result<Renderer, String> {
        let attrs = web_sys::WebGlContextAttributes::new();
        // Multisampling is ours to choose (samples_for), into a target resolved into the canvas.
        attrs.set_antialias(false);
        attrs.set_depth(true);
        attrs.set_stencil(false);
        attrs.set_power_preference(web_sys::WebGlPowerPreference::LowPower);
        let gl: Gl = canvas
            .get_context_with_context_options("webgl2", &attrs)
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into().ok())
            .ok_or("no webgl2 context (the browser has no WebGL2, or this canvas already has another context)")?;
        // Firefox names the GPU in RENDERER (and warns that the debug extension is going);
        // Chromium and WebKit say "WebKit WebGL" there and name it only through the extension.
        let plain = gl.get_parameter(Gl::RENDERER).ok().and_then(|v| v.as_string()).unwrap_or_default();
        let renderer_name = if plain.is_empty() || plain == "WebKit WebGL" {
            gl.get_extension("WEBGL_debug_renderer_info")
                .ok()
                .flatten()
                .and_then(|_| gl.get_parameter(web_sys::WebglDebugRendererInfo::UNMASKED_RENDERER_WEBGL).ok())
                .and_then(|v| v.as_string())
                .unwrap_or(plain)
        } else {
            plain
        };
        let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
        let samples = samples_for(dpr, is_cpu_renderer(&renderer_name));
        let sky = link(&gl, glsl::sky())?;
        let globals = gl.create_buffer().ok_or("the GPU context is lost")?;
        gl.bind_buffer(Gl::UNIFORM_BUFFER, Some(&globals));
        gl.buffer_data_with_i32(Gl::UNIFORM_BUFFER, std::mem::size_of::<GlobalsU>() as i32, Gl::DYNAMIC_DRAW);
        let align = gl.get_parameter(Gl::UNIFORM_BUFFER_OFFSET_ALIGNMENT).ok().and_then(|v| v.as_f64()).map_or(256, |a| a as u32).max(16);
        let textures = Textures::new(&gl)?;
        let lights = Lights::default();
        let env = environment::EnvTextures::new(&gl, &lights);
        let lost = Rc::new(Cell::new(false));
        let on_lost = {
            let lost = lost.clone();
            // preventDefault lets the browser restore the context later (webglcontextrestored).
            Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
                e.prevent_default();
                lost.set(true);
                if let Some(f) = &on_lost {
                    let _ = f.call0(&wasm_bindgen::JsValue::NULL);
                }
            })
        };
        let _ = canvas.add_event_listener_with_callback("webglcontextlost", on_lost.as_ref().unchecked_ref());
        let (width, height) = (canvas.width().max(1), canvas.height().max(1));
        let mut r = Renderer {
            gl,
            canvas,
            width: 0,
            height: 0,
            samples,
            msaa: None,
            programs: Cache::default(),
            sky,
            globals,
            align,
            textures,
            contents: Contents::default(),
            lights,
            env,
            frame_draws: 0,
            errors: Vec::new(),
            lost,
            on_lost,
            _count: DeviceCount::new(),
        };
        r.resize(width, height);
        Ok(r)
    }

    fn make_targets(&mut self) {
        if let Some(t) = self.msaa.take() {
            t.delete(&self.gl);
        }
        if self.samples > 1 {
            self.msaa = Target::new(&self.gl, self.width, self.height, self.samples);
        }
    }

    fn program(&mut self, v: Variant) -> Option<&Program> {
        if self.programs.get(&v).is_none() {
            match link(&self.gl, glsl::pbr(v)) {
                Ok(p) => {
                    self.programs.get_or_insert_with(v, || p);
                }
                Err(e) => {
                    if self.errors.len() < 8 {
                        self.errors.push(e);
                    }
                    return None;
                }
            }
        }
        self.programs.get(&v)
    }

    /// Draws the frame into the bound framebuffer (`width` × `height`); with `depth`, the contact
    /// shadow's pass: depth as colour over white, no sky.
    fn draw(&mut self, v: &View, depth: bool) {
        let gl = &self.gl;
        gl.viewport(0, 0, self.width as i32, self.height as i32);
        gl.depth_mask(true);
        let c = if depth { 1.0 } else { 0.0 };
        gl.clear_color(c, c, c, 1.0);
        gl.clear_depth(1.0);
        gl.clear(Gl::COLOR_BUFFER_BIT | Gl::DEPTH_BUFFER_BIT);
        self.draw_scene(v, !depth, depth);
    }

    /// Draws the contents (and the sky, with `sky`) into the bound framebuffer's viewport.
    fn draw_scene(&mut self, v: &View, sky: bool, depth: bool) {
        self.env.sync(&self.gl, &self.lights);
        let globals = GlobalsU::new(GL_DEPTH * v.proj * v.view, v.eye, v.exposure, &self.lights, true, depth);
        // Programs for every draw first: a draw coming into view never compiles mid-orbit.
        let keys: Vec<Variant> = self.contents.ready.iter().flat_map(|(_, s)| s.list.draws.iter().map(|d| d.key.variant)).collect();
        for k in keys {
            let _ = self.program(k);
        }
        let gl = &self.gl;
        gl.bind_buffer(Gl::UNIFORM_BUFFER, Some(&self.globals));
        gl.buffer_sub_data_with_i32_and_u8_array(Gl::UNIFORM_BUFFER, 0, bytemuck::bytes_of(&globals));
        gl.bind_buffer_base(Gl::UNIFORM_BUFFER, 0, Some(&self.globals));
        self.env.bind(gl);
        gl.enable(Gl::DEPTH_TEST);
        gl.depth_func(Gl::LEQUAL);
        let scenes: Vec<&GlScene> = self.contents.shown().collect();
        let (draws, split) = frame_order(scenes.iter().map(|s| &s.list).enumerate(), v.view, v.proj);
        self.frame_draws = draws.len() as u32;
        let mut state: Option<PipelineKey> = None;
        let mut bound = scene::Bound::default();
        for (i, &(c, d)) in draws.iter().enumerate() {
            if i == split && sky {
                self.draw_sky();
                state = None;
                bound = scene::Bound::default();
            }
            if state != Some(d.key) {
                let Some(p) = self.programs.get(&d.key.variant) else { continue };
                apply(gl, d.key, &p.program);
                state = Some(d.key);
            }
            scenes[c].draw(gl, d, &mut bound, c);
        }
        if split == draws.len() && sky {
            self.draw_sky();
        }
        gl.bind_vertex_array(None);
    }

    fn draw_sky(&self) {
        let gl = &self.gl;
        gl.use_program(Some(&self.sky.program));
        gl.bind_vertex_array(None);
        gl.disable(Gl::BLEND);
        gl.disable(Gl::CULL_FACE);
        gl.depth_mask(false);
        gl.draw_arrays(Gl::TRIANGLES, 0, shader::SKY_VERTICES as i32);
    }

    /// Draws a frame into `fb` (None: the canvas), through the multisampled target if there is one.
    fn frame_into(&mut self, fb: Option<&WebGlFramebuffer>, v: &View, depth: bool) {
        let msaa = self.msaa.as_ref().map(|t| t.fb.clone());
        self.gl.bind_framebuffer(Gl::FRAMEBUFFER, msaa.as_ref().or(fb));
        self.draw(v, depth);
        let gl = &self.gl;
        if let Some(m) = &msaa {
            let (w, h) = (self.width as i32, self.height as i32);
            gl.bind_framebuffer(Gl::READ_FRAMEBUFFER, Some(m));
            gl.bind_framebuffer(Gl::DRAW_FRAMEBUFFER, fb);
            gl.blit_framebuffer(0, 0, w, h, 0, 0, w, h, Gl::COLOR_BUFFER_BIT, Gl::NEAREST);
            // The multisampled samples are not needed after the resolve (tilers skip storing them).
            let _ = gl.invalidate_framebuffer(Gl::READ_FRAMEBUFFER, &js_sys::Array::of2(&Gl::COLOR_ATTACHMENT0.into(), &Gl::DEPTH_ATTACHMENT.into()));
        }
        gl.bind_framebuffer(Gl::FRAMEBUFFER, None);
    }
}

impl Renderer {
    /// Renders a frame (or the shadow's depth pass) into a framebuffer of its own, reads it back.
    fn read(&mut self, v: &View, depth: bool) -> Pending<Image> {
        let result = (|| {
            if self.is_lost() {
                return Err("the WebGL2 context was lost".to_string());
            }
            let (w, h) = (self.width, self.height);
            let target = Target::new(&self.gl, w, h, 0).ok_or("the GPU context is lost")?;
            self.frame_into(Some(&target.fb), v, depth);
            let gl = &self.gl;
            gl.bind_framebuffer(Gl::FRAMEBUFFER, Some(&target.fb));
            let mut rows = vec![0u8; (w * h * 4) as usize];
            let read = gl.read_pixels_with_opt_u8_array(0, 0, w as i32, h as i32, Gl::RGBA, Gl::UNSIGNED_BYTE, Some(&mut rows));
            gl.bind_framebuffer(Gl::FRAMEBUFFER, None);
            target.delete(gl);
            read.map_err(|e| format!("reading the frame back failed: {}", crate::web::js_error(&e)))?;
            // GL's rows start at the bottom.
            let stride = (w * 4) as usize;
            let data: Vec<u8> = rows.chunks_exact(stride).rev().flatten().copied().collect();
            Ok(Image { width: w, height: h, data })
        })();
        Box::pin(std::future::ready(result))
    }
}

/// Program and fixed-function state for a pipeline key.
fn apply(gl: &Gl, key: PipelineKey, program: &WebGlProgram) {
    gl.use_program(Some(program));
    if key.cull && key.topology == Topology::Triangles {
        gl.enable(Gl::CULL_FACE);
        gl.cull_face(Gl::BACK);
    } else {
        gl.disable(Gl::CULL_FACE);
    }
    gl.front_face(if key.mirrored { Gl::CW } else { Gl::CCW });
    if key.variant.blend {
        // wgpu's ALPHA_BLENDING: colour by source alpha, alpha "over".
        gl.enable(Gl::BLEND);
        gl.blend_func_separate(Gl::SRC_ALPHA, Gl::ONE_MINUS_SRC_ALPHA, Gl::ONE, Gl::ONE_MINUS_SRC_ALPHA);
    } else {
        gl.disable(Gl::BLEND);
    }
    gl.depth_mask(!key.variant.blend);
}

impl RenderBackend for Renderer {
    fn backend(&self) -> Backend {
        Backend::WebGl2
    }

    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn resize(&mut self, width: u32, height: u32) {
        let max = self.gl.get_parameter(Gl::MAX_RENDERBUFFER_SIZE).ok().and_then(|v| v.as_f64()).map_or(4096, |m| m as u32).max(1);
        let (w, h) = (width.clamp(1, max), height.clamp(1, max));
        if (w, h) == (self.width, self.height) {
            return;
        }
        (self.width, self.height) = (w, h);
        self.canvas.set_width(w);
        self.canvas.set_height(h);
        self.make_targets();
    }

    fn samples(&self) -> u32 {
        self.samples
    }

    fn set_samples(&mut self, samples: u32) {
        let samples = if samples > 1 { 4 } else { 1 };
        if samples != self.samples {
            self.samples = samples;
            self.make_targets();
        }
    }

    fn take_error(&mut self) -> Option<String> {
        (!self.errors.is_empty()).then(|| self.errors.remove(0))
    }

    fn is_lost(&self) -> bool {
        self.lost.get() || self.gl.is_context_lost()
    }

    fn set_environment(&mut self, env: Environment) {
        self.lights.set_environment(env);
    }

    fn set_environment_images(&mut self, image: Option<Rc<crate::ibl::Prefiltered>>, skybox: Option<Rc<crate::ibl::Prefiltered>>) {
        self.lights.set_images(image, skybox);
    }

    fn max_texture_size(&self) -> u32 {
        // WebGL2 guarantees 2048.
        self.gl.get_parameter(Gl::MAX_TEXTURE_SIZE).ok().and_then(|v| v.as_f64()).map_or(2048, |m| m as u32).max(2048)
    }

    /// Those whose extension the context has (asking enables it).
    fn block_formats(&self) -> Vec<BlockFormat> {
        scene::BLOCK_EXTENSIONS.iter().filter(|e| self.gl.get_extension(e.1).ok().flatten().is_some()).map(|e| e.0).collect()
    }

    fn begin_content(&mut self) -> ContentId {
        self.contents.begin()
    }

    fn upload_primitive(&mut self, content: ContentId, mesh: usize, index: usize, p: &Primitive, read: &crate::scene::ReadFile) {
        if let Some(gp) = GlPrimitive::upload(&self.gl, p, read) {
            self.contents.stage(content, mesh, index, gp);
        }
    }

    fn finish_content(&mut self, content: ContentId, scene: &Scene, images: &[Option<Texels>], index: usize) {
        let uploaded = self.contents.take_staged(content);
        let mut gl_scene = GlScene::upload(&self.gl, &mut self.textures, scene, images, uploaded);
        gl_scene.set_scene(&self.gl, scene, index, self.align);
        self.contents.insert(content, gl_scene);
    }

    fn check_uploads(&mut self) {
        // Synchronous: getError waits for the GPU process to run everything queued.
        let e = self.gl.get_error();
        if e != Gl::NO_ERROR && !self.gl.is_context_lost() {
            self.errors.push(format!("WebGL error 0x{e:04x} while uploading the scene"));
        }
    }

    fn update_primitive(&mut self, content: ContentId, mesh: usize, index: usize, p: &Primitive) {
        if let Some(s) = self.contents.get_mut(content) {
            s.update_primitive(mesh, index, p);
        }
    }

    fn show_scene(&mut self, content: ContentId, scene: &Scene, index: usize) {
        let (gl, align) = (&self.gl, self.align);
        if let Some(s) = self.contents.get_mut(content) {
            s.set_scene(gl, scene, index, align);
        }
    }

    fn remove_content(&mut self, content: ContentId) {
        self.contents.remove(content);
    }

    fn set_visible(&mut self, content: ContentId, visible: bool) {
        self.contents.set_visible(content, visible);
    }

    fn content_bytes(&self) -> u64 {
        self.contents.ready.iter().map(|(_, s)| s.bytes()).sum()
    }

    fn frame_draws(&self) -> u32 {
        self.frame_draws
    }

    fn gpu_bytes(&self) -> u64 {
        let px = u64::from(self.width) * u64::from(self.height);
        let msaa = if self.msaa.is_some() { px * u64::from(self.samples) * 8 } else { 0 };
        self.content_bytes() + msaa + self.env.bytes
    }

    fn render(&mut self, v: &View) -> Result<(), String> {
        if self.is_lost() {
            return Err("the WebGL2 context was lost".into());
        }
        self.frame_into(None, v, false);
        Ok(())
    }

    fn read_pixels(&mut self, v: &View) -> Pending<Image> {
        self.read(v, false)
    }

    fn read_depth(&mut self, v: &View) -> Pending<Image> {
        self.read(v, true)
    }

    fn render_xr(&mut self, framebuffer: &wasm_bindgen::JsValue, views: &[([i32; 4], View)]) -> Result<(), String> {
        if self.is_lost() {
            return Err("the WebGL2 context was lost".into());
        }
        // The layer's own framebuffer (antialiased by the layer), or the canvas's with none.
        self.gl.bind_framebuffer(Gl::FRAMEBUFFER, framebuffer.dyn_ref::<WebGlFramebuffer>());
        self.gl.depth_mask(true);
        // Transparent: the XR compositor blends this over the camera's picture.
        self.gl.clear_color(0.0, 0.0, 0.0, 0.0);
        self.gl.clear_depth(1.0);
        self.gl.clear(Gl::COLOR_BUFFER_BIT | Gl::DEPTH_BUFFER_BIT);
        for ([x, y, w, h], v) in views {
            // A mono device's unused eye has an empty viewport.
            if *w > 0 && *h > 0 {
                self.gl.viewport(*x, *y, *w, *h);
                self.draw_scene(v, false, false);
            }
        }
        self.gl.bind_framebuffer(Gl::FRAMEBUFFER, None);
        Ok(())
    }
}
