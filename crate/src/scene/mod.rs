//! Plain scene data: what the loader produces and the renderer consumes. No GPU, no browser.

pub mod animation;
pub mod deform;
pub mod environment;

use glam::{Mat3, Mat4, Vec3};

use crate::geometry::Aabb;
use crate::geometry::bvh::Occluders;

#[derive(Debug, Default)]
pub struct Scene {
    pub meshes: Vec<Mesh>,
    pub materials: Vec<Material>,
    /// One per glTF texture; `None` where it has no image Scenic can decode (materials then
    /// leave that slot out).
    pub textures: Vec<Option<Texture>>,
    pub images: Vec<Image>,
    pub nodes: Vec<Node>,
    pub scenes: Vec<SceneRoot>,
    /// Index into `scenes` shown first (the glTF `scene`, else 0).
    pub default_scene: usize,
    pub cameras: Vec<Camera>,
    /// Where the scene sits on the earth (`extras.geoReference` of the scene or the asset).
    pub geo_reference: Option<crate::poi::GeoReference>,
    pub animations: Vec<animation::Animation>,
    pub skins: Vec<deform::Skin>,
}

#[derive(Debug, Default, Clone)]
pub struct SceneRoot {
    pub name: Option<String>,
    pub nodes: Vec<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Node {
    pub name: Option<String>,
    pub local: Mat4,
    pub children: Vec<usize>,
    pub mesh: Option<usize>,
    pub camera: Option<usize>,
    /// Local transforms of the mesh's instances under this node (EXT_mesh_gpu_instancing); empty:
    /// the mesh is drawn once.
    pub instances: Vec<Mat4>,
    /// The rest transform as TRS, where the file gave it so (only such nodes are animated);
    /// `local` is its matrix until an animation poses the node.
    pub rest: Option<animation::Trs>,
    /// The skin deforming its mesh (scene::deform).
    pub skin: Option<usize>,
    /// Its mesh's morph target weights now (animated), and as the file gives them.
    pub weights: Vec<f32>,
    pub rest_weights: Vec<f32>,
}

#[derive(Debug, Default, Clone)]
pub struct Mesh {
    pub primitives: Vec<Primitive>,
}

/// A glTF primitive's mode, as the file gives it (the loader unrolls strips, loops and fans).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Points,
    Lines,
    LineLoop,
    LineStrip,
    Triangles,
    TriangleStrip,
    TriangleFan,
}

/// One vertex stream: its glTF attribute and its f32 components per vertex. `STREAMS` is the one
/// declaration of the streams, their order (= `Primitive::streams`, shader locations, vertex
/// buffer slots) and their widths; the shader's `VsIn` is tested against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stream {
    pub attribute: &'static str,
    pub components: u32,
}

impl Stream {
    /// Bytes per vertex.
    pub const fn stride(self) -> u64 {
        self.components as u64 * 4
    }
}

pub const STREAMS: [Stream; 6] = [
    Stream { attribute: "POSITION", components: 3 },
    Stream { attribute: "NORMAL", components: 3 },
    Stream { attribute: "TANGENT", components: 4 },
    Stream { attribute: "TEXCOORD_0", components: 2 },
    Stream { attribute: "TEXCOORD_1", components: 2 },
    Stream { attribute: "COLOR_0", components: 4 },
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Topology {
    Points,
    Lines,
    #[default]
    Triangles,
}

impl Primitive {
    /// Drops what only the GPU needs once the streams are uploaded, keeping positions and
    /// indices (picking, label occlusion and walking read them): as they are, or a simplified
    /// copy of about `sight` triangles where the primitive has more (see geometry::simplify).
    pub fn strip(&mut self, sight: usize) {
        self.in_file = Default::default();
        if let Some(d) = self.deform.as_deref_mut() {
            // Deformation starts from the bind pose each frame; and all streams are kept, as
            // a deformable mesh shown by two nodes is uploaded again as a copy (gltf::build).
            d.keep_bind(&self.positions, &self.normals, self.tangents.as_deref());
            return;
        }
        self.normals = Vec::new();
        self.tangents = None;
        self.uv0 = None;
        self.uv1 = None;
        self.colors = None;
        // (Checked before the 32-bit copy that simplifying takes, which most never need.)
        if self.topology == Topology::Triangles
            && self.triangle_count() > sight
            && let Some((positions, indices)) = crate::geometry::simplify::for_sight(&self.positions, self.indices.as_ref().map(Indices::to_u32).as_deref(), sight)
        {
            self.drawn_triangles = Some(self.triangle_count());
            let n = positions.len();
            (self.positions, self.indices) = (positions, Some(Indices::compact(indices, n)));
        }
    }

    /// Triangles drawn (those of a simplified copy's original: see `strip`).
    pub fn triangle_count(&self) -> usize {
        self.drawn_triangles.unwrap_or_else(|| self.indices.as_ref().map_or(self.positions.len(), Indices::len) / 3)
    }

    /// The vertex streams the renderer uploads as they are, with no interleaved copy (which
    /// would add to the wasm memory's high-water mark), in `STREAMS` order. None where absent
    /// (no shader variant reads it then: see crate::shader).
    /// A stream may still be in the file (`in_file`).
    pub fn streams(&self) -> [Option<StreamData<'_>>; 6] {
        let here: [Option<&[u8]>; 6] = [
            Some(bytemuck::cast_slice(&self.positions)),
            Some(bytemuck::cast_slice(&self.normals)),
            self.tangents.as_deref().map(bytemuck::cast_slice),
            self.uv0.as_deref().map(bytemuck::cast_slice),
            self.uv1.as_deref().map(bytemuck::cast_slice),
            self.colors.as_deref().map(bytemuck::cast_slice),
        ];
        std::array::from_fn(|k| match self.in_file[k] {
            Some(f) => Some(StreamData::InFile(f)),
            None => here[k].map(StreamData::Here),
        })
    }
}

/// A primitive's indices as the GPU takes them: 16-bit wherever every vertex fits, which halves
/// them in wasm memory (where they stay for line of sight) and on the GPU, as three.js keeps a
/// file's 16-bit indices; 32-bit otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum Indices {
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl Indices {
    /// The narrowest form for a primitive of `vertices` (each index is below it).
    pub fn compact(wide: Vec<u32>, vertices: usize) -> Indices {
        if vertices <= 1 << 16 { Indices::U16(wide.into_iter().map(|i| i as u16).collect()) } else { Indices::U32(wide) }
    }

    pub fn len(&self) -> usize {
        match self {
            Indices::U16(v) => v.len(),
            Indices::U32(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`th index (`i` < len).
    pub fn at(&self, i: usize) -> u32 {
        match self {
            Indices::U16(v) => u32::from(v[i]),
            Indices::U32(v) => v[i],
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len()).map(|i| self.at(i))
    }

    /// Sets the `i`th index; 16-bit ones must be widened first for a larger `v`.
    pub fn set(&mut self, i: usize, v: u32) {
        match self {
            Indices::U16(ix) => ix[i] = v as u16,
            Indices::U32(ix) => ix[i] = v,
        }
    }

    pub fn widen(&mut self) {
        if !self.wide() {
            *self = Indices::U32(self.to_u32().into_owned());
        }
    }

    pub fn truncate(&mut self, len: usize) {
        match self {
            Indices::U16(v) => v.truncate(len),
            Indices::U32(v) => v.truncate(len),
        }
    }

    /// As 32-bit, for the code that works on those (tangents, unwelding, simplifying).
    pub fn to_u32(&self) -> std::borrow::Cow<'_, [u32]> {
        match self {
            Indices::U16(v) => v.iter().map(|&i| u32::from(i)).collect::<Vec<u32>>().into(),
            Indices::U32(v) => v.as_slice().into(),
        }
    }

    pub fn into_u32(self) -> Vec<u32> {
        match self {
            Indices::U16(v) => v.into_iter().map(u32::from).collect(),
            Indices::U32(v) => v,
        }
    }

    /// The bytes the GPU reads (little-endian, as wasm is).
    pub fn bytes(&self) -> &[u8] {
        match self {
            Indices::U16(v) => bytemuck::cast_slice(v),
            Indices::U32(v) => bytemuck::cast_slice(v),
        }
    }

    pub fn wide(&self) -> bool {
        matches!(self, Indices::U32(_))
    }
}

impl From<Vec<u32>> for Indices {
    fn from(v: Vec<u32>) -> Indices {
        Indices::U32(v)
    }
}

/// One draw: vertex streams already decoded to f32 (quantised, normalised and sparse data resolved).
#[derive(Debug, Clone, Default)]
pub struct Primitive {
    pub topology: Topology,
    pub positions: Vec<[f32; 3]>,
    pub normals: Vec<[f32; 3]>,
    pub tangents: Option<Vec<[f32; 4]>>,
    pub uv0: Option<Vec<[f32; 2]>>,
    pub uv1: Option<Vec<[f32; 2]>>,
    pub colors: Option<Vec<[f32; 4]>>,
    /// Always a list (strips, loops and fans are unrolled by the loader).
    pub indices: Option<Indices>,
    pub material: Option<usize>,
    pub bounds: Aabb,
    /// Skin joints and weights, morph targets and the bind pose, where the primitive deforms.
    pub deform: Option<Box<deform::Deform>>,
    /// Set once `strip` kept a simplified copy: the triangles the GPU draws.
    pub drawn_triangles: Option<usize>,
    /// Streams left in the file, by `STREAMS` slot (their Vec empty): see `FileStream`.
    pub in_file: [Option<FileStream>; 6],
}

/// A vertex stream left in the file, tightly packed floats as the GPU takes them: where the
/// loader hands each primitive to a renderer as it is built (gltf::build_with), the renderer
/// copies such a stream from the file in slices, so that a primitive's streams are never in
/// wasm memory together (the lakeside's terrain held 260 KB of normals and colours at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStream {
    /// The loader's buffer index, and the byte range in it.
    pub buffer: usize,
    pub start: usize,
    pub len: usize,
}

/// Fills `out` from a file stream's bytes at `offset` into it; false where it cannot.
pub type ReadFile<'a> = dyn Fn(&FileStream, usize, &mut [u8]) -> bool + 'a;

/// The reader where no file is at hand: primitives uploaded after loading (deformed ones, those
/// gathered at finish) hold every stream in memory, so it is never asked.
pub fn no_file(_: &FileStream, _: usize, _: &mut [u8]) -> bool {
    false
}

/// A vertex stream as the renderer uploads it: in memory, or in the file.
#[derive(Debug, Clone, Copy)]
pub enum StreamData<'a> {
    Here(&'a [u8]),
    InFile(FileStream),
}

impl StreamData<'_> {
    pub fn len(&self) -> usize {
        match self {
            StreamData::Here(b) => b.len(),
            StreamData::InFile(f) => f.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hands the bytes to `write(offset, bytes)`: at once where in memory, else in slices of at
    /// most 64 KiB read from the file (zeros where the file cannot give them, which the loader's
    /// checks rule out).
    pub fn copy(&self, read: &ReadFile, write: &mut dyn FnMut(usize, &[u8])) {
        match self {
            StreamData::Here(b) => write(0, b),
            StreamData::InFile(f) => {
                let mut slice = vec![0u8; f.len.min(1 << 16)];
                let mut done = 0;
                while done < f.len {
                    let part = &mut slice[..(f.len - done).min(1 << 16)];
                    if !read(f, done, part) {
                        part.fill(0);
                    }
                    write(done, part);
                    done += part.len();
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum AlphaMode {
    #[default]
    Opaque,
    Mask,
    Blend,
}

/// A texture slot: which texture, which UV set, and the KHR_texture_transform matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TexRef {
    pub texture: usize,
    pub tex_coord: u32,
    pub transform: Mat3,
}

impl TexRef {
    pub fn new(texture: usize, tex_coord: u32) -> Self {
        Self { texture, tex_coord, transform: Mat3::IDENTITY }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Material {
    pub name: Option<String>,
    pub base_color: [f32; 4],
    pub base_color_texture: Option<TexRef>,
    pub metallic: f32,
    pub roughness: f32,
    pub metallic_roughness_texture: Option<TexRef>,
    pub normal_texture: Option<TexRef>,
    pub normal_scale: f32,
    pub occlusion_texture: Option<TexRef>,
    pub occlusion_strength: f32,
    pub emissive: [f32; 3],
    pub emissive_texture: Option<TexRef>,
    /// KHR_materials_emissive_strength multiplier.
    pub emissive_strength: f32,
    pub alpha_mode: AlphaMode,
    pub alpha_cutoff: f32,
    pub double_sided: bool,
    /// KHR_materials_unlit.
    pub unlit: bool,
    /// KHR_materials_ior: the index of refraction, which sets a dielectric's reflectance at
    /// normal incidence (1.5: 4 %).
    pub ior: f32,
    /// KHR_materials_specular: the strength of a dielectric's specular reflection (at every
    /// angle; the texture's alpha multiplies it) and the colour of its reflectance at normal
    /// incidence (the texture's sRGB colour multiplies it).
    pub specular: f32,
    pub specular_texture: Option<TexRef>,
    pub specular_color: [f32; 3],
    pub specular_color_texture: Option<TexRef>,
    /// KHR_materials_clearcoat: a clear dielectric coat (IOR 1.5) over the material: its
    /// strength (the texture's red channel multiplies it), roughness (green) and own normal map.
    pub clearcoat: f32,
    pub clearcoat_texture: Option<TexRef>,
    pub clearcoat_roughness: f32,
    pub clearcoat_roughness_texture: Option<TexRef>,
    pub clearcoat_normal_texture: Option<TexRef>,
    pub clearcoat_normal_scale: f32,
    /// KHR_materials_transmission: the share of light that passes through (a thin surface; the
    /// texture's red channel multiplies it).
    pub transmission: f32,
    pub transmission_texture: Option<TexRef>,
    /// KHR_materials_sheen: the colour a layer of fibres reflects (the texture's sRGB colour
    /// multiplies it; black is no sheen) and its roughness (the texture's alpha multiplies it).
    pub sheen_color: [f32; 3],
    pub sheen_color_texture: Option<TexRef>,
    pub sheen_roughness: f32,
    pub sheen_roughness_texture: Option<TexRef>,
}

impl Default for Material {
    /// The glTF default material.
    fn default() -> Self {
        Self {
            name: None,
            base_color: [1.0; 4],
            base_color_texture: None,
            metallic: 1.0,
            roughness: 1.0,
            metallic_roughness_texture: None,
            normal_texture: None,
            normal_scale: 1.0,
            occlusion_texture: None,
            occlusion_strength: 1.0,
            emissive: [0.0; 3],
            emissive_texture: None,
            emissive_strength: 1.0,
            alpha_mode: AlphaMode::Opaque,
            alpha_cutoff: 0.5,
            double_sided: false,
            unlit: false,
            ior: 1.5,
            specular: 1.0,
            specular_texture: None,
            specular_color: [1.0; 3],
            specular_color_texture: None,
            clearcoat: 0.0,
            clearcoat_texture: None,
            clearcoat_roughness: 0.0,
            clearcoat_roughness_texture: None,
            clearcoat_normal_texture: None,
            clearcoat_normal_scale: 1.0,
            transmission: 0.0,
            transmission_texture: None,
            sheen_color: [0.0; 3],
            sheen_color_texture: None,
            sheen_roughness: 0.0,
            sheen_roughness_texture: None,
        }
    }
}

/// Texture slots of a material (`Material::texture_slots`), each a binding pair in pbr.wgsl.
pub const TEXTURE_SLOTS: usize = 13;

impl Material {
    /// Each slot with whether its texels are colour (sRGB) or data (linear).
    pub fn texture_slots(&self) -> [(Option<TexRef>, bool); TEXTURE_SLOTS] {
        [
            (self.base_color_texture, true),
            (self.metallic_roughness_texture, false),
            (self.normal_texture, false),
            (self.occlusion_texture, false),
            (self.emissive_texture, true),
            (self.specular_texture, false),
            (self.specular_color_texture, true),
            (self.clearcoat_texture, false),
            (self.clearcoat_roughness_texture, false),
            (self.clearcoat_normal_texture, false),
            (self.transmission_texture, false),
            (self.sheen_color_texture, true),
            (self.sheen_roughness_texture, false),
        ]
    }

    /// A dielectric's reflectance at normal incidence before its specular colour texture: from
    /// the index of refraction, times the specular colour factor (clamped to 1 in the shader,
    /// after the texture, as KHR_materials_specular says).
    pub fn dielectric_f0(&self) -> [f32; 3] {
        let r = ((self.ior - 1.0) / (self.ior + 1.0)).powi(2);
        self.specular_color.map(|c| r * c)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wrap {
    Repeat,
    MirroredRepeat,
    ClampToEdge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sampler {
    pub mag_linear: bool,
    pub min_linear: bool,
    /// None: no mipmapping (NEAREST / LINEAR min filters); Some(linear?) otherwise.
    pub mipmap: Option<bool>,
    pub wrap_s: Wrap,
    pub wrap_t: Wrap,
}

impl Default for Sampler {
    /// Unspecified filters: trilinear, as most viewers choose.
    fn default() -> Self {
        Self { mag_linear: true, min_linear: true, mipmap: Some(true), wrap_s: Wrap::Repeat, wrap_t: Wrap::Repeat }
    }
}

#[derive(Debug, Clone)]
pub struct Texture {
    pub image: usize,
    pub sampler: Sampler,
}

/// Encoded image bytes; the browser decodes them (createImageBitmap), not wasm.
#[derive(Debug, Clone)]
pub struct Image {
    pub name: Option<String>,
    pub mime: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Projection {
    Perspective { yfov: f32, aspect: Option<f32>, znear: f32, zfar: Option<f32> },
    Orthographic { xmag: f32, ymag: f32, znear: f32, zfar: f32 },
}

#[derive(Debug, Clone)]
pub struct Camera {
    pub name: Option<String>,
    pub projection: Projection,
}

/// A mesh placed in the world.
#[derive(Debug, Clone, Copy)]
pub struct Instance {
    pub mesh: usize,
    pub world: Mat4,
}

/// A node's mesh: at `world`, or at `world` × each of its instancing `copies` where it has any.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub mesh: usize,
    pub world: Mat4,
    pub copies: &'a [Mat4],
}

/// A glTF camera placed in the world.
#[derive(Debug, Clone, Copy)]
pub struct CameraInstance {
    pub camera: usize,
    pub world: Mat4,
}

impl Scene {
    /// Scene units in a metre: 1 (glTF's metre) unless the geo-reference says `metresPerUnit`.
    pub fn units_per_metre(&self) -> f32 {
        self.geo_reference.map_or(1.0, |g| (1.0 / g.metres_per_unit) as f32)
    }

    /// Meshes and cameras of one scene with their world matrices, each EXT_mesh_gpu_instancing
    /// copy a mesh instance of its own.
    pub fn flatten(&self, scene: usize) -> (Vec<Instance>, Vec<CameraInstance>) {
        let (placed, cameras) = self.placements(scene);
        let mut meshes = Vec::with_capacity(placed.len());
        for p in placed {
            if p.copies.is_empty() {
                meshes.push(Instance { mesh: p.mesh, world: p.world });
            }
            meshes.extend(p.copies.iter().map(|&i| Instance { mesh: p.mesh, world: p.world * i }));
        }
        (meshes, cameras)
    }

    /// Meshes of one scene as their nodes place them (a node's instancing copies kept together,
    /// for instanced draws), and its cameras. Node cycles are rejected at load, so this walk ends.
    pub fn placements(&self, scene: usize) -> (Vec<Placement<'_>>, Vec<CameraInstance>) {
        let mut meshes = Vec::new();
        let mut cameras = Vec::new();
        let Some(root) = self.scenes.get(scene) else { return (meshes, cameras) };
        let mut stack: Vec<(usize, Mat4)> = root.nodes.iter().map(|&n| (n, Mat4::IDENTITY)).collect();
        while let Some((n, parent)) = stack.pop() {
            let Some(node) = self.nodes.get(n) else { continue };
            let world = parent * node.local;
            if let Some(mesh) = node.mesh {
                meshes.push(Placement { mesh, world, copies: &node.instances });
            }
            if let Some(camera) = node.camera {
                cameras.push(CameraInstance { camera, world });
            }
            stack.extend(node.children.iter().map(|&c| (c, world)));
        }
        (meshes, cameras)
    }

    /// World-space bounds of one scene.
    pub fn bounds(&self, scene: usize) -> Aabb {
        let (instances, _) = self.flatten(scene);
        let mut b = Aabb::EMPTY;
        for inst in instances {
            for p in &self.meshes[inst.mesh].primitives {
                b = b.union(p.bounds.transformed(inst.world));
            }
        }
        b
    }

    /// Line-of-sight tests over one scene: each mesh it places, its triangles once in its own
    /// space, and where the scene places it.
    pub fn occluders(&self, scene: usize) -> Occluders {
        self.occluders_where(scene, |_| true)
    }

    /// As [`Self::occluders`], of the primitives `keep` takes (walk mode keeps water apart).
    pub fn occluders_where(&self, scene: usize, keep: impl Fn(&Primitive) -> bool) -> Occluders {
        let instances = self.flatten(scene).0;
        // Meshes only other scenes place get no BVH.
        let mut placed = vec![false; self.meshes.len()];
        for inst in &instances {
            if let Some(p) = placed.get_mut(inst.mesh) {
                *p = true;
            }
        }
        let meshes = self
            .meshes
            .iter()
            .zip(placed)
            .map(|(m, placed)| {
                let mut out = Vec::new();
                for p in m.primitives.iter().filter(|p| placed && p.topology == Topology::Triangles && keep(p)) {
                    let v = |i: u32| p.positions.get(i as usize).map_or(Vec3::NAN, |&v| Vec3::from_array(v));
                    match &p.indices {
                        Some(ix) => out.extend((0..ix.len() / 3).map(|t| [v(ix.at(3 * t)), v(ix.at(3 * t + 1)), v(ix.at(3 * t + 2))])),
                        None => out.extend((0..p.positions.len() as u32 / 3).map(|t| [v(3 * t), v(3 * t + 1), v(3 * t + 2)])),
                    }
                }
                out
            })
            .collect();
        Occluders::new(meshes, instances.into_iter().map(|i| (i.mesh, i.world)))
    }

    pub fn triangle_count(&self) -> usize {
        self.meshes
            .iter()
            .flat_map(|m| &m.primitives)
            .filter(|p| p.topology == Topology::Triangles)
            .map(Primitive::triangle_count)
            .sum()
    }
}
