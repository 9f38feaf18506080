//! A scene on the GPU: vertex/index buffers per primitive, a bind group per material, and the
//! draw list of the current glTF scene. Dropping it destroys its buffers and textures at once.

use wgpu::util::DeviceExt;

use super::texture::{MipGen, Samplers, upload_bitmap, upload_blocks};
use crate::render::Texels;
use super::{Defaults, Layouts};
use crate::render::draws::{Draw, DrawList, PrimInfo};
use crate::render::uniforms::{MaterialU, ObjectU};
use crate::scene::{Primitive, STREAMS, Scene};
use crate::shader;

pub struct GpuPrimitive {
    /// The present streams back to back; `streams` has each one's offset and size.
    vertices: wgpu::Buffer,
    streams: [Option<(u64, u64)>; 6],
    /// With Uint16 or Uint32 (see scene::Indices).
    indices: Option<(wgpu::Buffer, wgpu::IndexFormat)>,
    count: u32,
    info: PrimInfo,
}

impl GpuPrimitive {
    /// Uploads a primitive's vertex streams as they are, into one buffer back to back, and its
    /// indices. None for a primitive with nothing to draw.
    pub fn upload(device: &wgpu::Device, queue: &wgpu::Queue, p: &Primitive, read: &crate::scene::ReadFile) -> Option<GpuPrimitive> {
        if p.positions.is_empty() || p.indices.as_ref().is_some_and(crate::scene::Indices::is_empty) {
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
        for (stream, at) in p.streams().into_iter().zip(streams) {
            if let (Some(s), Some((offset, _))) = (stream, at) {
                s.copy(read, &mut |at, b| queue.write_buffer(&vertices, offset + at as u64, b));
            }
        }
        let indices = p.indices.as_ref().map(|ix| {
            let format = if ix.wide() { wgpu::IndexFormat::Uint32 } else { wgpu::IndexFormat::Uint16 };
            (buffer_with(device, queue, "indices", ix.bytes(), wgpu::BufferUsages::INDEX), format)
        });
        Some(GpuPrimitive {
            vertices,
            streams,
            indices,
            count: p.indices.as_ref().map_or(p.positions.len(), crate::scene::Indices::len) as u32,
            info: PrimInfo { streams: streams.map(|s| s.is_some()), topology: p.topology, material: p.material, bounds: p.bounds },
        })
    }
}

impl GpuPrimitive {
    /// Rewrites the streams of a deformed primitive in place (same streams, same lengths as
    /// uploaded, which deformation keeps); false if they differ.
    fn update(&mut self, queue: &wgpu::Queue, p: &Primitive) -> bool {
        let streams = p.streams();
        let same = streams.iter().zip(&self.streams).all(|(b, at)| match (b, at) {
            (Some(b), Some((_, size))) => b.len() as u64 == *size,
            (None, None) => true,
            _ => false,
        });
        if !same {
            return false;
        }
        // Positions, normals and tangents change.
        // (A deforming primitive's streams are all in memory: see gltf::mesh.)
        for (s, at) in streams.iter().zip(self.streams).take(3) {
            if let (Some(s), Some((offset, _))) = (s, at) {
                s.copy(&crate::scene::no_file, &mut |at, b| queue.write_buffer(&self.vertices, offset + at as u64, b));
            }
        }
        self.info.bounds = p.bounds;
        true
    }
}

impl Drop for GpuPrimitive {
    fn drop(&mut self) {
        // Free GPU memory now rather than whenever the JS garbage collector runs.
        self.vertices.destroy();
        if let Some((i, _)) = &self.indices {
            i.destroy();
        }
    }
}

pub struct GpuScene {
    pub prims: Vec<GpuPrimitive>,
    /// One bind group per scene material, then the glTF default material last.
    materials: Vec<wgpu::BindGroup>,
    /// Per glTF mesh, the indices of its primitives in `prims`.
    mesh_prims: Vec<Vec<usize>>,
    /// Per mesh and primitive, its index in `prims` (see `update_primitive`).
    slots: Vec<Vec<Option<usize>>>,
    textures: Vec<wgpu::Texture>,
    buffers: Vec<wgpu::Buffer>,
    pub objects: Option<Objects>,
    pub list: DrawList,
}

/// The draw list's object uniforms: one buffer, bound one object at a time, or a whole array of
/// copies for an instanced draw (`many`, where the list has any), at each block's offset.
pub struct Objects {
    buffer: wgpu::Buffer,
    one: wgpu::BindGroup,
    many: Option<wgpu::BindGroup>,
    offsets: Vec<u32>,
}

impl GpuScene {
    /// Uploads primitive `index` of mesh `mesh` again after deformation (the draw list takes
    /// its new bounds at the next `set_scene`).
    pub fn update_primitive(&mut self, queue: &wgpu::Queue, mesh: usize, index: usize, p: &Primitive) -> bool {
        let Some(id) = self.slots.get(mesh).and_then(|m| m.get(index)).copied().flatten() else { return false };
        self.prims[id].update(queue, p)
    }

    /// GPU memory held: every buffer, and every texture with its mip chain.
    pub fn bytes(&self) -> u64 {
        let prims: u64 = self.prims.iter().map(|p| p.vertices.size() + p.indices.as_ref().map_or(0, |(b, _)| b.size())).sum();
        let buffers: u64 = self.buffers.iter().map(wgpu::Buffer::size).sum();
        let objects = self.objects.as_ref().map_or(0, |o| o.buffer.size());
        let textures: u64 = self
            .textures
            .iter()
            .map(|t| {
                let block = u64::from(t.format().block_copy_size(None).unwrap_or(4));
                // Blocks of 1×1 texels, or 4×4 for the compressed formats.
                let (bw, bh) = t.format().block_dimensions();
                let blocks = |m: u32| u64::from((t.width() >> m).max(1).div_ceil(bw)) * u64::from((t.height() >> m).max(1).div_ceil(bh));
                (0..t.mip_level_count()).map(|m| blocks(m) * block).sum::<u64>()
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
        if let Some(o) = &self.objects {
            o.buffer.destroy();
        }
    }
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
        bitmaps: &[Option<Texels>],
        uploaded: Vec<Vec<Option<GpuPrimitive>>>,
    ) -> GpuScene {
        let mut encoder = device.create_command_encoder(&Default::default());
        let mut textures = Vec::new();
        // An image may serve as colour (sRGB) in one slot and data (linear) in another.
        let mut image_views: crate::render::cache::Cache<(usize, bool), wgpu::TextureView> = Default::default();
        let mut buffers = Vec::new();
        let mut materials = Vec::new();
        let default_material = crate::scene::Material::default();
        for m in scene.materials.iter().chain(std::iter::once(&default_material)) {
            let mut bound: Vec<(wgpu::TextureView, wgpu::Sampler)> = Vec::new();
            let slots = m.texture_slots();
            let mut refs: [Option<&crate::scene::TexRef>; crate::scene::TEXTURE_SLOTS] = Default::default();
            for (i, (slot, srgb)) in slots.iter().enumerate() {
                let srgb = *srgb;
                let tex = slot.as_ref().and_then(|s| Some((s, scene.textures.get(s.texture)?.as_ref()?)));
                let bitmap = tex.and_then(|(_, t)| bitmaps.get(t.image)?.as_ref());
                match (tex, bitmap) {
                    (Some((s, t)), Some(bmp)) => {
                        let view = image_views
                            .get_or_insert_with((t.image, srgb), || {
                                let texture = match bmp {
                                    Texels::Bitmap(bmp) => upload_bitmap(device, queue, mips, &mut encoder, bmp, srgb),
                                    Texels::Blocks(b) => upload_blocks(device, queue, b, srgb),
                                };
                                let view = texture.create_view(&Default::default());
                                textures.push(texture);
                                view
                            })
                            .clone();
                        refs[i] = Some(s);
                        bound.push((view, samplers.get(device, t.sampler)));
                    }
                    _ => {
                        let view = match i {
                            2 => defaults.normal.clone(),
                            _ if srgb => defaults.white_srgb.clone(),
                            _ => defaults.white.clone(),
                        };
                        bound.push((view, defaults.sampler.clone()));
                    }
                }
            }
            let u = MaterialU::new(m, refs);
            let ubuf = buffer_with(device, queue, "material", bytemuck::bytes_of(&u), wgpu::BufferUsages::UNIFORM);
            let mut entries = vec![wgpu::BindGroupEntry { binding: 0, resource: ubuf.as_entire_binding() }];
            for (i, (view, sampler)) in bound.iter().enumerate() {
                entries.push(wgpu::BindGroupEntry { binding: 1 + 2 * i as u32, resource: wgpu::BindingResource::TextureView(view) });
                entries.push(wgpu::BindGroupEntry { binding: 2 + 2 * i as u32, resource: wgpu::BindingResource::Sampler(sampler) });
            }
            let bg = device.create_bind_group(&wgpu::BindGroupDescriptor { label: Some("material"), layout: &layouts.material, entries: &entries });
            buffers.push(ubuf);
            materials.push(bg);
        }
        queue.submit([encoder.finish()]);

        let crate::render::Gathered { prims, mesh_prims, slots } = crate::render::gather(scene, uploaded, |p| GpuPrimitive::upload(device, queue, p, &crate::scene::no_file));
        GpuScene { prims, materials, mesh_prims, slots, textures, buffers, objects: None, list: DrawList::default() }
    }

    /// Builds the draw list and per-object uniforms for one glTF scene.
    pub fn set_scene(&mut self, device: &wgpu::Device, layouts: &Layouts, scene: &Scene, index: usize, align: u32) {
        if let Some(o) = self.objects.take() {
            o.buffer.destroy();
        }
        let infos: Vec<PrimInfo> = self.prims.iter().map(|p| p.info).collect();
        self.list = DrawList::build(scene, index, &self.mesh_prims, &infos);
        let (data, offsets) = self.list.pack_objects(align);
        if data.is_empty() {
            return;
        }
        let buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor { label: Some("objects"), contents: &data, usage: wgpu::BufferUsages::UNIFORM });
        let bind = |objects: u32| {
            device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("objects"),
                layout: &layouts.object,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding { buffer: &buffer, offset: 0, size: wgpu::BufferSize::new(u64::from(objects) * std::mem::size_of::<ObjectU>() as u64) }),
                }],
            })
        };
        let many = self.list.blocks.iter().any(|b| b.len() > 1).then(|| bind(shader::INSTANCES_PER_DRAW));
        self.objects = Some(Objects { one: bind(1), many, offsets, buffer });
    }

    /// Draws `d`; `same_primitive` when the previous draw had the same primitive, whose vertex
    /// and index buffers are still bound (six vertex slots: worth not setting again).
    pub fn draw<'a>(&'a self, pass: &mut wgpu::RenderPass<'a>, d: &Draw, same_primitive: bool) {
        let p = &self.prims[d.prim];
        let Some(objects) = &self.objects else { return };
        // The binding is as large as the variant's uniform: one Object, or the Objects array.
        let group = if d.key.variant.instanced { objects.many.as_ref() } else { Some(&objects.one) };
        let (Some(group), Some(&offset)) = (group, objects.offsets.get(d.object as usize)) else { return };
        pass.set_bind_group(1, group, &[offset]);
        pass.set_bind_group(2, &self.materials[d.material], &[]);
        if !same_primitive {
            // The streams the variant reads (it reads only streams the primitive has).
            let read = d.key.variant.streams();
            for (slot, stream) in p.streams.iter().enumerate() {
                if let (true, Some((offset, size))) = (read[slot], stream) {
                    pass.set_vertex_buffer(slot as u32, p.vertices.slice(*offset..offset + size));
                }
            }
            if let Some((ix, format)) = &p.indices {
                pass.set_index_buffer(ix.slice(..), *format);
            }
        }
        match &p.indices {
            Some(_) => pass.draw_indexed(0..p.count, 0, 0..d.instances),
            None => pass.draw(0..p.count, 0..d.instances),
        }
    }
}

/// Vertex buffer strides by slot, from the one stream table.
pub fn stream_strides() -> [u64; 6] {
    STREAMS.map(|s| s.stride())
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
