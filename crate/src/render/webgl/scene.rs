//! A scene in WebGL2: per primitive one vertex buffer (its streams back to back, as on WebGPU)
//! and a vertex array; per material a uniform buffer and its textures; per glTF scene the draw
//! list and one uniform buffer of objects. Dropping it deletes its GL objects at once.

use crate::render::cache::Cache;

use web_sys::{WebGl2RenderingContext as Gl, WebGlBuffer, WebGlSampler, WebGlTexture, WebGlVertexArrayObject};

use crate::render::blocks::BlockFormat;
use crate::render::draws::{Draw, DrawList, PrimInfo};
use crate::render::{Blocks, Texels};
use crate::render::uniforms::{MaterialU, ObjectU};
use crate::scene::{Primitive, STREAMS, Sampler, Scene, TexRef, Topology, Wrap};
use crate::shader;

/// GL objects are deleted through their context; each holder keeps a handle to it.
pub struct GlPrimitive {
    gl: Gl,
    vertices: WebGlBuffer,
    indices: Option<WebGlBuffer>,
    vao: WebGlVertexArrayObject,
    bytes: u64,
    count: i32,
    /// UNSIGNED_SHORT or UNSIGNED_INT (see scene::Indices).
    index_type: u32,
    info: PrimInfo,
}

impl GlPrimitive {
    /// Uploads a primitive's streams as they are, back to back in one buffer, and its indices.
    /// None for a primitive with nothing to draw (or a lost context).
    pub fn upload(gl: &Gl, p: &Primitive, read: &crate::scene::ReadFile) -> Option<GlPrimitive> {
        if p.positions.is_empty() || p.indices.as_ref().is_some_and(crate::scene::Indices::is_empty) {
            return None;
        }
        let streams = p.streams();
        let size: usize = streams.iter().flatten().map(|b| b.len()).sum();
        let (vertices, vao) = (gl.create_buffer()?, gl.create_vertex_array()?);
        gl.bind_vertex_array(Some(&vao));
        gl.bind_buffer(Gl::ARRAY_BUFFER, Some(&vertices));
        gl.buffer_data_with_i32(Gl::ARRAY_BUFFER, size as i32, Gl::STATIC_DRAW);
        let mut offset = 0;
        for (location, stream) in streams.iter().enumerate() {
            let Some(s) = stream else { continue };
            s.copy(read, &mut |at, b| gl.buffer_sub_data_with_i32_and_u8_array(Gl::ARRAY_BUFFER, offset + at as i32, b));
            // Location = the stream's index (see scene::STREAMS and the shader's VsIn).
            gl.enable_vertex_attrib_array(location as u32);
            gl.vertex_attrib_pointer_with_i32(location as u32, STREAMS[location].components as i32, Gl::FLOAT, false, 0, offset);
            offset += s.len() as i32;
        }
        let indices = match &p.indices {
            Some(ix) => {
                let buf = gl.create_buffer()?;
                gl.bind_buffer(Gl::ELEMENT_ARRAY_BUFFER, Some(&buf));
                gl.buffer_data_with_u8_array(Gl::ELEMENT_ARRAY_BUFFER, ix.bytes(), Gl::STATIC_DRAW);
                Some(buf)
            }
            None => None,
        };
        gl.bind_vertex_array(None);
        gl.bind_buffer(Gl::ARRAY_BUFFER, None);
        Some(GlPrimitive {
            gl: gl.clone(),
            vertices,
            indices,
            vao,
            bytes: size as u64 + p.indices.as_ref().map_or(0, |i| i.bytes().len() as u64),
            count: p.indices.as_ref().map_or(p.positions.len(), crate::scene::Indices::len) as i32,
            index_type: if p.indices.as_ref().is_some_and(crate::scene::Indices::wide) { Gl::UNSIGNED_INT } else { Gl::UNSIGNED_SHORT },
            info: PrimInfo { streams: streams.map(|s| s.is_some()), topology: p.topology, material: p.material, bounds: p.bounds },
        })
    }
}

impl GlPrimitive {
    /// Rewrites the streams of a deformed primitive in place (same streams, same lengths as
    /// uploaded, which deformation keeps); false if they differ.
    fn update(&mut self, p: &Primitive) -> bool {
        let streams = p.streams();
        if streams.map(|s| s.is_some()) != self.info.streams || streams.iter().flatten().map(|b| b.len() as u64).sum::<u64>() + p.indices.as_ref().map_or(0, |i| i.bytes().len() as u64) != self.bytes {
            return false;
        }
        self.gl.bind_buffer(Gl::ARRAY_BUFFER, Some(&self.vertices));
        let mut offset = 0;
        // Positions, normals and tangents change; the other streams are skipped over.
        // (A deforming primitive's streams are all in memory: see gltf::mesh.)
        for (slot, s) in streams.iter().enumerate() {
            let Some(s) = s else { continue };
            if slot < 3 {
                s.copy(&crate::scene::no_file, &mut |at, b| self.gl.buffer_sub_data_with_i32_and_u8_array(Gl::ARRAY_BUFFER, offset + at as i32, b));
            }
            offset += s.len() as i32;
        }
        self.gl.bind_buffer(Gl::ARRAY_BUFFER, None);
        self.info.bounds = p.bounds;
        true
    }
}

impl Drop for GlPrimitive {
    fn drop(&mut self) {
        self.gl.delete_vertex_array(Some(&self.vao));
        self.gl.delete_buffer(Some(&self.vertices));
        self.gl.delete_buffer(self.indices.as_ref());
    }
}

/// What every scene of a context shares: neutral textures for empty slots, and one sampler
/// object per distinct glTF sampler.
pub struct Textures {
    white: WebGlTexture,
    normal: WebGlTexture,
    samplers: Cache<Sampler, WebGlSampler>,
}

fn solid(gl: &Gl, rgba: [u8; 4]) -> Result<WebGlTexture, String> {
    let t = gl.create_texture().ok_or("the GPU context is lost")?;
    gl.bind_texture(Gl::TEXTURE_2D, Some(&t));
    gl.tex_image_2d_with_i32_and_i32_and_i32_and_format_and_type_and_opt_u8_array(Gl::TEXTURE_2D, 0, Gl::RGBA8 as i32, 1, 1, 0, Gl::RGBA, Gl::UNSIGNED_BYTE, Some(&rgba))
        .map_err(|e| crate::web::js_error(&e))?;
    Ok(t)
}

impl Textures {
    pub fn new(gl: &Gl) -> Result<Textures, String> {
        Ok(Textures { white: solid(gl, [255; 4])?, normal: solid(gl, [128, 128, 255, 255])?, samplers: Cache::default() })
    }

    fn sampler(&mut self, gl: &Gl, s: Sampler) -> Option<WebGlSampler> {
        if let Some(found) = self.samplers.get(&s) {
            return Some(found.clone());
        }
        let made = gl.create_sampler()?;
        let wrap = |w| match w {
            Wrap::Repeat => Gl::REPEAT,
            Wrap::MirroredRepeat => Gl::MIRRORED_REPEAT,
            Wrap::ClampToEdge => Gl::CLAMP_TO_EDGE,
        } as i32;
        let min = match (s.min_linear, s.mipmap) {
            (false, None) => Gl::NEAREST,
            (true, None) => Gl::LINEAR,
            (false, Some(false)) => Gl::NEAREST_MIPMAP_NEAREST,
            (true, Some(false)) => Gl::LINEAR_MIPMAP_NEAREST,
            (false, Some(true)) => Gl::NEAREST_MIPMAP_LINEAR,
            (true, Some(true)) => Gl::LINEAR_MIPMAP_LINEAR,
        };
        gl.sampler_parameteri(&made, Gl::TEXTURE_WRAP_S, wrap(s.wrap_s));
        gl.sampler_parameteri(&made, Gl::TEXTURE_WRAP_T, wrap(s.wrap_t));
        gl.sampler_parameteri(&made, Gl::TEXTURE_MAG_FILTER, if s.mag_linear { Gl::LINEAR } else { Gl::NEAREST } as i32);
        gl.sampler_parameteri(&made, Gl::TEXTURE_MIN_FILTER, min as i32);
        self.samplers.get_or_insert_with(s, || made.clone());
        Some(made)
    }

    pub fn delete(&self, gl: &Gl) {
        gl.delete_texture(Some(&self.white));
        gl.delete_texture(Some(&self.normal));
        self.samplers.values().for_each(|s| gl.delete_sampler(Some(s)));
    }
}

/// Uploads a decoded image as an sRGB (colour) or linear (data) texture with a full mip chain.
fn upload_bitmap(gl: &Gl, bitmap: &web_sys::ImageBitmap, srgb: bool) -> Option<(WebGlTexture, u64)> {
    let t = gl.create_texture()?;
    gl.bind_texture(Gl::TEXTURE_2D, Some(&t));
    // The bitmap is decoded as it is in the file (no colour conversion, no premultiplication).
    gl.pixel_storei(Gl::UNPACK_FLIP_Y_WEBGL, 0);
    gl.pixel_storei(Gl::UNPACK_PREMULTIPLY_ALPHA_WEBGL, 0);
    gl.pixel_storei(Gl::UNPACK_COLORSPACE_CONVERSION_WEBGL, Gl::NONE as i32);
    let format = if srgb { Gl::SRGB8_ALPHA8 } else { Gl::RGBA8 };
    gl.tex_image_2d_with_u32_and_u32_and_image_bitmap(Gl::TEXTURE_2D, 0, format as i32, Gl::RGBA, Gl::UNSIGNED_BYTE, bitmap).ok()?;
    gl.generate_mipmap(Gl::TEXTURE_2D);
    let (w, h) = (u64::from(bitmap.width().max(1)), u64::from(bitmap.height().max(1)));
    // Level 0 and a third more for the mip chain.
    Some((t, w * h * 4 * 4 / 3))
}

/// Per block format: the extension that samples it and its linear and sRGB internal formats.
pub const BLOCK_EXTENSIONS: [(BlockFormat, &str, u32, u32); 3] = [
    (BlockFormat::Astc4x4, "WEBGL_compressed_texture_astc", 0x93B0, 0x93D0),
    (BlockFormat::Bc7, "EXT_texture_compression_bptc", 0x8E8C, 0x8E8D),
    (BlockFormat::Etc2Rgba8, "WEBGL_compressed_texture_etc", 0x9278, 0x9279),
];

/// Uploads the levels the Basis module gave, straight from JS memory (GL cannot make mipmaps of
/// block formats: a texture without mips is drawn from its base level alone).
fn upload_blocks(gl: &Gl, b: &Blocks, srgb: bool) -> Option<(WebGlTexture, u64)> {
    let &(_, extension, linear, srgb_format) = BLOCK_EXTENSIONS.iter().find(|e| e.0 == b.format)?;
    // Enabled here too: a restored context starts with no extensions.
    gl.get_extension(extension).ok()??;
    let t = gl.create_texture()?;
    gl.bind_texture(Gl::TEXTURE_2D, Some(&t));
    let format = if srgb { srgb_format } else { linear };
    let mut bytes = 0;
    for (l, level) in b.levels.iter().enumerate() {
        let (w, h) = ((b.width >> l).max(1), (b.height >> l).max(1));
        gl.compressed_tex_image_2d_with_array_buffer_view(Gl::TEXTURE_2D, l as i32, format, w as i32, h as i32, 0, level);
        bytes += u64::from(level.length());
    }
    // Complete with the levels it has (a mipmapping sampler would otherwise sample black).
    gl.tex_parameteri(Gl::TEXTURE_2D, Gl::TEXTURE_MAX_LEVEL, b.levels.len() as i32 - 1);
    Some((t, bytes))
}

struct GlMaterial {
    uniforms: WebGlBuffer,
    /// Per slot: texture and sampler (None: the neutral texture with any sampler).
    slots: [(WebGlTexture, Option<WebGlSampler>); crate::scene::TEXTURE_SLOTS],
}

pub struct GlScene {
    gl: Gl,
    prims: Vec<GlPrimitive>,
    /// One per scene material, then the glTF default material last.
    materials: Vec<GlMaterial>,
    mesh_prims: Vec<Vec<usize>>,
    /// Per mesh and primitive, its index in `prims` (see `update_primitive`).
    slots: Vec<Vec<Option<usize>>>,
    textures: Vec<(WebGlTexture, u64)>,
    objects: Option<(WebGlBuffer, u64)>,
    /// Where each of the draw list's object blocks starts in `objects`.
    offsets: Vec<u32>,
    pub list: DrawList,
}

/// What the previous draw left bound, so a draw binds only what changes: (content, index).
#[derive(Default)]
pub struct Bound {
    prim: Option<(usize, usize)>,
    material: Option<(usize, usize)>,
}

impl GlScene {
    /// Uploads primitive `index` of mesh `mesh` again after deformation (the draw list takes
    /// its new bounds at the next `set_scene`).
    pub fn update_primitive(&mut self, mesh: usize, index: usize, p: &Primitive) -> bool {
        let Some(id) = self.slots.get(mesh).and_then(|m| m.get(index)).copied().flatten() else { return false };
        self.prims[id].update(p)
    }

    pub fn upload(gl: &Gl, shared: &mut Textures, scene: &Scene, bitmaps: &[Option<Texels>], uploaded: Vec<Vec<Option<GlPrimitive>>>) -> GlScene {
        let mut textures: Vec<(WebGlTexture, u64)> = Vec::new();
        // An image may serve as colour (sRGB) in one slot and data (linear) in another.
        let mut image_textures: Cache<(usize, bool), WebGlTexture> = Cache::default();
        let mut materials = Vec::new();
        let default_material = crate::scene::Material::default();
        for m in scene.materials.iter().chain(std::iter::once(&default_material)) {
            let slots = m.texture_slots();
            let mut refs: [Option<&TexRef>; crate::scene::TEXTURE_SLOTS] = Default::default();
            let bound: [(WebGlTexture, Option<WebGlSampler>); crate::scene::TEXTURE_SLOTS] = std::array::from_fn(|i| {
                let (slot, srgb) = &slots[i];
                let neutral = || (if i == 2 { shared.normal.clone() } else { shared.white.clone() }, None);
                let Some((s, t)) = slot.as_ref().and_then(|s| Some((s, scene.textures.get(s.texture)?.as_ref()?))) else { return neutral() };
                let Some(bitmap) = bitmaps.get(t.image).and_then(Option::as_ref) else { return neutral() };
                let texture = match image_textures.get(&(t.image, *srgb)) {
                    Some(found) => found.clone(),
                    None => {
                        let made = match bitmap {
                            Texels::Bitmap(bitmap) => upload_bitmap(gl, bitmap, *srgb),
                            Texels::Blocks(b) => upload_blocks(gl, b, *srgb),
                        };
                        let Some((made, bytes)) = made else { return neutral() };
                        textures.push((made.clone(), bytes));
                        image_textures.get_or_insert_with((t.image, *srgb), || made.clone());
                        made
                    }
                };
                refs[i] = Some(s);
                (texture, shared.sampler(gl, t.sampler))
            });
            let u = MaterialU::new(m, refs);
            let Some(buf) = gl.create_buffer() else { continue };
            gl.bind_buffer(Gl::UNIFORM_BUFFER, Some(&buf));
            gl.buffer_data_with_u8_array(Gl::UNIFORM_BUFFER, bytemuck::bytes_of(&u), Gl::STATIC_DRAW);
            materials.push(GlMaterial { uniforms: buf, slots: bound });
        }
        let crate::render::Gathered { prims, mesh_prims, slots } = crate::render::gather(scene, uploaded, |p| GlPrimitive::upload(gl, p, &crate::scene::no_file));
        GlScene { gl: gl.clone(), prims, materials, mesh_prims, slots, textures, objects: None, offsets: Vec::new(), list: DrawList::default() }
    }

    /// Builds the draw list and the object uniforms for glTF scene `index`.
    pub fn set_scene(&mut self, gl: &Gl, scene: &Scene, index: usize, align: u32) {
        if let Some((b, _)) = self.objects.take() {
            gl.delete_buffer(Some(&b));
        }
        let infos: Vec<PrimInfo> = self.prims.iter().map(|p| p.info).collect();
        self.list = DrawList::build(scene, index, &self.mesh_prims, &infos);
        // A lost context made fewer materials than the scene has: draw nothing rather than misindex.
        if self.materials.len() != scene.materials.len() + 1 {
            self.list.draws.clear();
        }
        let (data, offsets) = self.list.pack_objects(align);
        if data.is_empty() {
            return;
        }
        let Some(buf) = gl.create_buffer() else { return };
        gl.bind_buffer(Gl::UNIFORM_BUFFER, Some(&buf));
        gl.buffer_data_with_u8_array(Gl::UNIFORM_BUFFER, &data, Gl::STATIC_DRAW);
        self.objects = Some((buf, data.len() as u64));
        self.offsets = offsets;
    }

    pub fn bytes(&self) -> u64 {
        let prims: u64 = self.prims.iter().map(|p| p.bytes).sum();
        let materials = self.materials.len() as u64 * std::mem::size_of::<MaterialU>() as u64;
        let textures: u64 = self.textures.iter().map(|t| t.1).sum();
        prims + materials + textures + self.objects.as_ref().map_or(0, |o| o.1)
    }

    /// Draws `d` of content `content`, binding what `bound` says is not bound yet.
    pub fn draw(&self, gl: &Gl, d: &Draw, bound: &mut Bound, content: usize) {
        let (Some((objects, _)), Some(&offset), Some(p), Some(m)) = (&self.objects, self.offsets.get(d.object as usize), self.prims.get(d.prim), self.materials.get(d.material)) else { return };
        // An instanced draw binds the whole `Objects` array its shader declares.
        let copies = if d.key.variant.instanced { shader::INSTANCES_PER_DRAW as usize } else { 1 };
        let size = (copies * std::mem::size_of::<ObjectU>()) as i32;
        gl.bind_buffer_range_with_i32_and_i32(Gl::UNIFORM_BUFFER, 1, Some(objects), offset as i32, size);
        if bound.material != Some((content, d.material)) {
            gl.bind_buffer_base(Gl::UNIFORM_BUFFER, 2, Some(&m.uniforms));
            for (unit, (texture, sampler)) in m.slots.iter().enumerate() {
                gl.active_texture(Gl::TEXTURE0 + unit as u32);
                gl.bind_texture(Gl::TEXTURE_2D, Some(texture));
                gl.bind_sampler(unit as u32, sampler.as_ref());
            }
            bound.material = Some((content, d.material));
        }
        if bound.prim != Some((content, d.prim)) {
            gl.bind_vertex_array(Some(&p.vao));
            bound.prim = Some((content, d.prim));
        }
        let mode = match p.info.topology {
            Topology::Points => Gl::POINTS,
            Topology::Lines => Gl::LINES,
            Topology::Triangles => Gl::TRIANGLES,
        };
        match (&p.indices, d.instances) {
            (Some(_), 1) => gl.draw_elements_with_i32(mode, p.count, p.index_type, 0),
            (None, 1) => gl.draw_arrays(mode, 0, p.count),
            (Some(_), n) => gl.draw_elements_instanced_with_i32(mode, p.count, p.index_type, 0, n as i32),
            (None, n) => gl.draw_arrays_instanced(mode, 0, p.count, n as i32),
        }
    }
}

impl Drop for GlScene {
    fn drop(&mut self) {
        let gl = &self.gl;
        self.textures.iter().for_each(|t| gl.delete_texture(Some(&t.0)));
        self.materials.iter().for_each(|m| gl.delete_buffer(Some(&m.uniforms)));
        if let Some((b, _)) = &self.objects {
            gl.delete_buffer(Some(b));
        }
    }
}
