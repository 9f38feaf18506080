//! A scene on the GPU: vertex/index buffers per primitive, a bind group per material, and the
//! draw list of the current glTF scene. Dropping it destroys its buffers and textures at once.

use bytemuck::{Pod, Zeroable};
use glam::Mat4;
use wgpu::util::DeviceExt;

use super::texture::{Samplers, upload_bitmap, MipGen};
use super::{Layouts, PipelineKey, Defaults};
use crate::geometry::{Aabb, Frustum};
use crate::scene::{Material, Primitive, Scene, Topology};
use crate::shader::Variant;

/// Bytes per vertex of each stream in `Primitive::streams` order (vertex buffer slots 0..6).
pub const STREAM_STRIDES: [u64; 6] = [12, 12, 16, 8, 8, 16];

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct SlotU {
    info: [f32; 4],
    r0: [f32; 4],
    r1: [f32; 4],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct MaterialU {
    base_color: [f32; 4],
    emissive: [f32; 4],
    mr: [f32; 4],
    alpha: [f32; 4],
    slots: [SlotU; 5],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct ObjectU {
    model: [[f32; 4]; 4],
    normal: [[f32; 4]; 4],
}

pub struct GpuPrimitive {
    /// The present streams back to back; `streams` has each one's offset and size.
    vertices: wgpu::Buffer,
    streams: [Option<(u64, u64)>; 6],
    indices: Option<wgpu::Buffer>,
    count: u32,
    topology: Topology,
    /// The scene's material index (see `GpuScene::material`).
    material: Option<usize>,
    bounds: Aabb,
}

impl GpuPrimitive {
    /// Uploads a primitive's vertex streams as they are, into one buffer back to back, and its
    /// indices. None for a primitive with nothing to draw.
    pub fn upload(device: &wgpu::Device, queue: &wgpu::Queue, p: &Primitive) -> Option<GpuPrimitive> {
        if p.positions.is_empty() || p.indices.as_ref().is_some_and(Vec::is_empty) {
            return None;
        }
        let mut streams = [None; 6];
        let mut size = 0u64;
        for (slot, bytes) in p.streams().into_iter().enumerate() {
            if let Some(b) = bytes {
                streams[slot] = Some((size, b.len() as u64));
                size += b.len() as u64;
            }
        }
        let usage = wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST;
        let vertices = device.create_buffer(&wgpu::BufferDescriptor { label: Some("vertices"), size, usage, mapped_at_creation: false });
        for (bytes, at) in p.streams().into_iter().zip(streams) {
            if let (Some(b), Some((offset, _))) = (bytes, at) {
                queue.write_buffer(&vertices, offset, b);
            }
        }
        let indices = p.indices.as_ref().map(|ix| buffer_with(device, queue, "indices", bytemuck::cast_slice(ix), wgpu::BufferUsages::INDEX));
        Some(GpuPrimitive {
            vertices,
            streams,
            indices,
            count: p.indices.as_ref().map_or(p.positions.len(), Vec::len) as u32,
            topology: p.topology,
            material: p.material,
            bounds: p.bounds,
        })
    }
}

impl Drop for GpuPrimitive {
    fn drop(&mut self) {
        // Free GPU memory now rather than whenever the JS garbage collector runs.
        self.vertices.destroy();
        if let Some(i) = &self.indices {
            i.destroy();
        }
    }
}

pub struct Draw {
    pub prim: usize,
    pub object: u32,
    pub key: PipelineKey,
    /// World-space bounds: for culling, and their centre for sorting blended draws.
    pub bounds: Aabb,
}

pub struct GpuScene {
    pub prims: Vec<GpuPrimitive>,
    /// One per scene material, then the glTF default material last.
    materials: Vec<(wgpu::BindGroup, Material)>,
    /// Per glTF mesh, the indices of its primitives in `prims`.
    mesh_prims: Vec<Vec<usize>>,
    textures: Vec<wgpu::Texture>,
    buffers: Vec<wgpu::Buffer>,
    pub objects: Option<(wgpu::Buffer, wgpu::BindGroup)>,
    pub draws: Vec<Draw>,
    pub object_stride: u32,
}

impl GpuScene {
    /// GPU memory held: every buffer, and every texture with its mip chain.
    pub fn bytes(&self) -> u64 {
        let prims: u64 = self.prims.iter().map(|p| p.vertices.size() + p.indices.as_ref().map_or(0, wgpu::Buffer::size)).sum();
        let buffers: u64 = self.buffers.iter().map(wgpu::Buffer::size).sum();
        let objects = self.objects.as_ref().map_or(0, |(b, _)| b.size());
        let textures: u64 = self
            .textures
            .iter()
            .map(|t| {
                let block = u64::from(t.format().block_copy_size(None).unwrap_or(4));
                (0..t.mip_level_count()).map(|m| u64::from((t.width() >> m).max(1)) * u64::from((t.height() >> m).max(1)) * block).sum::<u64>()
            })
            .sum();
        prims + buffers + objects + textures
    }
}

impl Drop for GpuScene {
    fn drop(&mut self) {
        // Free GPU memory now rather than whenever the JS garbage collector runs (the
        // primitives do so when dropped).
        self.textures.iter().for_each(wgpu::Texture::destroy);
        self.buffers.iter().for_each(wgpu::Buffer::destroy);
        if let Some((b, _)) = &self.objects {
            b.destroy();
        }
    }
}

/// Texture + sampler pair of a material slot (the neutral default when empty).
struct Bound {
    view: wgpu::TextureView,
    sampler: wgpu::Sampler,
}

impl GpuScene {
    #[allow(clippy::too_many_arguments)]
    /// Uploads the scene's materials and textures, and its primitives but those in `uploaded`
    /// (by mesh and primitive: uploaded while the model was built, see `GpuPrimitive::upload`).
    pub fn upload(
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        layouts: &Layouts,
        defaults: &Defaults,
        samplers: &mut Samplers,
        mips: &mut MipGen,
        scene: &Scene,
        bitmaps: &[Option<web_sys::ImageBitmap>],
        uploaded: &mut [Vec<Option<GpuPrimitive>>],
    ) -> GpuScene {
        let mut encoder = device.create_command_encoder(&Default::default());
        let mut textures = Vec::new();
        // An image may serve as colour (sRGB) in one slot and data (linear) in another.
        let mut image_views: std::collections::HashMap<(usize, bool), wgpu::TextureView> = Default::default();
        let mut buffers = Vec::new();
        let mut materials = Vec::new();
        let default_material = Material::default();
        for m in scene.materials.iter().chain(std::iter::once(&default_material)) {
            let mut bound: Vec<Bound> = Vec::new();
            let mut slots = [SlotU::zeroed(); 5];
            for (i, (slot, srgb)) in m.texture_slots().into_iter().enumerate() {
                let tex = slot.and_then(|s| Some((s, scene.textures.get(s.texture)?.as_ref()?)));
                let bitmap = tex.and_then(|(_, t)| bitmaps.get(t.image)?.as_ref());
                match (tex, bitmap) {
                    (Some((s, t)), Some(bmp)) => {
                        let view = image_views
                            .entry((t.image, srgb))
                            .or_insert_with(|| {
                                let texture = upload_bitmap(device, queue, mips, &mut encoder, bmp, srgb);
                                let view = texture.create_view(&Default::default());
                                textures.push(texture);
                                view
                            })
                            .clone();
                        let c = s.transform.to_cols_array_2d();
                        slots[i] = SlotU {
                            info: [s.tex_coord as f32, 1.0, 0.0, 0.0],
                            r0: [c[0][0], c[1][0], c[2][0], 0.0],
                            r1: [c[0][1], c[1][1], c[2][1], 0.0],
                        };
                        bound.push(Bound { view, sampler: samplers.get(device, t.sampler) });
                    }
                    _ => {
                        slots[i] = SlotU { info: [0.0; 4], r0: [1.0, 0.0, 0.0, 0.0], r1: [0.0, 1.0, 0.0, 0.0] };
                        let view = match i {
                            2 => defaults.normal.clone(),
                            _ if srgb => defaults.white_srgb.clone(),
                            _ => defaults.white.clone(),
                        };
                        bound.push(Bound { view, sampler: defaults.sampler.clone() });
                    }
                }
            }
            let e = m.emissive_strength;
            let u = MaterialU {
                base_color: m.base_color,
                emissive: [m.emissive[0] * e, m.emissive[1] * e, m.emissive[2] * e, 0.0],
                mr: [m.metallic, m.roughness, m.normal_scale, m.occlusion_strength],
                // The alpha mode is the shader variant's (MASK, BLEND), not a uniform.
                alpha: [m.alpha_cutoff, 0.0, if m.unlit { 1.0 } else { 0.0 }, 0.0],
                slots,
            };
            let ubuf = buffer_with(device, queue, "material", bytemuck::bytes_of(&u), wgpu::BufferUsages::UNIFORM);
            let mut entries = vec![wgpu::BindGroupEntry { binding: 0, resource: ubuf.as_entire_binding() }];
            for (i, b) in bound.iter().enumerate() {
                entries.push(wgpu::BindGroupEntry { binding: 1 + 2 * i as u32, resource: wgpu::BindingResource::TextureView(&b.view) });
                entries.push(wgpu::BindGroupEntry { binding: 2 + 2 * i as u32, resource: wgpu::BindingResource::Sampler(&b.sampler) });
            }
            let bg = device.create_bind_group(&wgpu::BindGroupDescriptor { label: Some("material"), layout: &layouts.material, entries: &entries });
            buffers.push(ubuf);
            materials.push((bg, m.clone()));
        }
        queue.submit([encoder.finish()]);

        let mut prims = Vec::new();
        let mut mesh_prims = Vec::new();
        for (m, mesh) in scene.meshes.iter().enumerate() {
            let mut ids = Vec::new();
            for (i, p) in mesh.primitives.iter().enumerate() {
                // Uploaded while the model was built, or now.
                let early = uploaded.get_mut(m).and_then(|u| u.get_mut(i)).and_then(Option::take);
                let Some(gp) = early.or_else(|| GpuPrimitive::upload(device, queue, p)) else { continue };
                ids.push(prims.len());
                prims.push(gp);
            }
            mesh_prims.push(ids);
        }
        GpuScene { prims, materials, mesh_prims, textures, buffers, objects: None, draws: Vec::new(), object_stride: 256 }
    }

    /// Builds the draw list and per-object uniforms for one glTF scene.
    pub fn set_scene(&mut self, device: &wgpu::Device, layouts: &Layouts, scene: &Scene, index: usize, align: u32) {
        if let Some((b, _)) = self.objects.take() {
            b.destroy();
        }
        self.draws.clear();
        let stride = (std::mem::size_of::<ObjectU>() as u32).div_ceil(align) * align;
        self.object_stride = stride;
        let (instances, _) = scene.flatten(index);
        let mut data: Vec<u8> = Vec::new();
        for inst in instances {
            let Some(ids) = self.mesh_prims.get(inst.mesh) else { continue };
            let object = (data.len() as u32) / stride;
            let u = ObjectU { model: inst.world.to_cols_array_2d(), normal: inst.world.inverse().transpose().to_cols_array_2d() };
            data.extend_from_slice(bytemuck::bytes_of(&u));
            data.resize(data.len().div_ceil(stride as usize) * stride as usize, 0);
            // A mirroring transform flips the winding of every triangle.
            let mirrored = inst.world.determinant() < 0.0;
            for &id in ids {
                let p = &self.prims[id];
                let m = &self.materials[self.material(p)].1;
                self.draws.push(Draw {
                    prim: id,
                    object,
                    key: PipelineKey { topology: p.topology, variant: Variant::of(p.streams.map(|s| s.is_some()), m), cull: !m.double_sided, mirrored },
                    bounds: p.bounds.transformed(inst.world),
                });
            }
        }
        if data.is_empty() {
            return;
        }
        let buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor { label: Some("objects"), contents: &data, usage: wgpu::BufferUsages::UNIFORM });
        let bg = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("objects"),
            layout: &layouts.object,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: &buf,
                    offset: 0,
                    size: wgpu::BufferSize::new(std::mem::size_of::<ObjectU>() as u64),
                }),
            }],
        });
        self.objects = Some((buf, bg));
    }

    /// The draws the view may see: opaque ones first, then blended ones back to front.
    pub fn sorted_draws(&self, view: Mat4, proj: Mat4) -> Vec<&Draw> {
        let frustum = Frustum::new(proj * view);
        let seen = || self.draws.iter().filter(|d| frustum.may_see(&d.bounds));
        let mut opaque: Vec<&Draw> = seen().filter(|d| !d.key.variant.blend).collect();
        let mut blend: Vec<(f32, &Draw)> = seen().filter(|d| d.key.variant.blend).map(|d| (view.transform_point3(d.bounds.center()).z, d)).collect();
        // View space looks down -z: the most negative z is farthest and goes first.
        blend.sort_by(|a, b| a.0.total_cmp(&b.0));
        opaque.sort_by_key(|d| (d.key, self.material(&self.prims[d.prim])));
        opaque.extend(blend.into_iter().map(|(_, d)| d));
        opaque
    }

    /// Draws `d`; `same_primitive` when the previous draw had the same primitive, whose vertex
    /// and index buffers are still bound (six vertex slots: worth not setting again).
    pub fn draw<'a>(&'a self, pass: &mut wgpu::RenderPass<'a>, d: &Draw, same_primitive: bool) {
        let p = &self.prims[d.prim];
        let Some((_, objects)) = &self.objects else { return };
        pass.set_bind_group(1, objects, &[d.object * self.object_stride]);
        pass.set_bind_group(2, &self.materials[self.material(p)].0, &[]);
        if !same_primitive {
            // The streams the variant reads (it reads only streams the primitive has).
            let read = d.key.variant.streams();
            for (slot, stream) in p.streams.iter().enumerate() {
                if let (true, Some((offset, size))) = (read[slot], stream) {
                    pass.set_vertex_buffer(slot as u32, p.vertices.slice(*offset..offset + size));
                }
            }
            if let Some(ix) = &p.indices {
                pass.set_index_buffer(ix.slice(..), wgpu::IndexFormat::Uint32);
            }
        }
        match &p.indices {
            Some(_) => pass.draw_indexed(0..p.count, 0, 0..1),
            None => pass.draw(0..p.count, 0..1),
        }
    }

    /// A primitive's material in `materials`: its own, or the glTF default material (last)
    /// where it has none or names one that is not there.
    fn material(&self, p: &GpuPrimitive) -> usize {
        let default = self.materials.len() - 1;
        p.material.filter(|&m| m < default).unwrap_or(default)
    }
}

/// A buffer holding `contents`, written with `Queue::write_buffer`. `create_buffer_init` maps the
/// buffer, and on WebGPU wgpu mirrors a mapping in a wasm-heap copy of the whole buffer: for a
/// large mesh that copy set the wasm memory's high-water mark (which never comes down).
fn buffer_with(device: &wgpu::Device, queue: &wgpu::Queue, label: &str, contents: &[u8], usage: wgpu::BufferUsages) -> wgpu::Buffer {
    if contents.is_empty() || !contents.len().is_multiple_of(wgpu::COPY_BUFFER_ALIGNMENT as usize) {
        return device.create_buffer_init(&wgpu::util::BufferInitDescriptor { label: Some(label), contents, usage });
    }
    let buffer = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: contents.len() as u64,
        usage: usage | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    queue.write_buffer(&buffer, 0, contents);
    buffer
}
