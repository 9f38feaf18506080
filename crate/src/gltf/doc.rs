//! The glTF document as plain structs, read field by field from serde_json's `Value`.
//!
//! Why not gltf-json's typed structs: their serde derives cost 190 KB of wasm (57 KB gzipped,
//! a sixth of the WebGPU bundle) for what this file does in a few KB, and the `Value` parser is
//! in the bundle anyway (POIs, extensions). Every reference is checked here, so the rest of the
//! loader indexes the arrays directly; a fault is reported with its JSON pointer.

use glam::{Mat4, Quat, Vec3};
use serde_json::{Map, Value};

use super::LoadReport;
use crate::error::LoadError;
// Nodes and cameras are read as the scene holds them.
use crate::scene::{AlphaMode, Camera, Node, Projection};

type Result<T> = std::result::Result<T, LoadError>;
pub type Extensions = Option<Map<String, Value>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentType {
    I8,
    U8,
    I16,
    U16,
    U32,
    F32,
}

impl ComponentType {
    fn from_code(code: usize) -> Option<Self> {
        Some(match code {
            5120 => Self::I8,
            5121 => Self::U8,
            5122 => Self::I16,
            5123 => Self::U16,
            5125 => Self::U32,
            5126 => Self::F32,
            _ => return None,
        })
    }
    pub fn size(self) -> usize {
        match self {
            Self::I8 | Self::U8 => 1,
            Self::I16 | Self::U16 => 2,
            Self::U32 | Self::F32 => 4,
        }
    }
}

/// A primitive's mode is plain scene data (geometry unrolls it without depending on the loader).
pub use crate::scene::Mode;

pub const ARRAY_BUFFER: usize = 34962;
pub const ELEMENT_ARRAY_BUFFER: usize = 34963;

pub struct Buffer {
    pub length: usize,
    /// None: the GLB BIN chunk (or, in a .gltf, no data).
    pub uri: Option<String>,
}

pub struct View {
    pub buffer: usize,
    pub offset: usize,
    pub length: usize,
    pub stride: Option<usize>,
    pub target: Option<usize>,
    /// Set where an extension (meshopt) makes the view's bytes from a stream elsewhere; then
    /// `buffer` is its fallback, often a placeholder without data.
    pub compressed: Option<Compression>,
}

/// A meshopt-compressed buffer view (EXT_ or KHR_meshopt_compression): `count` elements of
/// `stride` bytes, decoded from bytes `offset..offset + length` of `buffer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compression {
    pub khr: bool,
    pub buffer: usize,
    pub offset: usize,
    pub length: usize,
    pub stride: usize,
    pub count: usize,
    pub mode: String,
    pub filter: String,
}

pub struct Accessor {
    pub view: Option<usize>,
    pub offset: usize,
    pub component: ComponentType,
    pub normalized: bool,
    pub count: usize,
    /// Components per element: 1 (SCALAR) to 16 (MAT4).
    pub components: usize,
    pub sparse: Option<Sparse>,
}

pub struct Sparse {
    pub count: usize,
    pub indices_view: usize,
    pub indices_offset: usize,
    pub indices_component: ComponentType,
    pub values_view: usize,
    pub values_offset: usize,
}

pub enum ImageSource {
    View { view: usize, mime: String },
    Uri { uri: String, mime: Option<String> },
}

pub struct Image {
    pub name: Option<String>,
    pub source: ImageSource,
}

/// Filter and wrap codes as written (WebGL enums); the material room maps them.
pub struct Sampler {
    pub mag: Option<usize>,
    pub min: Option<usize>,
    pub wrap_s: usize,
    pub wrap_t: usize,
}

pub struct Texture {
    /// Absent when an extension (e.g. KHR_texture_basisu) carries the image.
    pub source: Option<usize>,
    pub sampler: Option<usize>,
}

/// A textureInfo, normalTextureInfo or occlusionTextureInfo (`amount` is scale or strength).
pub struct TextureInfo {
    pub texture: usize,
    pub tex_coord: u32,
    pub amount: f32,
    pub extensions: Extensions,
}

pub struct Material {
    pub name: Option<String>,
    pub base_color: [f32; 4],
    pub base_color_texture: Option<TextureInfo>,
    pub metallic: f32,
    pub roughness: f32,
    pub metallic_roughness_texture: Option<TextureInfo>,
    pub normal_texture: Option<TextureInfo>,
    pub occlusion_texture: Option<TextureInfo>,
    pub emissive: [f32; 3],
    pub emissive_texture: Option<TextureInfo>,
    pub alpha_mode: AlphaMode,
    pub alpha_cutoff: f32,
    pub double_sided: bool,
    pub extensions: Extensions,
}

pub struct Primitive {
    /// Semantic name → accessor index.
    pub attributes: Vec<(String, usize)>,
    pub indices: Option<usize>,
    pub material: Option<usize>,
    pub mode: Mode,
    /// Set where the primitive's data is a Draco stream (KHR_draco_mesh_compression).
    pub draco: Option<super::ext::draco::DracoPrimitive>,
    /// Morph targets: per target, semantic (POSITION, NORMAL, TANGENT) → accessor of displacements.
    pub targets: Vec<Vec<(String, usize)>>,
}

impl Primitive {
    pub fn attribute(&self, name: &str) -> Option<usize> {
        self.attributes.iter().find(|(n, _)| n == name).map(|&(_, a)| a)
    }
}

impl Document {
    /// Which mesh reads buffer view `v`, for messages: `mesh 2 (bufferView 5)`, else `bufferView 5`.
    pub fn view_user(&self, v: usize) -> String {
        let reads = |a: usize| self.accessors.get(a).is_some_and(|a| a.view == Some(v));
        let mesh = self.meshes.iter().position(|m| m.primitives.iter().any(|p| p.indices.is_some_and(reads) || p.attributes.iter().any(|&(_, a)| reads(a))));
        match mesh {
            Some(m) => format!("mesh {m} (bufferView {v})"),
            None => format!("bufferView {v}"),
        }
    }

    /// For triangles with a normal map and no TANGENT, which must have MikkTSpace tangents
    /// generated: the UV set (0 or 1) the normal map reads.
    pub fn tangent_uv_set(&self, p: &Primitive) -> Option<u32> {
        let triangles = matches!(p.mode, Mode::Triangles | Mode::TriangleStrip | Mode::TriangleFan);
        let m = self.materials.get(p.material?)?;
        // The base layer's normal map, else the clear coat's.
        let tex_coord = m.normal_texture.as_ref().map(|t| t.tex_coord).or_else(|| super::ext::clearcoat::normal_tex_coord(&m.extensions))?;
        (triangles && p.attribute("TANGENT").is_none()).then_some(u32::from(tex_coord == 1))
    }
}

pub struct Mesh {
    pub primitives: Vec<Primitive>,
    /// Default morph target weights.
    pub weights: Vec<f32>,
}

pub struct Skin {
    pub joints: Vec<usize>,
    pub inverse_bind: Option<usize>,
}

pub struct Scene {
    pub name: Option<String>,
    pub nodes: Vec<usize>,
    pub extras: Option<Value>,
}

/// An animation as written: channels name a sampler of the same animation, samplers name accessors.
pub struct Animation {
    pub name: Option<String>,
    pub channels: Vec<Channel>,
    pub samplers: Vec<AnimationSampler>,
}

pub struct Channel {
    pub sampler: usize,
    /// None: the channel targets something an extension names (KHR_animation_pointer); skipped.
    pub node: Option<usize>,
    pub path: String,
}

pub struct AnimationSampler {
    pub input: usize,
    pub output: usize,
    pub interpolation: crate::scene::animation::Interpolation,
}

pub struct Document {
    pub asset_extras: Option<Value>,
    pub extensions_used: Vec<String>,
    pub extensions_required: Vec<String>,
    pub buffers: Vec<Buffer>,
    pub views: Vec<View>,
    pub accessors: Vec<Accessor>,
    pub images: Vec<Image>,
    pub samplers: Vec<Sampler>,
    pub textures: Vec<Texture>,
    pub materials: Vec<Material>,
    pub meshes: Vec<Mesh>,
    pub nodes: Vec<Node>,
    pub animations: Vec<Animation>,
    /// Nodes whose mesh is instanced (EXT_mesh_gpu_instancing), with the instance accessors.
    pub instancing: Vec<(usize, super::ext::mesh_gpu_instancing::Instancing)>,
    pub scenes: Vec<Scene>,
    pub scene: Option<usize>,
    pub cameras: Vec<Camera>,
    pub skins: Vec<Skin>,
}

/// A JSON object and its pointer, with typed reads that name the faulty field.
struct Obj<'a> {
    at: String,
    map: &'a Map<String, Value>,
}

fn object<'a>(v: &'a Value, at: String) -> Result<Obj<'a>> {
    match v.as_object() {
        Some(map) => Ok(Obj { at, map }),
        None => Err(LoadError::invalid(at, "must be a JSON object")),
    }
}

/// An integer written as 3 or 3.0 (both are JSON integers to the spec).
fn uint(v: &Value) -> Option<usize> {
    let n = v.as_u64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9.0e15).map(|f| f as u64))?;
    usize::try_from(n).ok()
}

impl<'a> Obj<'a> {
    fn err(&self, key: &str, message: impl Into<String>) -> LoadError {
        LoadError::invalid(format!("{}/{key}", self.at), message)
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    fn required<T>(&self, key: &str, value: Option<T>) -> Result<T> {
        value.ok_or_else(|| self.err(key, "is missing"))
    }

    fn uint(&self, key: &str) -> Result<Option<usize>> {
        self.get(key).map(|v| uint(v).ok_or_else(|| self.err(key, format!("{} is not a non-negative integer", crate::error::Shown(v))))).transpose()
    }

    /// A positive integer (byteLength, count).
    fn positive(&self, key: &str) -> Result<usize> {
        match self.required(key, self.uint(key)?)? {
            0 => Err(self.err(key, "must be at least 1")),
            n => Ok(n),
        }
    }

    /// A reference into a top-level array.
    fn index(&self, key: &str, to: Array) -> Result<Option<usize>> {
        self.get(key).map(|v| self.reference(key, v, to)).transpose()
    }

    fn indices(&self, key: &str, to: Array) -> Result<Vec<usize>> {
        let Some(v) = self.get(key) else { return Ok(Vec::new()) };
        let items = v.as_array().ok_or_else(|| self.err(key, "must be an array"))?;
        items.iter().enumerate().map(|(i, v)| self.reference(&format!("{key}/{i}"), v, to)).collect()
    }

    /// `v`, found at `key`, as an index into `to`.
    fn reference(&self, key: &str, v: &Value, to: Array) -> Result<usize> {
        match uint(v) {
            Some(i) if i < to.0 => Ok(i),
            Some(i) => Err(self.err(key, to.missing(i))),
            None => Err(self.err(key, format!("{} is not a non-negative integer", crate::error::Shown(v)))),
        }
    }

    fn number(&self, key: &str, default: f32) -> Result<f32> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.as_f64().map(|f| f as f32).ok_or_else(|| self.err(key, format!("{} is not a number", crate::error::Shown(v)))),
        }
    }

    fn required_number(&self, key: &str) -> Result<f32> {
        self.required(key, self.get(key).map(|_| self.number(key, 0.0)).transpose()?)
    }

    fn numbers<const N: usize>(&self, key: &str, default: [f32; N]) -> Result<[f32; N]> {
        let Some(v) = self.get(key) else { return Ok(default) };
        let bad = || self.err(key, format!("must be an array of {N} numbers"));
        let items = v.as_array().filter(|a| a.len() == N).ok_or_else(bad)?;
        let mut out = default;
        for (o, item) in out.iter_mut().zip(items) {
            *o = item.as_f64().ok_or_else(bad)? as f32;
        }
        Ok(out)
    }

    /// An array of numbers of any length (absent: empty).
    fn floats(&self, key: &str) -> Result<Vec<f32>> {
        let Some(v) = self.get(key) else { return Ok(Vec::new()) };
        let bad = || self.err(key, "must be an array of numbers");
        v.as_array().ok_or_else(bad)?.iter().map(|x| x.as_f64().map(|f| f as f32).ok_or_else(bad)).collect()
    }

    fn boolean(&self, key: &str) -> Result<bool> {
        match self.get(key) {
            None => Ok(false),
            Some(v) => v.as_bool().ok_or_else(|| self.err(key, format!("{} is not true or false", crate::error::Shown(v)))),
        }
    }

    fn string(&self, key: &str) -> Result<Option<&'a str>> {
        self.get(key).map(|v| v.as_str().ok_or_else(|| self.err(key, format!("{} is not a string", crate::error::Shown(v))))).transpose()
    }

    fn name(&self) -> Result<Option<String>> {
        Ok(self.string("name")?.map(str::to_owned))
    }

    fn object(&self, key: &str) -> Result<Option<Obj<'a>>> {
        self.get(key).map(|v| object(v, format!("{}/{key}", self.at))).transpose()
    }

    /// An array of objects (absent: empty).
    fn objects(&self, key: &str) -> Result<Vec<Obj<'a>>> {
        let Some(v) = self.get(key) else { return Ok(Vec::new()) };
        let items = v.as_array().ok_or_else(|| self.err(key, "must be an array"))?;
        items.iter().enumerate().map(|(i, v)| object(v, format!("{}/{key}/{i}", self.at))).collect()
    }

    fn strings(&self, key: &str) -> Result<Vec<String>> {
        let Some(v) = self.get(key) else { return Ok(Vec::new()) };
        let bad = || self.err(key, "must be an array of strings");
        v.as_array().ok_or_else(bad)?.iter().map(|s| s.as_str().map(str::to_owned).ok_or_else(bad)).collect()
    }

    fn extensions(&self) -> Result<Extensions> {
        Ok(self.object("extensions")?.map(|o| o.map.clone()))
    }

    /// What the supported extension `hook` claims read from this object's `extensions`: (its name,
    /// the value), a fault named by its pointer.
    fn extension<T>(&self, hook: impl Fn(&dyn super::ext::Extension, &Value) -> Option<std::result::Result<T, String>>) -> Result<Option<(&'static str, T)>> {
        match super::ext::find(self.extensions()?.as_ref(), hook) {
            None => Ok(None),
            Some((name, read)) => Ok(Some((name, read.map_err(|m| self.err(&format!("extensions/{name}"), m))?))),
        }
    }

    fn len(&self, key: &'static str) -> usize {
        self.get(key).and_then(Value::as_array).map_or(0, Vec::len)
    }
}

/// A top-level array's length and name, for checking references before the arrays are read.
#[derive(Clone, Copy)]
struct Array(usize, &'static str);

impl Array {
    fn missing(self, i: usize) -> String {
        format!("refers to {}[{i}], which does not exist ({} in the file)", self.1, self.0)
    }
}

struct Counts {
    buffers: Array,
    views: Array,
    accessors: Array,
    images: Array,
    samplers: Array,
    textures: Array,
    materials: Array,
    meshes: Array,
    nodes: Array,
    scenes: Array,
    cameras: Array,
    skins: Array,
}

/// Reads and checks the whole document. Unknown accessor types are reported and read as scalars so an unused one does
/// not refuse the file.
pub fn read(root: &Value, report: &mut LoadReport) -> Result<Document> {
    let r = object(root, String::new())?;
    let arr = |key: &'static str| Array(r.len(key), key);
    let n = Counts {
        buffers: arr("buffers"),
        views: arr("bufferViews"),
        accessors: arr("accessors"),
        images: arr("images"),
        samplers: arr("samplers"),
        textures: arr("textures"),
        materials: arr("materials"),
        meshes: arr("meshes"),
        nodes: arr("nodes"),
        scenes: arr("scenes"),
        cameras: arr("cameras"),
        skins: arr("skins"),
    };
    let asset = r.required("asset", r.object("asset")?)?;
    let skins = each(&r.objects("skins")?, &mut |s| {
        s.required("joints", s.get("joints"))?;
        // The skeleton root is only a hint; joints' own transforms place them.
        s.index("skeleton", n.nodes)?;
        Ok(Skin { joints: s.indices("joints", n.nodes)?, inverse_bind: s.index("inverseBindMatrices", n.accessors)? })
    })?;
    let node_objects = r.objects("nodes")?;
    let animations = each(&r.objects("animations")?, &mut |o| animation(o, &n))?;
    Ok(Document {
        animations,
        asset_extras: asset.get("extras").cloned(),
        extensions_used: r.strings("extensionsUsed")?,
        extensions_required: r.strings("extensionsRequired")?,
        buffers: each(&r.objects("buffers")?, &mut buffer)?,
        views: each(&r.objects("bufferViews")?, &mut |o| view(o, &n))?,
        accessors: each(&r.objects("accessors")?, &mut |o| accessor(o, &n, report))?,
        images: each(&r.objects("images")?, &mut |o| image(o, &n))?,
        samplers: each(&r.objects("samplers")?, &mut sampler)?,
        textures: each(&r.objects("textures")?, &mut |o| {
            let source = o.index("source", n.images)?;
            let source = match o.extension(|e, v| e.texture_source(v))? {
                None => source,
                Some((name, s)) => {
                    if s >= n.images.0 {
                        return Err(o.err(&format!("extensions/{name}/source"), n.images.missing(s)));
                    }
                    Some(s)
                }
            };
            Ok(Texture { source, sampler: o.index("sampler", n.samplers)? })
        })?,
        materials: each(&r.objects("materials")?, &mut |o| material(o, &n))?,
        meshes: each(&r.objects("meshes")?, &mut |o| mesh(o, &n))?,
        nodes: each(&node_objects, &mut |o| node(o, &n))?,
        instancing: node_objects.iter().enumerate().filter_map(|(i, o)| instancing(o, &n).transpose().map(|r| r.map(|x| (i, x)))).collect::<Result<_>>()?,
        scenes: each(&r.objects("scenes")?, &mut |o| Ok(Scene { name: o.name()?, nodes: o.indices("nodes", n.nodes)?, extras: o.get("extras").cloned() }))?,
        scene: r.index("scene", n.scenes)?,
        cameras: each(&r.objects("cameras")?, &mut camera)?,
        skins,
    })
}

/// Reads each of `items` with `f`, stopping at the first error. A plain loop behind a `dyn`: the
/// `map(..).collect::<Result<Vec<_>>>()` it replaces was monomorphised per closure (GenericShunt)
/// and cost ~9 KB of the wasm module across the document's arrays.
fn each<'a, T>(items: &[Obj<'a>], f: &mut dyn FnMut(&Obj<'a>) -> Result<T>) -> Result<Vec<T>> {
    let mut out = Vec::with_capacity(items.len());
    for o in items {
        out.push(f(o)?);
    }
    Ok(out)
}

fn buffer(o: &Obj) -> Result<Buffer> {
    Ok(Buffer { length: o.positive("byteLength")?, uri: o.string("uri")?.map(str::to_owned) })
}

fn view(o: &Obj, n: &Counts) -> Result<View> {
    let target = o.uint("target")?;
    if target.is_some_and(|t| t != ARRAY_BUFFER && t != ELEMENT_ARRAY_BUFFER) {
        return Err(o.err("target", "must be 34962 (vertices) or 34963 (indices)"));
    }
    Ok(View {
        buffer: o.required("buffer", o.index("buffer", n.buffers)?)?,
        offset: o.uint("byteOffset")?.unwrap_or(0),
        length: o.positive("byteLength")?,
        stride: o.uint("byteStride")?,
        target,
        compressed: o.extension(|e, v| e.buffer_view(v))?.map(|(_, c)| c),
    })
}

fn accessor(o: &Obj, n: &Counts, report: &mut LoadReport) -> Result<Accessor> {
    let code = o.required("componentType", o.uint("componentType")?)?;
    let component = ComponentType::from_code(code).ok_or_else(|| o.err("componentType", format!("{code} is not a component type")))?;
    let ty = o.required("type", o.string("type")?)?;
    let components = match ty {
        "SCALAR" => Some(1),
        "VEC2" => Some(2),
        "VEC3" => Some(3),
        "VEC4" | "MAT2" => Some(4),
        "MAT3" => Some(9),
        "MAT4" => Some(16),
        _ => {
            // Unused accessors with an unknown type are harmless; a used one fails its shape check.
            report.warnings.push(format!("{}/type: unknown type {ty:?}", o.at));
            None
        }
    };
    let view = o.index("bufferView", n.views)?;
    if view.is_none() && o.get("byteOffset").is_some() {
        return Err(o.err("byteOffset", "needs a bufferView"));
    }
    let normalized = o.boolean("normalized")?;
    if normalized && matches!(component, ComponentType::F32 | ComponentType::U32) {
        return Err(o.err("normalized", "applies only to 8- and 16-bit components"));
    }
    for (key, n) in [("min", components), ("max", components)] {
        let Some(n) = n else { continue };
        if o.get(key).is_some_and(|v| !v.as_array().is_some_and(|a| a.len() == n && a.iter().all(Value::is_number))) {
            return Err(o.err(key, format!("must be an array of {n} numbers")));
        }
    }
    let sparse = match o.object("sparse")? {
        None => None,
        Some(s) => {
            let indices = s.required("indices", s.object("indices")?)?;
            let values = s.required("values", s.object("values")?)?;
            let code = indices.required("componentType", indices.uint("componentType")?)?;
            let indices_component = match ComponentType::from_code(code) {
                Some(c @ (ComponentType::U8 | ComponentType::U16 | ComponentType::U32)) => c,
                _ => return Err(indices.err("componentType", format!("{code} is not an unsigned integer type"))),
            };
            Some(Sparse {
                count: s.positive("count")?,
                indices_view: indices.required("bufferView", indices.index("bufferView", n.views)?)?,
                indices_offset: indices.uint("byteOffset")?.unwrap_or(0),
                indices_component,
                values_view: values.required("bufferView", values.index("bufferView", n.views)?)?,
                values_offset: values.uint("byteOffset")?.unwrap_or(0),
            })
        }
    };
    Ok(Accessor { view, offset: o.uint("byteOffset")?.unwrap_or(0), component, normalized, count: o.positive("count")?, components: components.unwrap_or(1), sparse })
}

fn image(o: &Obj, n: &Counts) -> Result<Image> {
    let mime = o.string("mimeType")?.map(str::to_owned);
    let source = match (o.string("uri")?, o.index("bufferView", n.views)?) {
        (Some(uri), None) => ImageSource::Uri { uri: uri.to_owned(), mime },
        (None, Some(view)) => ImageSource::View { view, mime: o.required("mimeType", mime).map_err(|_| o.err("mimeType", "is required with bufferView"))? },
        _ => return Err(LoadError::invalid(o.at.clone(), "needs exactly one of uri and bufferView")),
    };
    Ok(Image { name: o.name()?, source })
}

fn sampler(o: &Obj) -> Result<Sampler> {
    let code = |key: &str, allowed: &[usize]| -> Result<Option<usize>> {
        match o.uint(key)? {
            Some(c) if !allowed.contains(&c) => Err(o.err(key, format!("{c} is not one of {allowed:?}"))),
            c => Ok(c),
        }
    };
    const WRAPS: [usize; 3] = [33071, 33648, 10497];
    Ok(Sampler {
        mag: code("magFilter", &[9728, 9729])?,
        min: code("minFilter", &[9728, 9729, 9984, 9985, 9986, 9987])?,
        wrap_s: code("wrapS", &WRAPS)?.unwrap_or(10497),
        wrap_t: code("wrapT", &WRAPS)?.unwrap_or(10497),
    })
}

fn texture_info(o: &Obj, key: &str, amount_key: &str, n: &Counts) -> Result<Option<TextureInfo>> {
    let Some(t) = o.object(key)? else { return Ok(None) };
    let tex_coord = t.uint("texCoord")?.unwrap_or(0);
    Ok(Some(TextureInfo {
        texture: t.required("index", t.index("index", n.textures)?)?,
        tex_coord: u32::try_from(tex_coord).unwrap_or(u32::MAX),
        amount: t.number(amount_key, 1.0)?,
        extensions: t.extensions()?,
    }))
}

fn material(o: &Obj, n: &Counts) -> Result<Material> {
    let pbr = o.object("pbrMetallicRoughness")?;
    let pbr = pbr.as_ref();
    let alpha_mode = match o.string("alphaMode")? {
        None | Some("OPAQUE") => AlphaMode::Opaque,
        Some("MASK") => AlphaMode::Mask,
        Some("BLEND") => AlphaMode::Blend,
        Some(other) => return Err(o.err("alphaMode", format!("{other:?} is not OPAQUE, MASK or BLEND"))),
    };
    Ok(Material {
        name: o.name()?,
        base_color: pbr.map_or(Ok([1.0; 4]), |p| p.numbers("baseColorFactor", [1.0; 4]))?,
        base_color_texture: pbr.map_or(Ok(None), |p| texture_info(p, "baseColorTexture", "", n))?,
        metallic: pbr.map_or(Ok(1.0), |p| p.number("metallicFactor", 1.0))?,
        roughness: pbr.map_or(Ok(1.0), |p| p.number("roughnessFactor", 1.0))?,
        metallic_roughness_texture: pbr.map_or(Ok(None), |p| texture_info(p, "metallicRoughnessTexture", "", n))?,
        normal_texture: texture_info(o, "normalTexture", "scale", n)?,
        occlusion_texture: texture_info(o, "occlusionTexture", "strength", n)?,
        emissive: o.numbers("emissiveFactor", [0.0; 3])?,
        emissive_texture: texture_info(o, "emissiveTexture", "", n)?,
        alpha_mode,
        alpha_cutoff: o.number("alphaCutoff", 0.5)?,
        double_sided: o.boolean("doubleSided")?,
        extensions: o.extensions()?,
    })
}

fn mesh(o: &Obj, n: &Counts) -> Result<Mesh> {
    let primitives = o.required("primitives", o.get("primitives"))?;
    if primitives.as_array().is_none_or(|p| p.is_empty()) {
        return Err(o.err("primitives", "must be a non-empty array"));
    }
    let primitives = each(&o.objects("primitives")?, &mut |p| {
        let attributes = p.required("attributes", p.object("attributes")?)?;
        let mode = match p.uint("mode")?.unwrap_or(4) {
            0 => Mode::Points,
            1 => Mode::Lines,
            2 => Mode::LineLoop,
            3 => Mode::LineStrip,
            4 => Mode::Triangles,
            5 => Mode::TriangleStrip,
            6 => Mode::TriangleFan,
            m => return Err(p.err("mode", format!("{m} is not a primitive mode (0 to 6)"))),
        };
        let targets = each(&p.objects("targets")?, &mut |t| accessor_refs(t, n, false))?;
        Ok(Primitive {
            attributes: accessor_refs(&attributes, n, true)?,
            indices: p.index("indices", n.accessors)?,
            material: p.index("material", n.materials)?,
            mode,
            draco: match p.extension(|e, v| e.primitive(v))? {
                None => None,
                Some((name, d)) => {
                    if d.view >= n.views.0 {
                        return Err(p.err(&format!("extensions/{name}/bufferView"), n.views.missing(d.view)));
                    }
                    Some(d)
                }
            },
            targets,
        })
    })?;
    Ok(Mesh { primitives, weights: o.floats("weights")? })
}

/// An attributes (or morph target) object: each name with the accessor it refers to.
fn accessor_refs(o: &Obj, n: &Counts, semantics: bool) -> Result<Vec<(String, usize)>> {
    let mut out = Vec::with_capacity(o.map.len());
    for k in o.map.keys() {
        if semantics && !semantic(k) {
            return Err(o.err(k, "is not an attribute semantic (application-specific ones start with _)"));
        }
        out.push((k.clone(), o.required(k, o.index(k, n.accessors)?)?));
    }
    Ok(out)
}

/// POSITION, NORMAL, TANGENT, TEXCOORD_n, COLOR_n, JOINTS_n, WEIGHTS_n or _APPLICATION_SPECIFIC.
fn semantic(name: &str) -> bool {
    let set = ["TEXCOORD_", "COLOR_", "JOINTS_", "WEIGHTS_"].iter().find_map(|p| name.strip_prefix(p));
    let canonical = |n: &str| n == "0" || (!n.is_empty() && !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit()));
    name.starts_with('_') || matches!(name, "POSITION" | "NORMAL" | "TANGENT") || set.is_some_and(canonical)
}

fn node(o: &Obj, n: &Counts) -> Result<Node> {
    let (local, rest) = match o.get("matrix") {
        Some(_) => {
            // Given with TRS too (invalid), the matrix wins, as in most viewers.
            (Mat4::from_cols_array(&o.numbers("matrix", [0.0; 16])?), None)
        }
        None => {
            let [x, y, z, w] = o.numbers("rotation", [0.0, 0.0, 0.0, 1.0])?;
            // A rotation that is not a unit quaternion (invalid) is normalised, not skewed.
            let q = glam::Vec4::new(x, y, z, w).try_normalize().unwrap_or(glam::Vec4::W);
            let rest = crate::scene::animation::Trs {
                translation: Vec3::from_array(o.numbers("translation", [0.0; 3])?),
                rotation: Quat::from_vec4(q),
                scale: Vec3::from_array(o.numbers("scale", [1.0; 3])?),
            };
            (rest.matrix(), Some(rest))
        }
    };
    Ok(Node {
        name: o.name()?,
        local,
        children: o.indices("children", n.nodes)?,
        mesh: o.index("mesh", n.meshes)?,
        camera: o.index("camera", n.cameras)?,
        instances: Vec::new(),
        rest,
        skin: o.index("skin", n.skins)?,
        // Empty: the mesh's defaults (filled in by the loader).
        weights: o.floats("weights")?,
        rest_weights: Vec::new(),
    })
}

fn animation(o: &Obj, n: &Counts) -> Result<Animation> {
    use crate::scene::animation::Interpolation;
    let samplers: Vec<AnimationSampler> = each(&o.objects("samplers")?, &mut |s| {
        let interpolation = match s.string("interpolation")?.unwrap_or("LINEAR") {
            "LINEAR" => Interpolation::Linear,
            "STEP" => Interpolation::Step,
            "CUBICSPLINE" => Interpolation::CubicSpline,
            other => return Err(s.err("interpolation", format!("{other:?} is not LINEAR, STEP or CUBICSPLINE"))),
        };
        Ok(AnimationSampler { input: s.required("input", s.index("input", n.accessors)?)?, output: s.required("output", s.index("output", n.accessors)?)?, interpolation })
    })?;
    let count = Array(samplers.len(), "this animation's samplers");
    let channels = each(&o.objects("channels")?, &mut |c| {
        let target = c.required("target", c.object("target")?)?;
        Ok(Channel {
            sampler: c.required("sampler", c.index("sampler", count)?)?,
            node: target.index("node", n.nodes)?,
            path: target.required("path", target.string("path")?)?.to_owned(),
        })
    })?;
    Ok(Animation { name: o.name()?, channels, samplers })
}

/// A node's EXT_mesh_gpu_instancing, with its accessors checked.
fn instancing(o: &Obj, n: &Counts) -> Result<Option<super::ext::mesh_gpu_instancing::Instancing>> {
    let Some((name, inst)) = o.extension(|e, v| e.node(v))? else { return Ok(None) };
    for a in [inst.translation, inst.rotation, inst.scale].into_iter().flatten() {
        if a >= n.accessors.0 {
            return Err(o.err(&format!("extensions/{name}/attributes"), n.accessors.missing(a)));
        }
    }
    if o.get("mesh").is_none() {
        return Err(o.err(&format!("extensions/{name}"), "is on a node without a mesh"));
    }
    Ok(Some(inst))
}

fn camera(o: &Obj) -> Result<Camera> {
    let ty = o.required("type", o.string("type")?)?;
    let positive = |p: &Obj, key: &str| -> Result<f32> {
        let v = p.required_number(key)?;
        if v > 0.0 { Ok(v) } else { Err(p.err(key, "must be greater than 0")) }
    };
    let projection = match ty {
        "perspective" => {
            let p = o.required("perspective", o.object("perspective")?)?;
            let optional = |key: &str| -> Result<Option<f32>> { p.get(key).map(|_| positive(&p, key)).transpose() };
            Projection::Perspective { yfov: positive(&p, "yfov")?, aspect: optional("aspectRatio")?, znear: positive(&p, "znear")?, zfar: optional("zfar")? }
        }
        "orthographic" => {
            let p = o.required("orthographic", o.object("orthographic")?)?;
            Projection::Orthographic { xmag: p.required_number("xmag")?, ymag: p.required_number("ymag")?, znear: p.required_number("znear")?, zfar: positive(&p, "zfar")? }
        }
        other => return Err(o.err("type", format!("{other:?} is not perspective or orthographic"))),
    };
    Ok(Camera { name: o.name()?, projection })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> Result<Document> {
        read(&serde_json::from_str(json).unwrap(), &mut LoadReport::default())
    }

    #[test]
    fn node_transforms_compose_translation_rotation_scale_or_take_the_matrix() {
        let d = doc(r#"{"asset":{"version":"2.0"},"nodes":[
            {"translation":[1,2,3],"rotation":[0,0,0.70710677,0.70710677],"scale":[2,2,2]},
            {"matrix":[1,0,0,0, 0,1,0,0, 0,0,1,0, 5,6,7,1]},
            {"rotation":[0,0,0,0]}]}"#)
        .unwrap();
        // Scale, then a quarter turn about +Z, then the translation: +X lands on +Y, twice as far.
        let p = d.nodes[0].local.transform_point3(Vec3::X);
        assert!((p - Vec3::new(1.0, 4.0, 3.0)).length() < 1e-5, "{p}");
        assert_eq!(d.nodes[1].local.transform_point3(Vec3::ZERO), Vec3::new(5.0, 6.0, 7.0));
        assert_eq!(d.nodes[2].local, Mat4::IDENTITY, "a zero quaternion is no rotation, not a collapse");
    }

    #[test]
    fn integers_written_as_floats_are_integers_and_defaults_apply() {
        let d = doc(r#"{"asset":{"version":"2.0"},"buffers":[{"byteLength":8.0}],
            "bufferViews":[{"buffer":0,"byteLength":8}],
            "accessors":[{"bufferView":0,"componentType":5123,"count":4.0,"type":"SCALAR"}],
            "samplers":[{"magFilter":9728,"wrapT":33648}],"textures":[{"sampler":0}],
            "materials":[{"pbrMetallicRoughness":{"metallicFactor":0.25},"normalTexture":{"index":0,"texCoord":1,"scale":0.5}}]}"#)
        .unwrap();
        assert_eq!((d.buffers[0].length, d.accessors[0].count, d.accessors[0].component), (8, 4, ComponentType::U16));
        assert_eq!((d.samplers[0].mag, d.samplers[0].min, d.samplers[0].wrap_s, d.samplers[0].wrap_t), (Some(9728), None, 10497, 33648));
        let m = &d.materials[0];
        assert_eq!((m.base_color, m.metallic, m.roughness, m.alpha_cutoff), ([1.0; 4], 0.25, 1.0, 0.5));
        let n = m.normal_texture.as_ref().unwrap();
        assert_eq!((n.texture, n.tex_coord, n.amount), (0, 1, 0.5));
    }

    #[test]
    fn faults_name_their_pointer() {
        let err = |json: &str| doc(json).err().expect(json).to_string();
        let e = err(r#"{"asset":{"version":"2.0"},"meshes":[{"primitives":[{"attributes":{"POSITION":3}}]}]}"#);
        assert!(e.contains("/meshes/0/primitives/0/attributes/POSITION") && e.contains("accessors[3]"), "{e}");
        let e = err(r#"{"asset":{"version":"2.0"},"accessors":[{"componentType":5126,"count":-1,"type":"VEC3"}]}"#);
        assert!(e.contains("/accessors/0/count") && e.contains("-1"), "{e}");
        let e = err(r#"{"asset":{"version":"2.0"},"meshes":[{"primitives":[{"attributes":{"TEXCOORD_01":0}}]}],"accessors":[{"componentType":5126,"count":1,"type":"VEC2"}]}"#);
        assert!(e.contains("attributes/TEXCOORD_01"), "{e}");
        let e = err(r#"{"asset":{"version":"2.0"},"images":[{"bufferView":0}],"bufferViews":[{"buffer":0,"byteLength":1}],"buffers":[{"byteLength":1}]}"#);
        assert!(e.contains("/images/0/mimeType"), "{e}");
        let e = err(r#"{"asset":{"version":"2.0"},"samplers":{}}"#);
        assert!(e.contains("/samplers") && e.contains("array"), "{e}");
        // Application-specific attributes are allowed (and ignored).
        assert!(doc(r#"{"asset":{"version":"2.0"},"meshes":[{"primitives":[{"attributes":{"_TEMPERATURE":0}}]}],"accessors":[{"componentType":5126,"count":1,"type":"SCALAR"}]}"#).is_ok());
    }
}
