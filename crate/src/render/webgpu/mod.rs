//! The WebGPU backend, with wgpu: pipelines per shader variant, the GPU scene, render targets.
//! Knows nothing of the DOM beyond the canvas it draws into and the decoded images it uploads.

mod scene;
mod texture;

use crate::render::cache::Cache;
use crate::render::draws::{Draw, PipelineKey, frame_order};
use crate::render::uniforms::GlobalsU;
use crate::render::blocks::BlockFormat;
use crate::render::{Backend, ContentId, Contents, DeviceCount, Image, Pending, RenderBackend, Texels, View, samples_for, yield_now};
use crate::render::lights::Lights;
use crate::scene::environment::Environment;
use crate::scene::{Primitive, Scene, Topology};
use crate::shader::{self, Variant};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use scene::{GpuPrimitive, GpuScene, stream_strides};
use texture::{MipGen, Samplers};

const DEPTH: wgpu::TextureFormat = wgpu::TextureFormat::Depth24Plus;

pub struct Layouts {
    globals: wgpu::BindGroupLayout,
    pub object: wgpu::BindGroupLayout,
    pub material: wgpu::BindGroupLayout,
}

/// Neutral textures for empty material slots.
pub struct Defaults {
    pub white: wgpu::TextureView,
    pub white_srgb: wgpu::TextureView,
    pub normal: wgpu::TextureView,
    pub sampler: wgpu::Sampler,
}

struct Targets {
    width: u32,
    height: u32,
    samples: u32,
    /// The multisampled colour target (none when drawing straight into the frame).
    color: Option<wgpu::TextureView>,
    depth: wgpu::TextureView,
}

/// An open GPU device. WebGPU viewers on a page share one (see `Gpu::open`); a WebGL2 context
/// belongs to one canvas, so each WebGL2 viewer has its own.
pub struct Gpu {
    instance: wgpu::Instance,
    adapter: wgpu::Adapter,
    device: wgpu::Device,
    queue: wgpu::Queue,
    /// Uncaptured GPU errors, surfaced to the page instead of wgpu's default panic (a trap).
    errors: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// Set when the device is lost (destroyed, a driver reset).
    lost: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Names this device to the viewers listening for its loss (`LOST_LISTENERS`).
    id: u32,
    _count: DeviceCount,
}

thread_local! {
    static SHARED_WEBGPU: RefCell<Weak<Gpu>> = const { RefCell::new(Weak::new()) };
    static OPENING_WEBGPU: Cell<bool> = const { Cell::new(false) };
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
    /// (device id, renderer id, the page's callback): told when that device is lost. wgpu's
    /// lost callback must be Send, so it carries the device id and looks its listeners up here.
    static LOST_LISTENERS: RefCell<Vec<(u32, u32, js_sys::Function)>> = const { RefCell::new(Vec::new()) };
    /// Devices no viewer uses any more, destroyed once their submitted work is done (Gpu's Drop).
    static RETIRING: RefCell<Vec<(u32, wgpu::Device)>> = const { RefCell::new(Vec::new()) };
}

fn next_id() -> u32 {
    NEXT_ID.with(|n| {
        n.set(n.get() + 1);
        n.get()
    })
}

impl Drop for Gpu {
    fn drop(&mut self) {
        // The last viewer using it is gone: release the device now, not at garbage collection,
        // but once the work already submitted is done. Firefox stops every requestAnimationFrame
        // of the tab for good when a device is destroyed with frames in flight (a viewer moving
        // to the full bundle while it turns; engines.test.mjs). The callback must be Send, so
        // the device waits in RETIRING under its id.
        let id = self.id;
        RETIRING.with(|r| r.borrow_mut().push((id, self.device.clone())));
        self.queue.on_submitted_work_done(move || {
            RETIRING.with(|r| r.borrow_mut().retain(|(i, d)| *i != id || { d.destroy(); false }));
        });
    }
}

impl Gpu {
    /// A device able to draw into `canvas`, and the surface for it.
    async fn open(canvas: web_sys::HtmlCanvasElement, want: Backend) -> Result<(Rc<Gpu>, wgpu::Surface<'static>), String> {
        if want == Backend::WebGl2 {
            return Self::create(canvas, want).await.map(|(g, s)| (Rc::new(g), s));
        }
        // Two viewers opening at once would each make a device: the second waits for the first.
        while OPENING_WEBGPU.with(Cell::get) {
            yield_now().await;
        }
        // A lost device is not shared: viewers recovering from its loss open a new one.
        if let Some(gpu) = SHARED_WEBGPU.with(|w| w.borrow().upgrade()).filter(|g| !g.lost.load(std::sync::atomic::Ordering::Relaxed)) {
            let surface = gpu.instance.create_surface(wgpu::SurfaceTarget::Canvas(canvas)).map_err(|e| format!("cannot draw into the canvas with webgpu: {e}"))?;
            return Ok((gpu, surface));
        }
        OPENING_WEBGPU.with(|o| o.set(true));
        let made = Self::create(canvas, want).await;
        OPENING_WEBGPU.with(|o| o.set(false));
        let (gpu, surface) = made?;
        let gpu = Rc::new(gpu);
        SHARED_WEBGPU.with(|w| *w.borrow_mut() = Rc::downgrade(&gpu));
        Ok((gpu, surface))
    }

    async fn create(canvas: web_sys::HtmlCanvasElement, want: Backend) -> Result<(Gpu, wgpu::Surface<'static>), String> {
        let backends = match want {
            Backend::WebGpu => wgpu::Backends::BROWSER_WEBGPU,
            Backend::WebGl2 => wgpu::Backends::GL,
        };
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = backends;
        let instance = wgpu::Instance::new(desc);
        let surface = instance
            .create_surface(wgpu::SurfaceTarget::Canvas(canvas))
            .map_err(|e| format!("cannot draw into the canvas with {}: {e}", want.name()))?;
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::LowPower,
                force_fallback_adapter: false,
                compatible_surface: Some(&surface),
                apply_limit_buckets: false,
            })
            .await
            .map_err(|e| format!("no {} adapter: {e}", want.name()))?;
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("scenic"),
                required_limits: wgpu::Limits::downlevel_webgl2_defaults().using_resolution(adapter.limits()),
                // Block formats the adapter samples, for KTX2 textures that stay compressed.
                required_features: adapter.features() & texture::BLOCK_FEATURES.iter().fold(wgpu::Features::empty(), |a, (_, f)| a | *f),
                ..Default::default()
            })
            .await
            .map_err(|e| format!("cannot open the GPU: {e}"))?;
        let errors = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        {
            let errors = errors.clone();
            device.on_uncaptured_error(std::sync::Arc::new(move |e: wgpu::Error| {
                web_sys::console::error_1(&format!("scenic: GPU error: {e}").into());
                if let Ok(mut list) = errors.lock() {
                    if list.len() < 8 {
                        list.push(e.to_string());
                    }
                }
            }));
        }
        let lost = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let id = next_id();
        {
            let lost = lost.clone();
            // Also called when the last viewer destroys the device on purpose; no listener is
            // left by then.
            device.set_device_lost_callback(move |_reason, message| {
                lost.store(true, std::sync::atomic::Ordering::Relaxed);
                let listeners: Vec<js_sys::Function> = LOST_LISTENERS.with(|l| l.borrow().iter().filter(|e| e.0 == id).map(|e| e.2.clone()).collect());
                if !listeners.is_empty() {
                    web_sys::console::warn_1(&format!("scenic: GPU device lost: {message}").into());
                }
                for f in listeners {
                    let _ = f.call0(&wasm_bindgen::JsValue::NULL);
                }
            });
        }
        Ok((Gpu { instance, adapter, device, queue, errors, lost, id, _count: DeviceCount::new() }, surface))
    }
}

pub struct Renderer {
    gpu: Rc<Gpu>,
    /// Its entry in `LOST_LISTENERS`, removed when dropped.
    listener: u32,
    device: wgpu::Device,
    queue: wgpu::Queue,
    surface: wgpu::Surface<'static>,
    config: wgpu::SurfaceConfiguration,
    /// The format every pipeline renders to (the canvas's).
    format: wgpu::TextureFormat,
    targets: Targets,
    layouts: Layouts,
    /// One shader module per variant in use (see crate::shader).
    modules: Cache<Variant, wgpu::ShaderModule>,
    pipeline_layout: wgpu::PipelineLayout,
    pipelines: Cache<PipelineKey, wgpu::RenderPipeline>,
    sky: wgpu::RenderPipeline,
    sky_layout: wgpu::PipelineLayout,
    globals: wgpu::Buffer,
    globals_bg: wgpu::BindGroup,
    /// The environment the scene is lit by and the background, as uploaded for `lights.version`.
    env: EnvTextures,
    defaults: Defaults,
    samplers: Samplers,
    mips: MipGen,
    contents: Contents<GpuPrimitive, GpuScene>,
    lights: Lights,
    /// Draw calls of the last frame, the sky's not counted.
    frame_draws: u32,
}

struct EnvTextures {
    version: u32,
    lighting: wgpu::Texture,
    /// A skybox photo other than the lighting one.
    skybox: Option<wgpu::Texture>,
    sampler: wgpu::Sampler,
    /// The split sum's BRDF table (crate::ibl::brdf), made once, read clamped.
    brdf: wgpu::TextureView,
    brdf_sampler: wgpu::Sampler,
}

impl EnvTextures {
    fn new(device: &wgpu::Device, queue: &wgpu::Queue, lights: &Lights) -> EnvTextures {
        let linear = wgpu::SamplerDescriptor { mag_filter: wgpu::FilterMode::Linear, min_filter: wgpu::FilterMode::Linear, ..Default::default() };
        EnvTextures {
            version: lights.version,
            lighting: texture::environment(device, queue, lights.lighting()),
            skybox: Self::other_skybox(device, queue, lights),
            sampler: texture::environment_sampler(device),
            brdf: texture::brdf_table(device, queue).create_view(&Default::default()),
            brdf_sampler: device.create_sampler(&linear),
        }
    }

    fn other_skybox(device: &wgpu::Device, queue: &wgpu::Queue, lights: &Lights) -> Option<wgpu::Texture> {
        lights.skybox().filter(|s| !std::rc::Rc::ptr_eq(s, lights.lighting())).map(|s| texture::environment(device, queue, s))
    }

    /// Uploads the lights' environment in place of the one held.
    fn upload(&mut self, device: &wgpu::Device, queue: &wgpu::Queue, lights: &Lights) {
        self.destroy();
        self.lighting = texture::environment(device, queue, lights.lighting());
        self.skybox = Self::other_skybox(device, queue, lights);
        self.version = lights.version;
    }

    fn bind_group(&self, device: &wgpu::Device, layout: &wgpu::BindGroupLayout, globals: &wgpu::Buffer) -> wgpu::BindGroup {
        let lighting = self.lighting.create_view(&Default::default());
        let skybox = self.skybox.as_ref().unwrap_or(&self.lighting).create_view(&Default::default());
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("globals"),
            layout,
            entries: &[
                wgpu::BindGroupEntry { binding: 0, resource: globals.as_entire_binding() },
                wgpu::BindGroupEntry { binding: 1, resource: wgpu::BindingResource::TextureView(&lighting) },
                wgpu::BindGroupEntry { binding: 2, resource: wgpu::BindingResource::Sampler(&self.sampler) },
                wgpu::BindGroupEntry { binding: 3, resource: wgpu::BindingResource::TextureView(&skybox) },
                wgpu::BindGroupEntry { binding: 4, resource: wgpu::BindingResource::Sampler(&self.sampler) },
                wgpu::BindGroupEntry { binding: 5, resource: wgpu::BindingResource::TextureView(&self.brdf) },
                wgpu::BindGroupEntry { binding: 6, resource: wgpu::BindingResource::Sampler(&self.brdf_sampler) },
            ],
        })
    }

    fn bytes(&self) -> u64 {
        let size = |t: &wgpu::Texture| (0..t.mip_level_count()).map(|k| u64::from((t.width() >> k).max(1)) * u64::from((t.height() >> k).max(1)) * 8).sum::<u64>();
        size(&self.lighting) + self.skybox.as_ref().map_or(0, size) + crate::ibl::brdf::BYTES
    }

    fn destroy(&self) {
        self.lighting.destroy();
        if let Some(s) = &self.skybox {
            s.destroy();
        }
    }
}

fn uniform_entry(binding: u32, dynamic: bool, vis: wgpu::ShaderStages) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: vis,
        ty: wgpu::BindingType::Buffer { ty: wgpu::BufferBindingType::Uniform, has_dynamic_offset: dynamic, min_binding_size: None },
        count: None,
    }
}

/// A filterable 2D texture at `binding` and its sampler at `binding + 1`, for fragment shaders.
pub(crate) fn texture_entries(binding: u32) -> [wgpu::BindGroupLayoutEntry; 2] {
    [
        wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Float { filterable: true },
                view_dimension: wgpu::TextureViewDimension::D2,
                multisampled: false,
            },
            count: None,
        },
        wgpu::BindGroupLayoutEntry {
            binding: binding + 1,
            visibility: wgpu::ShaderStages::FRAGMENT,
            ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
            count: None,
        },
    ]
}

/// The sky dome's pipeline (see `vs_sky` in pbr.wgsl).
fn sky_pipeline(device: &wgpu::Device, module: &wgpu::ShaderModule, layout: &wgpu::PipelineLayout, format: wgpu::TextureFormat, samples: u32) -> wgpu::RenderPipeline {
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some("sky"),
        layout: Some(layout),
        vertex: wgpu::VertexState { module, entry_point: Some("vs_sky"), compilation_options: Default::default(), buffers: &[] },
        fragment: Some(wgpu::FragmentState { module, entry_point: Some("fs_sky"), compilation_options: Default::default(), targets: &[Some(format.into())] }),
        primitive: wgpu::PrimitiveState::default(),
        // Drawn after the opaque geometry at the far plane: only uncovered pixels run the sky
        // shader (early depth test).
        depth_stencil: Some(depth_test(false)),
        multisample: wgpu::MultisampleState { count: samples, ..Default::default() },
        multiview_mask: None,
        cache: None,
    })
}

/// Nearer or equal passes; blended geometry and the sky do not write depth.
fn depth_test(write: bool) -> wgpu::DepthStencilState {
    wgpu::DepthStencilState {
        format: DEPTH,
        depth_write_enabled: Some(write),
        depth_compare: Some(wgpu::CompareFunction::LessEqual),
        stencil: Default::default(),
        bias: Default::default(),
    }
}

fn shader_module(device: &wgpu::Device, variant: Variant) -> wgpu::ShaderModule {
    device.create_shader_module(wgpu::ShaderModuleDescriptor { label: Some("pbr"), source: wgpu::ShaderSource::Wgsl(variant.source().into()) })
}

/// Draws `list` in order, switching pipelines only where the key changes.
fn draw_list<'a>(pass: &mut wgpu::RenderPass<'a>, scenes: &[&'a GpuScene], pipelines: &Cache<PipelineKey, wgpu::RenderPipeline>, list: &[(usize, &Draw)]) {
    let (mut current, mut last) = (None, None);
    for &(c, d) in list {
        if current != Some(d.key) {
            let Some(p) = pipelines.get(&d.key) else { continue }; // every key in the list was made
            pass.set_pipeline(p);
            current = Some(d.key);
        }
        scenes[c].draw(pass, d, last == Some((c, d.prim)));
        last = Some((c, d.prim));
    }
}

impl Renderer {
    /// Opens the GPU for `canvas`. `want` picks the backend; the build decides which exist.
    pub async fn new(canvas: web_sys::HtmlCanvasElement, want: Backend, on_lost: Option<js_sys::Function>) -> Result<Renderer, String> {
        let (w, h) = (canvas.width().max(1), canvas.height().max(1));
        let (gpu, surface) = Gpu::open(canvas, want).await?;
        let (device, queue) = (gpu.device.clone(), gpu.queue.clone());
        let cpu_adapter = gpu.adapter.get_info().device_type == wgpu::DeviceType::Cpu;
        let samples = samples_for(web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()), cpu_adapter);
        let caps = surface.get_capabilities(&gpu.adapter);
        // Render straight into the canvas format. A WebGPU canvas is bgra8unorm/rgba8unorm; its
        // sRGB view format was seen to reach the page unencoded here (SwiftShader), so the shader
        // encodes sRGB itself when the format does not. The readback target uses the same format,
        // so read pixels are what the page shows.
        // Both backends take a non-sRGB format when offered, so they blend alike.
        let format = caps.formats.iter().find(|f| !f.is_srgb()).or(caps.formats.first()).copied().ok_or("the canvas offers no texture format")?;
        let base = format;
        let config = wgpu::SurfaceConfiguration {
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
            format: base,
            width: w,
            height: h,
            present_mode: wgpu::PresentMode::Fifo,
            desired_maximum_frame_latency: 2,
            alpha_mode: caps.alpha_modes.first().copied().unwrap_or(wgpu::CompositeAlphaMode::Auto),
            view_formats: vec![],
            color_space: Default::default(),
        };
        surface.configure(&device, &config);

        let frag_vert = wgpu::ShaderStages::VERTEX_FRAGMENT;
        // The camera and light uniforms, the environment's levels, the skybox photo, the BRDF table.
        let mut entries = vec![uniform_entry(0, false, frag_vert)];
        for binding in [1, 3, 5] {
            entries.extend(texture_entries(binding));
        }
        let globals_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: Some("globals"), entries: &entries });
        let object = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: Some("object"), entries: &[uniform_entry(0, true, frag_vert)] });
        let mut entries = vec![uniform_entry(0, false, wgpu::ShaderStages::FRAGMENT)];
        for i in 0..crate::scene::TEXTURE_SLOTS as u32 {
            entries.extend(texture_entries(1 + 2 * i));
        }
        let material = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: Some("material"), entries: &entries });
        let layouts = Layouts { globals: globals_layout, object, material };

        let module = shader_module(&device, Variant::default());
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("pbr"),
            bind_group_layouts: &[Some(&layouts.globals), Some(&layouts.object), Some(&layouts.material)],
            immediate_size: 0,
        });
        let sky_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("sky"),
            bind_group_layouts: &[Some(&layouts.globals)],
            immediate_size: 0,
        });
        let sky = sky_pipeline(&device, &module, &sky_layout, format, samples);
        let globals = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("globals"),
            size: std::mem::size_of::<GlobalsU>() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let lights = Lights::default();
        let env = EnvTextures::new(&device, &queue, &lights);
        let globals_bg = env.bind_group(&device, &layouts.globals, &globals);
        let view = |t: wgpu::Texture| t.create_view(&Default::default());
        let defaults = Defaults {
            white: view(texture::solid(&device, &queue, [255; 4], false)),
            white_srgb: view(texture::solid(&device, &queue, [255; 4], true)),
            normal: view(texture::solid(&device, &queue, [128, 128, 255, 255], false)),
            sampler: device.create_sampler(&Default::default()),
        };
        let targets = Self::make_targets(&device, format, w, h, samples);
        let mips = MipGen::new(&device);
        let listener = next_id();
        if let Some(f) = on_lost {
            LOST_LISTENERS.with(|l| l.borrow_mut().push((gpu.id, listener, f)));
        }
        Ok(Renderer {
            listener,
            gpu,
            device,
            queue,
            surface,
            config,
            format,
            targets,
            layouts,
            modules: [(Variant::default(), module)].into_iter().collect(),
            pipeline_layout,
            pipelines: Cache::default(),
            sky,
            sky_layout,
            globals,
            globals_bg,
            env,
            defaults,
            samplers: Samplers::default(),
            mips,
            contents: Contents::default(),
            lights,
            frame_draws: 0,
        })
    }

    fn make_targets(device: &wgpu::Device, format: wgpu::TextureFormat, width: u32, height: u32, samples: u32) -> Targets {
        let make = |format, label| {
            device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some(label),
                    size: wgpu::Extent3d { width, height, depth_or_array_layers: 1 },
                    mip_level_count: 1,
                    sample_count: samples,
                    dimension: wgpu::TextureDimension::D2,
                    format,
                    usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
                    view_formats: &[],
                })
                .create_view(&Default::default())
        };
        Targets { width, height, samples, color: (samples > 1).then(|| make(format, "msaa")), depth: make(DEPTH, "depth") }
    }

    fn pipeline(&mut self, key: PipelineKey) -> wgpu::RenderPipeline {
        let (device, layout, format, samples) = (&self.device, &self.pipeline_layout, self.format, self.targets.samples);
        let module = self.modules.get_or_insert_with(key.variant, || shader_module(device, key.variant));
        self.pipelines
            .get_or_insert_with(key, || {
                // One buffer slot per stream (see gpu_scene::STREAM_STRIDES), each with its
                // attribute; only the streams the variant reads.
                let vertex_format = |n| match n {
                    2 => wgpu::VertexFormat::Float32x2,
                    3 => wgpu::VertexFormat::Float32x3,
                    _ => wgpu::VertexFormat::Float32x4,
                };
                let attrs: [[wgpu::VertexAttribute; 1]; 6] =
                    std::array::from_fn(|i| [wgpu::VertexAttribute { format: vertex_format(crate::scene::STREAMS[i].components), offset: 0, shader_location: i as u32 }]);
                let (read, strides) = (key.variant.streams(), stream_strides());
                let buffers: [Option<wgpu::VertexBufferLayout>; 6] = std::array::from_fn(|i| {
                    read[i].then(|| wgpu::VertexBufferLayout { array_stride: strides[i], step_mode: wgpu::VertexStepMode::Vertex, attributes: &attrs[i] })
                });
                let blend = key.variant.blend.then_some(wgpu::BlendState::ALPHA_BLENDING);
                device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                    label: Some("pbr"),
                    layout: Some(layout),
                    vertex: wgpu::VertexState {
                        module,
                        entry_point: Some("vs_main"),
                        compilation_options: Default::default(),
                        buffers: &buffers,
                    },
                    fragment: Some(wgpu::FragmentState {
                        module,
                        entry_point: Some("fs_main"),
                        compilation_options: Default::default(),
                        targets: &[Some(wgpu::ColorTargetState { format, blend, write_mask: wgpu::ColorWrites::ALL })],
                    }),
                    primitive: wgpu::PrimitiveState {
                        topology: match key.topology {
                            Topology::Points => wgpu::PrimitiveTopology::PointList,
                            Topology::Lines => wgpu::PrimitiveTopology::LineList,
                            Topology::Triangles => wgpu::PrimitiveTopology::TriangleList,
                        },
                        front_face: if key.mirrored { wgpu::FrontFace::Cw } else { wgpu::FrontFace::Ccw },
                        cull_mode: (key.cull && key.topology == Topology::Triangles).then_some(wgpu::Face::Back),
                        ..Default::default()
                    },
                    depth_stencil: Some(depth_test(!key.variant.blend)),
                    multisample: wgpu::MultisampleState { count: samples, ..Default::default() },
                    multiview_mask: None,
                    cache: None,
                })
            })
            .clone()
    }

    /// Uploads the environment again if it changed since the last frame.
    fn sync_lights(&mut self) {
        if self.env.version == self.lights.version {
            return;
        }
        self.env.upload(&self.device, &self.queue, &self.lights);
        self.globals_bg = self.env.bind_group(&self.device, &self.layouts.globals, &self.globals);
    }

    fn write_globals(&self, v: &View, depth: bool) {
        let g = GlobalsU::new(v.proj * v.view, v.eye, v.exposure, &self.lights, !self.format.is_srgb(), depth);
        self.queue.write_buffer(&self.globals, 0, bytemuck::bytes_of(&g));
    }

    /// Records the frame into `resolve` (single-sampled, the renderer's format); with `depth`,
    /// the contact shadow's pass: depth as colour over white, no sky.
    fn encode(&mut self, v: &View, resolve: &wgpu::TextureView, depth: bool) -> wgpu::CommandBuffer {
        self.sync_lights();
        self.write_globals(v, depth);
        let clear = if depth { wgpu::Color::WHITE } else { wgpu::Color::BLACK };
        let keys: Vec<PipelineKey> = self.contents.ready.iter().flat_map(|(_, s)| s.list.draws.iter().map(|d| d.key)).collect();
        // Each distinct key once: the list has a key per draw.
        let mut pipelines: Cache<PipelineKey, wgpu::RenderPipeline> = Cache::default();
        for k in keys {
            pipelines.get_or_insert_with(k, || self.pipeline(k));
        }
        let mut encoder = self.device.create_command_encoder(&Default::default());
        let frame_draws;
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("frame"),
                // Multisampled: draw into the MSAA target and resolve into `resolve`; else straight in.
                color_attachments: &[Some(if let Some(color) = &self.targets.color {
                    wgpu::RenderPassColorAttachment {
                        view: color,
                        depth_slice: None,
                        resolve_target: Some(resolve),
                        ops: wgpu::Operations { load: wgpu::LoadOp::Clear(clear), store: wgpu::StoreOp::Discard },
                    }
                } else {
                    wgpu::RenderPassColorAttachment {
                        view: resolve,
                        depth_slice: None,
                        resolve_target: None,
                        ops: wgpu::Operations { load: wgpu::LoadOp::Clear(clear), store: wgpu::StoreOp::Store },
                    }
                })],
                depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                    view: &self.targets.depth,
                    depth_ops: Some(wgpu::Operations { load: wgpu::LoadOp::Clear(1.0), store: wgpu::StoreOp::Discard }),
                    stencil_ops: None,
                }),
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            pass.set_bind_group(0, &self.globals_bg, &[]);
            // Opaque geometry, then the sky behind it, then transparent geometry over both
            // (`sorted_draws` lists the opaque draws first).
            let scenes: Vec<&GpuScene> = self.contents.shown().collect();
            let (draws, split) = frame_order(scenes.iter().map(|s| &s.list).enumerate(), v.view, v.proj);
            frame_draws = draws.len() as u32;
            let (opaque, blended) = draws.split_at(split);
            draw_list(&mut pass, &scenes, &pipelines, opaque);
            if !depth {
                pass.set_pipeline(&self.sky);
                pass.draw(0..shader::SKY_VERTICES, 0..1);
            }
            draw_list(&mut pass, &scenes, &pipelines, blended);
        }
        self.frame_draws = frame_draws;
        encoder.finish()
    }

    /// Draws a frame to the canvas.
    fn draw_frame(&mut self, v: &View) -> Result<(), String> {
        let frame = match self.surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(f) | wgpu::CurrentSurfaceTexture::Suboptimal(f) => f,
            wgpu::CurrentSurfaceTexture::Outdated | wgpu::CurrentSurfaceTexture::Lost => {
                self.surface.configure(&self.device, &self.config);
                return Ok(()); // the next frame draws
            }
            // Skipped: the next change draws again.
            wgpu::CurrentSurfaceTexture::Timeout | wgpu::CurrentSurfaceTexture::Occluded => return Ok(()),
            // Named, not `{:?}`: that linked Debug for every TextureFormat (~4 KB of the module).
            wgpu::CurrentSurfaceTexture::Validation => return Err("the canvas gave no frame to draw into (a validation error)".into()),
        };
        let view = frame.texture.create_view(&wgpu::TextureViewDescriptor { format: Some(self.format), ..Default::default() });
        let commands = self.encode(v, &view, false);
        self.queue.submit([commands]);
        self.queue.present(frame);
        Ok(())
    }

    /// Renders a frame off screen and starts copying it back. The returned [`Readback`] holds
    /// no borrow of the renderer, so the page stays interactive while the GPU finishes.
    fn start_readback(&mut self, v: &View, depth: bool) -> Readback {
        let (w, h) = (self.targets.width, self.targets.height);
        let target = self.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("readback"),
            size: wgpu::Extent3d { width: w, height: h, depth_or_array_layers: 1 },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: self.format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let commands = self.encode(v, &target.create_view(&Default::default()), depth);
        let row = (w * 4).div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT) * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: (row * h) as u64,
            usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
            mapped_at_creation: false,
        });
        let mut encoder = self.device.create_command_encoder(&Default::default());
        encoder.copy_texture_to_buffer(
            target.as_image_copy(),
            wgpu::TexelCopyBufferInfo { buffer: &buffer, layout: wgpu::TexelCopyBufferLayout { offset: 0, bytes_per_row: Some(row), rows_per_image: Some(h) } },
            wgpu::Extent3d { width: w, height: h, depth_or_array_layers: 1 },
        );
        self.queue.submit([commands, encoder.finish()]);
        let done = std::rc::Rc::new(std::cell::RefCell::new(None));
        let flag = done.clone();
        buffer.slice(..).map_async(wgpu::MapMode::Read, move |r| *flag.borrow_mut() = Some(r));
        let bgra = matches!(self.format, wgpu::TextureFormat::Bgra8UnormSrgb | wgpu::TextureFormat::Bgra8Unorm);
        Readback { device: self.device.clone(), buffer, target, width: w, height: h, row, bgra, done }
    }

}

impl Drop for Renderer {
    fn drop(&mut self) {
        self.env.destroy();
        LOST_LISTENERS.with(|l| l.borrow_mut().retain(|e| e.1 != self.listener));
    }
}

impl RenderBackend for Renderer {
    fn backend(&self) -> Backend {
        Backend::WebGpu
    }

    fn samples(&self) -> u32 {
        self.targets.samples
    }

    fn set_samples(&mut self, samples: u32) {
        let samples = if samples > 1 { 4 } else { 1 };
        if samples == self.targets.samples {
            return;
        }
        self.targets = Self::make_targets(&self.device, self.format, self.targets.width, self.targets.height, samples);
        // The sample count is part of every pipeline.
        self.pipelines.clear();
        let device = &self.device;
        let module = self.modules.get_or_insert_with(Variant::default(), || shader_module(device, Variant::default()));
        self.sky = sky_pipeline(device, module, &self.sky_layout, self.format, samples);
    }

    fn take_error(&mut self) -> Option<String> {
        let mut list = self.gpu.errors.lock().ok()?;
        let first = list.drain(..).next();
        first
    }

    fn is_lost(&self) -> bool {
        self.gpu.lost.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn set_environment(&mut self, env: Environment) {
        self.lights.set_environment(env);
    }

    fn set_environment_images(&mut self, image: Option<std::rc::Rc<crate::ibl::Prefiltered>>, skybox: Option<std::rc::Rc<crate::ibl::Prefiltered>>) {
        self.lights.set_images(image, skybox);
    }

    fn max_texture_size(&self) -> u32 {
        self.device.limits().max_texture_dimension_2d
    }

    fn block_formats(&self) -> Vec<BlockFormat> {
        let have = self.device.features();
        texture::BLOCK_FEATURES.iter().filter(|(_, f)| have.contains(*f)).map(|(b, _)| *b).collect()
    }

    fn size(&self) -> (u32, u32) {
        (self.config.width, self.config.height)
    }

    fn resize(&mut self, width: u32, height: u32) {
        let max = self.device.limits().max_texture_dimension_2d;
        let (w, h) = (width.clamp(1, max), height.clamp(1, max));
        if (w, h) == (self.config.width, self.config.height) {
            return;
        }
        self.config.width = w;
        self.config.height = h;
        self.surface.configure(&self.device, &self.config);
        self.targets = Self::make_targets(&self.device, self.format, w, h, self.targets.samples);
    }

    fn begin_content(&mut self) -> ContentId {
        self.contents.begin()
    }

    fn upload_primitive(&mut self, content: ContentId, mesh: usize, index: usize, p: &Primitive, read: &crate::scene::ReadFile) {
        if let Some(gp) = GpuPrimitive::upload(&self.device, &self.queue, p, read) {
            self.contents.stage(content, mesh, index, gp);
        }
    }

    fn finish_content(&mut self, content: ContentId, scene: &Scene, images: &[Option<Texels>], index: usize) {
        let uploaded = self.contents.take_staged(content);
        let mut gpu = GpuScene::upload(&self.device, &self.queue, &self.layouts, &self.defaults, &mut self.samplers, &mut self.mips, scene, images, uploaded);
        let align = self.device.limits().min_uniform_buffer_offset_alignment;
        gpu.set_scene(&self.device, &self.layouts, scene, index, align);
        self.contents.insert(content, gpu);
    }

    fn update_primitive(&mut self, content: ContentId, mesh: usize, index: usize, p: &Primitive) {
        if let Some(gpu) = self.contents.get_mut(content) {
            gpu.update_primitive(&self.queue, mesh, index, p);
        }
    }

    fn show_scene(&mut self, content: ContentId, scene: &Scene, index: usize) {
        let align = self.device.limits().min_uniform_buffer_offset_alignment;
        if let Some(gpu) = self.contents.get_mut(content) {
            gpu.set_scene(&self.device, &self.layouts, scene, index, align);
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

    /// Its contents, and its multisampled colour and depth targets (the canvas's own buffer is
    /// the browser's).
    fn gpu_bytes(&self) -> u64 {
        let t = &self.targets;
        let px = u64::from(t.width) * u64::from(t.height) * u64::from(t.samples);
        let color = if t.color.is_some() { 4 } else { 0 };
        self.content_bytes() + px * (color + 4) + self.env.bytes()
    }

    fn render(&mut self, v: &View) -> Result<(), String> {
        self.draw_frame(v)
    }

    fn read_pixels(&mut self, v: &View) -> Pending<Image> {
        self.read(v, false)
    }

    fn read_depth(&mut self, v: &View) -> Pending<Image> {
        self.read(v, true)
    }
}

impl Renderer {
    fn read(&mut self, v: &View, depth: bool) -> Pending<Image> {
        let readback = self.start_readback(v, depth);
        Box::pin(async move {
            let (width, height, data) = readback.finish().await?;
            Ok(Image { width, height, data })
        })
    }
}

/// A frame on its way back from the GPU; its buffer and texture are freed when dropped.
struct Readback {
    device: wgpu::Device,
    buffer: wgpu::Buffer,
    target: wgpu::Texture,
    width: u32,
    height: u32,
    row: u32,
    bgra: bool,
    done: std::rc::Rc<std::cell::RefCell<Option<Result<(), wgpu::BufferAsyncError>>>>,
}

impl Drop for Readback {
    fn drop(&mut self) {
        self.buffer.destroy();
        self.target.destroy();
    }
}

impl Readback {
    /// Waits for the copy and returns `(width, height, RGBA8 rows, top first)`.
    async fn finish(self) -> Result<(u32, u32, Vec<u8>), String> {
        // In the browser poll() does not block: poll, then yield to the event loop, until mapped.
        // The limit is time, not a count of yields: nested timeouts are clamped to 4 ms, so 1000
        // yields were ~4 s, which a large frame on a slow (or busy, software) GPU can exceed.
        let start = js_sys::Date::now();
        while js_sys::Date::now() - start < 30_000.0 {
            let _ = self.device.poll(wgpu::PollType::Poll);
            if self.done.borrow().is_some() {
                break;
            }
            yield_now().await;
        }
        let mapped = self.done.borrow_mut().take().ok_or("reading the frame back timed out")?;
        mapped.map_err(|e| format!("reading the frame back failed: {e}"))?;
        let (w, h, row) = (self.width as usize, self.height as usize, self.row as usize);
        let mut out = Vec::with_capacity(w * h * 4);
        {
            let data = self.buffer.slice(..).get_mapped_range().map_err(|e| format!("{e}"))?;
            for y in 0..h {
                let line = &data[y * row..y * row + w * 4];
                if self.bgra {
                    out.extend(line.chunks_exact(4).flat_map(|p| [p[2], p[1], p[0], p[3]]));
                } else {
                    out.extend_from_slice(line);
                }
            }
        }
        self.buffer.unmap();
        Ok((self.width, self.height, out))
    }
}
