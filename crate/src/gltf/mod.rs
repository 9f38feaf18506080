//! Loading: glTF bytes (+ the external resources they name) → [`Scene`] and a [`LoadReport`].
//! Pure Rust, no GPU, no browser: the web room fetches, this room decides.
//!
//! Two steps so that fetching stays outside: [`parse`] reads the container and validates the
//! document, listing the external URIs to fetch; [`build`] turns it and the fetched bytes into a scene.

mod accessor;
mod animation;
pub mod budget;
pub mod doc;
pub mod ext;
mod material;
mod mesh;
pub mod uri;

pub use mesh::{TangentInputs, TangentJob};
mod validate;

use std::borrow::Cow;
use std::ops::Range;

use serde_json::Value;

use doc::{Document, ImageSource};
use crate::error::LoadError;
use crate::scene::{Image, Scene, SceneRoot};

/// What the loader noticed but could live with (unsupported optional extensions, skipped images).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LoadReport {
    pub warnings: Vec<String>,
}

/// A file's or a buffer's bytes, wherever they are kept. The web room keeps a fetched model in a
/// JS ArrayBuffer and copies out only the ranges the loader reads (the JSON, the accessors):
/// wasm memory never shrinks, so a whole GLB copied in would stay as the viewer's footprint, and
/// its images never need to enter wasm memory at all.
pub trait Bytes: std::any::Any {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The bytes in `range`; `None` when it reaches past the end.
    fn get(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>>;
    /// Copies the bytes from `start` into `out` (all of it); false when they run past the end.
    /// Where the bytes are outside wasm memory this saves `get`'s intermediate copy.
    fn read_into(&self, start: usize, out: &mut [u8]) -> bool {
        match self.get(start..start.saturating_add(out.len())) {
            Some(b) => {
                out.copy_from_slice(&b);
                true
            }
            None => false,
        }
    }
    /// Keeps only `range` (a GLB's BIN chunk), in place where it can. `range` must be in bounds.
    fn keep(self: Box<Self>, range: Range<usize>) -> Box<dyn Bytes>;
}

impl Bytes for Vec<u8> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }
    fn get(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
        self.as_slice().get(range).map(Cow::Borrowed)
    }
    fn keep(mut self: Box<Self>, range: Range<usize>) -> Box<dyn Bytes> {
        self.truncate(range.end);
        self.drain(..range.start);
        self
    }
}

/// Receives each decodable image: `(index, mime, bytes, range)` (see `build_with`).
pub type OnImage<'a> = dyn FnMut(usize, &str, &dyn Bytes, Range<usize>) + 'a;

/// Receives each finished primitive, `(mesh, primitive, data, read)`, before the next is
/// decoded (see `build_with`); it may upload the vertex streams, those still in the file through
/// `read`, and drop them (`Primitive::strip`).
pub type OnPrimitive<'a> = dyn FnMut(usize, usize, &mut crate::scene::Primitive, &crate::scene::ReadFile) + 'a;

/// No bytes: a buffer that was not loaded.
fn missing() -> Box<dyn Bytes> {
    Box::new(Vec::new())
}

/// A parsed and validated document, waiting for its external resources.
pub struct Parsed {
    document: Document,
    /// The GLB BIN chunk, if any.
    blob: Option<Box<dyn Bytes>>,
    report: LoadReport,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    Buffer,
    Image,
}

/// An external file the document refers to, to be fetched relative to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalRef {
    pub kind: ResourceKind,
    pub index: usize,
    pub uri: String,
}

/// Fetched bytes for the external references, keyed by kind and index, and the decoded bytes of
/// compressed buffer views (see [`Parsed::view_jobs`]), keyed by view.
#[derive(Default)]
pub struct Fetched {
    pub buffers: Vec<(usize, Box<dyn Bytes>)>,
    pub images: Vec<(usize, Box<dyn Bytes>)>,
    pub views: Vec<(usize, Box<dyn Bytes>)>,
    /// Decoded Draco primitives (see [`Parsed::primitive_jobs`]), keyed by (mesh, primitive), in
    /// the Draco module's layout.
    pub primitives: Vec<((usize, usize), Box<dyn Bytes>)>,
}

/// A Draco-compressed primitive to decode once the buffers are fetched, before `build`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimitiveJob {
    pub mesh: usize,
    pub primitive: usize,
    /// The buffer view holding its stream.
    pub view: usize,
}

/// A compressed buffer view to decode once the buffers are fetched, before `build`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewJob {
    pub view: usize,
    pub compression: doc::Compression,
}

pub struct Loaded {
    pub scene: Scene,
    pub report: LoadReport,
    /// Tangents still to generate (`build_with` only; `build` has generated them).
    pub tangents: Vec<TangentJob>,
}

const GLB_MAGIC: &[u8; 4] = b"glTF";

/// Reads a `.glb` or `.gltf` and validates it.
pub fn parse(bytes: &[u8]) -> Result<Parsed, LoadError> {
    parse_file(Box::new(bytes.to_vec()))
}

/// As `parse`, taking the file wherever it is kept: only its JSON is read whole; a GLB's BIN
/// chunk stays where it is (in place in a `Vec`, or in the browser's ArrayBuffer) for `build`.
pub fn parse_file(file: Box<dyn Bytes>) -> Result<Parsed, LoadError> {
    let is_glb = file.get(0..4).is_some_and(|m| m.as_ref() == GLB_MAGIC);
    let mut report = LoadReport::default();
    let (json, bin) = if is_glb { validate::glb(&*file, &mut report)? } else { (0..file.len(), None) };
    // The JSON text is freed once parsed, before the document is built from the tree: a
    // parse's high-water mark in wasm memory is then the tree and the document, not the text
    // too (the lakeside's 26 KB).
    let value = {
        let json = file.get(json).ok_or_else(|| LoadError::Container("GLB: JSON chunk runs past the end of the file".into()))?;
        parse_value(&json)?
    };
    let document = read_document(value, bin.as_ref().map(Range::len), &mut report)?;
    Ok(Parsed { document, blob: bin.map(|r| file.keep(r)), report })
}

fn parse_value(json: &[u8]) -> Result<Value, LoadError> {
    if json.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(LoadError::Container("JSON must not start with a byte order mark".into()));
    }
    serde_json::from_slice(json).map_err(|e| LoadError::Container(format!("JSON: {e}")))
}

fn read_document(value: Value, blob_len: Option<usize>, report: &mut LoadReport) -> Result<Document, LoadError> {
    validate::json(&value)?;
    let document = doc::read(&value, report)?;
    drop(value);
    validate::document(&document, blob_len, report)?;
    Ok(document)
}

impl Parsed {
    /// The external files to fetch, in document order (buffers first).
    pub fn external_refs(&self) -> Vec<ExternalRef> {
        let external = |uri: Option<&str>| uri.filter(|u| !u.starts_with("data:")).map(str::to_owned);
        let buffers = self.document.buffers.iter().enumerate().filter_map(|(index, b)| Some(ExternalRef { kind: ResourceKind::Buffer, index, uri: external(b.uri.as_deref())? }));
        let images = self.document.images.iter().enumerate().filter_map(|(index, i)| match &i.source {
            ImageSource::Uri { uri, .. } => Some(ExternalRef { kind: ResourceKind::Image, index, uri: external(Some(uri))? }),
            ImageSource::View { .. } => None,
        });
        buffers.chain(images).collect()
    }

    /// Whether `build` may generate tangents: some triangles have a normal map and no TANGENT.
    pub fn may_need_tangents(&self) -> bool {
        let doc = &self.document;
        doc.meshes.iter().flat_map(|m| &m.primitives).any(|p| doc.tangent_uv_set(p).is_some())
    }

    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The buffer views a decoder module must make (meshopt), in document order.
    pub fn view_jobs(&self) -> Vec<ViewJob> {
        let views = self.document.views.iter().enumerate();
        views.filter_map(|(view, v)| Some(ViewJob { view, compression: v.compressed.clone()? })).collect()
    }

    /// Where the compressed stream of `job` is: in the GLB's BIN chunk or a fetched buffer (left
    /// where it is kept, so the web room hands a view of it to the decoder), or a data URI.
    pub fn view_source<'a>(&'a self, job: &ViewJob, fetched: &'a Fetched) -> Result<Source<'a>, LoadError> {
        let c = &job.compression;
        self.source(c.buffer, c.offset..c.offset + c.length, fetched, || self.document.view_user(job.view))
    }

    /// The Draco primitives a decoder module must decode, in document order.
    pub fn primitive_jobs(&self) -> Vec<PrimitiveJob> {
        let meshes = self.document.meshes.iter().enumerate();
        meshes.flat_map(|(mesh, m)| m.primitives.iter().enumerate().filter_map(move |(primitive, p)| Some(PrimitiveJob { mesh, primitive, view: p.draco.as_ref()?.view }))).collect()
    }

    /// Where the Draco stream of `job` is (as `view_source`).
    pub fn primitive_source<'a>(&'a self, job: &PrimitiveJob, fetched: &'a Fetched) -> Result<Source<'a>, LoadError> {
        let v = &self.document.views[job.view];
        self.source(v.buffer, v.offset..v.offset + v.length, fetched, || format!("/meshes/{}/primitives/{}", job.mesh, job.primitive))
    }

    fn source<'a>(&'a self, buffer: usize, range: Range<usize>, fetched: &'a Fetched, at: impl Fn() -> String) -> Result<Source<'a>, LoadError> {
        let missing = || LoadError::invalid(at(), format!("its compressed stream's buffer {buffer} has no data"));
        let slice = |b: &'a dyn Bytes| if range.end <= b.len() { Ok(Source::Slice(b, range.clone())) } else { Err(missing()) };
        match self.document.buffers.get(buffer).and_then(|b| b.uri.as_deref()) {
            None if buffer == 0 => slice(self.blob.as_deref().ok_or_else(missing)?),
            None => Err(missing()),
            Some(u) => match uri::parse_data_uri(u).map_err(|m| LoadError::invalid(format!("/buffers/{buffer}/uri"), m))? {
                Some(d) => d.bytes.get(range.clone()).map(|b| Source::Data(b.to_vec())).ok_or_else(missing),
                None => slice(&*fetched.buffers.iter().find(|(i, _)| *i == buffer).ok_or_else(missing)?.1),
            },
        }
    }
}

/// A compressed stream's bytes (see [`Parsed::view_source`]).
pub enum Source<'a> {
    Slice(&'a dyn Bytes, Range<usize>),
    Data(Vec<u8>),
}

impl Source<'_> {
    pub fn bytes(&self) -> Option<Cow<'_, [u8]>> {
        match self {
            Source::Slice(b, r) => b.get(r.clone()),
            Source::Data(v) => Some(Cow::Borrowed(v)),
        }
    }
}

/// Builds the scene from a parsed document and its fetched resources, with each image's
/// encoded bytes in `Image::bytes`.
pub fn build(parsed: Parsed, fetched: Fetched) -> Result<Loaded, LoadError> {
    let mut encoded = Vec::new();
    let mut loaded = build_with(parsed, fetched, &mut |i, _, bytes, range| encoded.push((i, bytes.get(range).map(Cow::into_owned))), &mut |_, _, _, _| {})?;
    for (i, bytes) in encoded {
        loaded.scene.images[i].bytes = bytes.unwrap_or_default();
    }
    for job in std::mem::take(&mut loaded.tangents) {
        job.run(&mut loaded.scene);
    }
    Ok(loaded)
}

/// As `build`, handing each decodable image to `on_image(index, mime, bytes, range)` as soon
/// as it is found, before the geometry is decoded (the browser decodes it meanwhile), instead of
/// copying it into `Image::bytes`, and leaving generated tangents to the caller (`Loaded::tangents`).
/// Each primitive without such a job goes to `on_primitive` as soon as it is complete.
pub fn build_with(parsed: Parsed, fetched: Fetched, on_image: &mut OnImage, on_primitive: &mut OnPrimitive) -> Result<Loaded, LoadError> {
    let Parsed { document: mut doc, blob, mut report } = parsed;
    let mut buffers = buffers(&doc, blob, fetched.buffers)?;
    // Each decoded view becomes a buffer of its own that the view then refers to.
    for (v, bytes) in fetched.views {
        let view = doc.views.get_mut(v).filter(|view| view.compressed.is_some()).ok_or_else(|| LoadError::invalid(format!("/bufferViews/{v}"), "is not compressed"))?;
        if bytes.len() != view.length {
            return Err(LoadError::invalid(format!("/bufferViews/{v}"), format!("decoded to {} bytes, not its byteLength {}", bytes.len(), view.length)));
        }
        (view.buffer, view.offset) = (buffers.len(), 0);
        buffers.push(bytes);
    }
    for ((m, p), bytes) in fetched.primitives {
        ext::draco::apply(&mut doc, m, p, bytes, &mut buffers)?;
    }
    let images = images(&doc, &buffers, fetched.images, &mut report, on_image)?;
    let textures = material::textures(&doc, &images);
    let materials = doc.materials.iter().map(|m| material::material(m, &textures)).collect();
    let mut tangents = Vec::new();
    let mut meshes: Vec<crate::scene::Mesh> = doc.meshes.iter().enumerate().map(|(i, m)| mesh::mesh(&doc, i, m, &buffers, &mut report, &mut tangents, on_primitive)).collect::<Result<_, _>>()?;
    let mut scenes: Vec<SceneRoot> = doc.scenes.iter().map(|s| SceneRoot { name: s.name.clone(), nodes: s.nodes.clone() }).collect();
    if scenes.is_empty() {
        // No scene: show every root node, as most viewers do, rather than nothing.
        let mut child = vec![false; doc.nodes.len()];
        doc.nodes.iter().flat_map(|n| &n.children).for_each(|&c| child[c] = true); // checked in range
        scenes.push(SceneRoot { name: None, nodes: (0..doc.nodes.len()).filter(|&i| !child[i]).collect() });
    }
    let extras = |e: Option<&Value>| crate::poi::GeoReference::from_json(e?.get("geoReference")?);
    let default_scene = doc.scene.or((!doc.scenes.is_empty()).then_some(0));
    let geo_reference = default_scene.and_then(|s| extras(doc.scenes[s].extras.as_ref())).or_else(|| extras(doc.asset_extras.as_ref()));
    let mut nodes = std::mem::take(&mut doc.nodes);
    for (n, inst) in &doc.instancing {
        nodes[*n].instances = ext::mesh_gpu_instancing::matrices(&doc, *n, inst, &buffers)?;
    }
    let skins = skins(&doc, &buffers)?;
    morph_weights(&doc, &mut nodes, &mut meshes, &mut report);
    let animations = animation::read(&doc, &nodes, &meshes, &buffers, &mut report);
    let Document { cameras, .. } = doc;
    let scene = Scene {
        meshes,
        materials,
        textures,
        images,
        nodes,
        default_scene: default_scene.unwrap_or(0),
        scenes,
        cameras,
        geo_reference,
        animations,
        skins,
    };
    Ok(Loaded { scene, report, tangents })
}

fn skins(doc: &Document, buffers: &[Box<dyn Bytes>]) -> Result<Vec<crate::scene::deform::Skin>, LoadError> {
    doc.skins
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let inverse_bind: Vec<glam::Mat4> = match s.inverse_bind {
                None => Vec::new(),
                Some(a) => accessor::read_vec::<16>(doc, a, buffers)?.iter().map(glam::Mat4::from_cols_array).collect(),
            };
            if s.inverse_bind.is_some() && inverse_bind.len() < s.joints.len() {
                return Err(LoadError::invalid(format!("/skins/{i}/inverseBindMatrices"), format!("has {} matrices for {} joints", inverse_bind.len(), s.joints.len())));
            }
            Ok(crate::scene::deform::Skin { joints: s.joints.clone(), inverse_bind })
        })
        .collect()
}

/// Each node's morph weights: its own, else its mesh's, else zeros, one per target (the
/// mesh's primitives must agree on the count). A deformable mesh shown by several nodes gets a
/// copy per further node: deformation is per mesh, and each node poses it its own way.
fn morph_weights(doc: &Document, nodes: &mut [crate::scene::Node], meshes: &mut Vec<crate::scene::Mesh>, report: &mut LoadReport) {
    let mut shown = vec![false; meshes.len()];
    for (i, node) in nodes.iter_mut().enumerate() {
        let Some(m) = node.mesh else { continue };
        let targets = doc.meshes[m].primitives.iter().map(|p| p.targets.len()).max().unwrap_or(0);
        let mut w = if node.weights.is_empty() { doc.meshes[m].weights.clone() } else { std::mem::take(&mut node.weights) };
        if targets > 0 && w.len() != targets && !w.is_empty() {
            report.warnings.push(format!("/nodes/{i}: {} morph weights for {targets} targets; the rest are 0", w.len()));
        }
        w.resize(targets, 0.0);
        node.rest_weights = w.clone();
        node.weights = w;
        if meshes[m].primitives.iter().any(|p| p.deform.is_some()) {
            if shown[m] {
                let copy = meshes[m].clone();
                node.mesh = Some(meshes.len());
                meshes.push(copy);
            }
            shown[m] = true;
        }
    }
}

fn buffers(doc: &Document, mut blob: Option<Box<dyn Bytes>>, mut fetched: Vec<(usize, Box<dyn Bytes>)>) -> Result<Vec<Box<dyn Bytes>>, LoadError> {
    doc.buffers
        .iter()
        .enumerate()
        .map(|(index, b)| {
            let at = format!("/buffers/{index}");
            let data = match &b.uri {
                None if index == 0 => blob.take().unwrap_or_else(missing),
                None => missing(),
                Some(u) => match uri::parse_data_uri(u).map_err(|m| LoadError::invalid(format!("{at}/uri"), m))? {
                    Some(d) => Box::new(d.bytes),
                    None => {
                        // Not fetched (e.g. remote from a disk load): an accessor using it fails then.
                        let pos = fetched.iter().position(|(i, _)| *i == index);
                        let Some(p) = pos else { return Ok(missing()) };
                        fetched.swap_remove(p).1
                    }
                },
            };
            if !data.is_empty() && data.len() < b.length {
                return Err(LoadError::invalid(format!("{at}/byteLength"), format!("declares {} bytes but the data has {}", b.length, data.len())));
            }
            Ok(data)
        })
        .collect()
}

/// Finds each image's bytes and hands the decodable ones to `on_image` (KTX2 as "image/ktx2",
/// which the caller transcodes). An image in another format gets no MIME type and is reported,
/// so its textures fall back to their factors instead of failing the whole model.
fn images(
    doc: &Document,
    buffers: &[Box<dyn Bytes>],
    mut fetched: Vec<(usize, Box<dyn Bytes>)>,
    report: &mut LoadReport,
    on_image: &mut OnImage,
) -> Result<Vec<Image>, LoadError> {
    doc.images
        .iter()
        .enumerate()
        .map(|(index, img)| {
            let at = format!("/images/{index}");
            let held: Box<dyn Bytes>;
            let (bytes, range, declared): (&dyn Bytes, _, _) = match &img.source {
                ImageSource::View { view, mime } => {
                    let view = &doc.views[*view];
                    let buf = &buffers[view.buffer];
                    let range = view.offset..view.offset + view.length;
                    if range.end > buf.len() {
                        return Err(LoadError::invalid(format!("{at}/bufferView"), "lies outside its buffer"));
                    }
                    (&**buf, range, Some(mime.clone()))
                }
                ImageSource::Uri { uri, mime } => match uri::parse_data_uri(uri).map_err(|m| LoadError::invalid(format!("{at}/uri"), m))? {
                    Some(d) => {
                        held = Box::new(d.bytes);
                        (&*held, 0..held.len(), Some(d.mime))
                    }
                    None => {
                        let pos = fetched.iter().position(|(i, _)| *i == index);
                        let p = pos.ok_or_else(|| LoadError::Resource { uri: uri.to_owned(), message: "not fetched".into() })?;
                        held = fetched.swap_remove(p).1;
                        (&*held, 0..held.len(), mime.clone())
                    }
                },
            };
            let head = bytes.get(range.start..range.end.min(range.start + 16)).unwrap_or_default();
            let name = img.name.clone();
            match uri::sniff_image(&head) {
                None => {
                    let what = declared.as_deref().unwrap_or("unknown format");
                    report.warnings.push(format!("{at}: image ({what}) is not PNG, JPEG, WebP or KTX2; its textures are left out"));
                    Ok(Image { name, mime: String::new(), bytes: Vec::new() })
                }
                Some(mime) => {
                    on_image(index, mime, bytes, range);
                    Ok(Image { name, mime: mime.to_owned(), bytes: Vec::new() })
                }
            }
        })
        .collect()
}

#[cfg(not(target_arch = "wasm32"))]
/// Loads a model from disk with its external files (native tools and tests).
pub fn load_path(path: &std::path::Path) -> Result<Loaded, LoadError> {
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| LoadError::Resource { uri: p.display().to_string(), message: e.to_string() });
    let parsed = parse_file(Box::new(read(path)?))?;
    let mut fetched = Fetched::default();
    for r in parsed.external_refs() {
        let decoded = percent_encoding::percent_decode_str(&r.uri).decode_utf8_lossy().into_owned();
        if decoded.contains("://") {
            continue; // Disk loads never reach out to the network.
        }
        let bytes = read(&path.parent().unwrap_or(std::path::Path::new(".")).join(&decoded))?;
        match r.kind {
            ResourceKind::Buffer => fetched.buffers.push((r.index, Box::new(bytes))),
            ResourceKind::Image => fetched.images.push((r.index, Box::new(bytes))),
        }
    }
    decode_compressed(&parsed, &mut fetched)?;
    build(parsed, fetched)
}

#[cfg(not(target_arch = "wasm32"))]
/// Decodes the Draco primitives and the compressed views in this process, with the decoder
/// modules' own code (the web room runs the same code in their wasm modules, in a worker).
pub fn decode_compressed(parsed: &Parsed, fetched: &mut Fetched) -> Result<(), LoadError> {
    for job in parsed.primitive_jobs() {
        let source = parsed.primitive_source(&job, fetched)?;
        let source = source.bytes().unwrap_or_default();
        let bytes = scenic_draco::decode(&source).map_err(|m| LoadError::invalid(format!("/meshes/{}/primitives/{}", job.mesh, job.primitive), format!("Draco: {m}")))?;
        fetched.primitives.push(((job.mesh, job.primitive), Box::new(bytes)));
    }
    for job in parsed.view_jobs() {
        let c = &job.compression;
        let source = parsed.view_source(&job, fetched)?;
        let source = source.bytes().unwrap_or_default();
        let version = if c.khr { scenic_meshopt::Version::Khr } else { scenic_meshopt::Version::Ext };
        let bytes = scenic_meshopt::decode(version, &c.mode, &c.filter, c.count, c.stride, &source).map_err(|m| LoadError::invalid(parsed.document.view_user(job.view), format!("meshopt: {m}")))?;
        fetched.views.push((job.view, Box::new(bytes)));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a one-material document around `material` JSON and returns the loaded material.
    pub fn material_from(material: &str, ext: &str) -> crate::scene::Material {
        let json = format!(
            r#"{{"asset":{{"version":"2.0"}},"extensionsUsed":["{ext}"],"materials":[{material}],
               "textures":[{{"source":0}}],"images":[{{"uri":"data:image/png;base64,iVBORw0KGgo="}}]}}"#
        );
        let loaded = build(parse(json.as_bytes()).unwrap(), Fetched::default()).unwrap();
        loaded.scene.materials.into_iter().next().unwrap()
    }

    const TRIANGLE: &str = r#"{"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[0]}],
        "nodes":[{"mesh":0,"translation":[1,0,0]}],
        "meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],
        "buffers":[{"byteLength":36,"uri":"data:application/octet-stream;base64,AAAAAAAAAAAAAAAAAACAPwAAAAAAAAAAAAAAAAAAgD8AAAAA"}],
        "bufferViews":[{"buffer":0,"byteLength":36}],
        "accessors":[{"bufferView":0,"componentType":5126,"count":3,"type":"VEC3","min":[0,0,0],"max":[1,1,0]}]}"#;

    /// Counts what the loader copies out of a file, as the web room's ArrayBuffer-backed bytes do.
    struct Counted(Vec<u8>, std::rc::Rc<std::cell::Cell<usize>>);
    impl Bytes for Counted {
        fn len(&self) -> usize {
            self.0.len()
        }
        fn get(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
            let bytes = self.0.get(range)?.to_vec();
            self.1.set(self.1.get() + bytes.len());
            Some(Cow::Owned(bytes))
        }
        fn keep(self: Box<Self>, range: Range<usize>) -> Box<dyn Bytes> {
            Box::new(Counted(self.0[range].to_vec(), self.1))
        }
    }

    #[test]
    fn parse_file_keeps_the_bin_chunk_in_place_and_loads_the_same_scene() {
        let glb = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/lakeside.glb")).unwrap();
        let by_ref = parse(&glb).unwrap();
        let capacity = glb.capacity();
        let owned = parse_file(Box::new(glb)).unwrap();
        let blob = owned.blob.as_ref().unwrap();
        let vec = (&**blob as &dyn std::any::Any).downcast_ref::<Vec<u8>>().unwrap();
        assert_eq!(vec.capacity(), capacity, "the file's allocation is reused, not copied");
        let (a, b) = (build(by_ref, Fetched::default()).unwrap(), build(owned, Fetched::default()).unwrap());
        assert_eq!(a.scene.meshes.len(), b.scene.meshes.len());
        assert_eq!(a.scene.meshes[0].primitives[0].positions, b.scene.meshes[0].primitives[0].positions);
        // Plain JSON has no BIN chunk.
        assert!(parse_file(Box::new(TRIANGLE.as_bytes().to_vec())).unwrap().blob.is_none());
    }

    #[test]
    fn images_are_handed_over_by_range_and_never_copied_by_the_loader() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/gltf/models/BoxTextured/glTF-Binary/BoxTextured.glb");
        let Ok(glb) = std::fs::read(path) else { return eprintln!("skipped: {path} not found") };
        let copied = std::rc::Rc::new(std::cell::Cell::new(0));
        let parsed = parse_file(Box::new(Counted(glb.clone(), copied.clone()))).unwrap();
        let json = copied.get();
        let mut seen = Vec::new();
        let loaded = build_with(parsed, Fetched::default(), &mut |i, mime, bytes, range| {
            // What the browser would decode: a PNG, straight out of the BIN chunk.
            seen.push((i, mime.to_string(), bytes.get(range.start..range.start + 4).unwrap().into_owned(), range.len()));
        }, &mut |_, _, _, _| {})
        .unwrap();
        assert_eq!(seen.len(), 1);
        let (i, mime, head, len) = &seen[0];
        assert_eq!((*i, mime.as_str(), head.as_slice()), (0, "image/png", &[0x89, b'P', b'N', b'G'][..]));
        let geometry: usize = loaded.scene.meshes[0].primitives.iter().map(|p| p.positions.len() * 12).sum();
        // Copied: the JSON, the accessors' views, the 16-byte sniff and the 4 bytes above, not the image.
        let total = copied.get();
        assert!(total < json + geometry * 4 + 64 && total + len < glb.len() + geometry * 4, "copied {total} of {} (image {len})", glb.len());
        assert!(loaded.scene.images[0].bytes.is_empty() && loaded.scene.images[0].mime == "image/png");
    }

    /// Bytes kept outside the heap, as on the web, counting what `get` and `read_into` copy.
    struct Outside(Vec<u8>, std::rc::Rc<std::cell::Cell<(usize, usize)>>);
    impl Bytes for Outside {
        fn len(&self) -> usize {
            self.0.len()
        }
        fn get(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
            let (got, read) = self.1.get();
            self.1.set((got + range.len(), read));
            Some(Cow::Owned(self.0.get(range)?.to_vec()))
        }
        fn read_into(&self, start: usize, out: &mut [u8]) -> bool {
            let (got, read) = self.1.get();
            self.1.set((got, read + out.len()));
            out.copy_from_slice(&self.0[start..start + out.len()]);
            true
        }
        fn keep(self: Box<Self>, range: Range<usize>) -> Box<dyn Bytes> {
            Box::new(Outside(self.0[range].to_vec(), self.1))
        }
    }

    #[test]
    fn line_of_sight_keeps_each_mesh_once_and_sees_the_ground() {
        let glb = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/lakeside.glb")).unwrap();
        let scene = build(parse(&glb).unwrap(), Fetched::default()).unwrap().scene;
        let placed: usize = scene.flatten(0).0.iter().map(|i| scene.meshes[i.mesh].primitives.iter().map(|p| p.indices.as_ref().map_or(0, crate::scene::Indices::len) / 3).sum::<usize>()).sum();
        let occluders = scene.occluders(0);
        assert_eq!(occluders.triangle_count(), scene.triangle_count());
        assert!(placed > scene.triangle_count(), "the lakeside places some meshes more than once: {placed} vs {}", scene.triangle_count());
        // Straight down through the middle of the ground: hidden below it, seen above it.
        let b = scene.bounds(0);
        let (c, up) = (b.center(), glam::Vec3::Y * (b.max.y - b.min.y + 1.0));
        assert!(occluders.occluded(c + up, glam::Vec3::new(c.x, b.min.y - 1.0, c.z), 0.01));
        assert!(!occluders.occluded(c + up * 2.0, c + up, 0.01));
    }

    #[test]
    fn packed_accessors_are_read_in_place_and_primitives_handed_over_stripped() {
        let glb = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/lakeside.glb")).unwrap();
        let expected = build(parse(&glb).unwrap(), Fetched::default()).unwrap().scene;
        let copied = std::rc::Rc::new(std::cell::Cell::new((0, 0)));
        let parsed = parse_file(Box::new(Outside(glb, copied.clone()))).unwrap();
        let json = copied.get().0;
        let mut seen = Vec::new();
        let loaded = build_with(parsed, Fetched::default(), &mut |_, _, _, _| {}, &mut |m, i, p, read| {
            // Handed over with the normals and colours still in the file (none of them in
            // memory), and what a renderer copies from there in slices is the file's.
            let want = &expected.meshes[m].primitives[i];
            assert!(p.normals.is_empty() && p.colors.as_ref().is_some_and(Vec::is_empty), "read into memory");
            let streams = p.streams();
            for (slot, want) in [(1, bytemuck::cast_slice::<_, u8>(&want.normals)), (5, bytemuck::cast_slice::<_, u8>(want.colors.as_deref().unwrap()))] {
                let mut got = vec![0xAAu8; want.len()];
                let Some(s @ crate::scene::StreamData::InFile(_)) = streams[slot] else { panic!("stream {slot} is not in the file") };
                s.copy(read, &mut |at, b| got[at..at + b.len()].copy_from_slice(b));
                assert!(got == want, "stream {slot} of {m}/{i}");
            }
            p.strip(usize::MAX);
            seen.push((m, i));
        })
        .unwrap();
        let all: Vec<_> = expected.meshes.iter().enumerate().flat_map(|(m, mesh)| (0..mesh.primitives.len()).map(move |i| (m, i))).collect();
        assert_eq!(seen, all, "every primitive, in order");
        let (got, read) = copied.get();
        // The lakeside's accessors are all tightly packed floats and uint32 indices.
        assert_eq!(got, json, "nothing but the JSON went through an intermediate copy");
        // Positions, the file's 32-bit indices, and the normals and colours the renderer copied.
        let streams: usize = expected.meshes.iter().flat_map(|m| &m.primitives).map(|p| p.positions.len() * (12 + 12 + 16) + p.indices.as_ref().map_or(0, |i| i.len() * 4)).sum();
        assert!(read >= streams, "read in place: {read} bytes");
        for (a, b) in loaded.scene.meshes.iter().flat_map(|m| &m.primitives).zip(expected.meshes.iter().flat_map(|m| &m.primitives)) {
            assert_eq!((&a.positions, &a.indices, a.bounds), (&b.positions, &b.indices, b.bounds));
            assert!(a.normals.is_empty() && a.colors.is_none() && a.uv0.is_none());
        }
    }

    #[test]
    fn loads_inline_triangle_with_flat_normals_and_world_bounds() {
        let l = build(parse(TRIANGLE.as_bytes()).unwrap(), Fetched::default()).unwrap();
        let p = &l.scene.meshes[0].primitives[0];
        assert_eq!(p.positions, vec![[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]);
        assert_eq!(p.normals, vec![[0.0, 0.0, 1.0]; 3]);
        let b = l.scene.bounds(0);
        assert_eq!((b.min.x, b.max.x), (1.0, 2.0));
    }

    #[test]
    fn geo_reference_is_read_from_asset_extras() {
        let json = TRIANGLE.replace(r#""asset":{"version":"2.0"}"#, r#""asset":{"version":"2.0","extras":{"geoReference":{"longitude":121.55,"latitude":29.87,"heading":15}}}"#);
        let l = build(parse(json.as_bytes()).unwrap(), Fetched::default()).unwrap();
        let g = l.scene.geo_reference.expect("geo reference");
        assert_eq!((g.lon, g.lat, g.height, g.heading_deg), (121.55, 29.87, 0.0, 15.0));
    }

    #[test]
    fn unsupported_required_extension_is_an_error_naming_it() {
        let json = TRIANGLE.replace(r#""scene":0"#, r#""scene":0,"extensionsUsed":["KHR_texture_transmission_x"],"extensionsRequired":["KHR_texture_transmission_x"]"#);
        match parse(json.as_bytes()) {
            Err(LoadError::UnsupportedExtension(e)) => assert_eq!(e, "KHR_texture_transmission_x"),
            other => panic!("{:?}", other.err()),
        }
    }

    #[test]
    fn unsupported_optional_extension_is_a_warning() {
        let json = TRIANGLE.replace(r#""scene":0"#, r#""scene":0,"extensionsUsed":["EXT_unknown_thing"]"#);
        let l = build(parse(json.as_bytes()).unwrap(), Fetched::default()).unwrap();
        assert!(l.report.warnings.iter().any(|w| w.contains("EXT_unknown_thing")), "{:?}", l.report);
    }

    #[test]
    fn out_of_range_accessor_reports_its_pointer() {
        let json = TRIANGLE.replace(r#""count":3"#, r#""count":4"#);
        let err = parse(json.as_bytes()).and_then(|p| build(p, Fetched::default())).err().unwrap();
        assert!(err.to_string().contains("/accessors/0"), "{err}");
    }

    #[test]
    fn external_refs_are_listed_for_fetching() {
        let json = TRIANGLE.replace("data:application/octet-stream;base64,AAAAAAAAAAAAAAAAAACAPwAAAAAAAAAAAAAAAAAAgD8AAAAA", "tri%20angle.bin");
        let p = parse(json.as_bytes()).unwrap();
        assert_eq!(p.external_refs(), vec![ExternalRef { kind: ResourceKind::Buffer, index: 0, uri: "tri%20angle.bin".into() }]);
        // Unfetched data leaves the primitive out with a warning; the web room treats a failed
        // fetch as an error before it gets here.
        let l = build(p, Fetched::default()).unwrap();
        assert!(l.scene.meshes[0].primitives.is_empty());
        assert!(l.report.warnings.iter().any(|w| w.contains("buffer 0 has no data")), "{:?}", l.report);
    }

    /// A triangle list of `vertices` zero positions (and normals, so that it stays indexed)
    /// with `indices` of glTF component type `component` (5121, 5123 or 5125), loaded from a
    /// GLB: its indices, or the error.
    fn indexed(vertices: usize, component: u32, indices: &[u32]) -> Result<crate::scene::Indices, String> {
        let size = match component {
            5121 => 1,
            5123 => 2,
            _ => 4,
        };
        let mut bin: Vec<u8> = indices.iter().flat_map(|&i| i.to_le_bytes()[..size].to_vec()).collect();
        bin.resize(bin.len().next_multiple_of(4), 0);
        let at = bin.len();
        bin.resize(at + vertices * 12, 0);
        let json = format!(
            r#"{{"asset":{{"version":"2.0"}},"meshes":[{{"primitives":[{{"attributes":{{"POSITION":1,"NORMAL":1}},"indices":0}}]}}],
               "buffers":[{{"byteLength":{len}}}],
               "bufferViews":[{{"buffer":0,"byteLength":{ix}}},{{"buffer":0,"byteOffset":{at},"byteLength":{pos}}}],
               "accessors":[{{"bufferView":0,"componentType":{component},"count":{n},"type":"SCALAR"}},
                            {{"bufferView":1,"componentType":5126,"count":{vertices},"type":"VEC3","min":[0,0,0],"max":[0,0,0]}}]}}"#,
            len = bin.len(),
            ix = indices.len() * size,
            pos = vertices * 12,
            n = indices.len(),
        );
        let loaded = build(parse(&glb(&json, Some(&bin))).map_err(|e| e.to_string())?, Fetched::default()).map_err(|e| e.to_string())?;
        Ok(loaded.scene.meshes[0].primitives[0].indices.clone().unwrap())
    }

    #[test]
    fn indices_are_16_bit_wherever_every_vertex_fits() {
        use crate::scene::Indices;
        // A 32-bit or 8-bit file's indices for a small mesh are kept (and drawn) 16-bit.
        assert_eq!(indexed(4, 5125, &[0, 1, 2, 2, 1, 3]), Ok(Indices::U16(vec![0, 1, 2, 2, 1, 3])));
        assert_eq!(indexed(4, 5121, &[0, 1, 2, 2, 1, 3]), Ok(Indices::U16(vec![0, 1, 2, 2, 1, 3])));
        // Read 4,096 at a time: a longer run keeps its order.
        let long: Vec<u32> = (0..9000).map(|i| i % 3000).collect();
        assert_eq!(indexed(3000, 5125, &long), Ok(Indices::U16(long.iter().map(|&i| i as u16).collect())));
        // The last vertex a 16-bit index can name.
        assert_eq!(indexed(1 << 16, 5125, &[0, 65535, 1]), Ok(Indices::U16(vec![0, 65535, 1])));
        // Past 65,536 vertices a 16-bit file's indices widen.
        assert_eq!(indexed((1 << 16) + 1, 5123, &[0, 1, 2]), Ok(Indices::U32(vec![0, 1, 2])));
        // A 32-bit index past the mesh is refused, not wrapped into range by narrowing.
        let bad = indexed(4, 5125, &[0, 1, 65538]).unwrap_err();
        assert!(bad.contains("index 65538 is out of range for 4 vertices"), "{bad}");
        let bad = indexed(4, 5123, &[0, 1, 4]).unwrap_err();
        assert!(bad.contains("index 4 is out of range for 4 vertices"), "{bad}");
    }

    /// A GLB around `json` (padded with spaces) and an optional BIN chunk (padded with zeros).
    fn glb(json: &str, bin: Option<&[u8]>) -> Vec<u8> {
        let mut json = json.as_bytes().to_vec();
        json.resize(json.len().next_multiple_of(4), b' ');
        let mut out = b"glTF".to_vec();
        out.extend(2u32.to_le_bytes());
        out.extend([0; 4]);
        out.extend((json.len() as u32).to_le_bytes());
        out.extend(b"JSON");
        out.extend(json);
        if let Some(bin) = bin {
            let mut bin = bin.to_vec();
            bin.resize(bin.len().next_multiple_of(4), 0);
            out.extend((bin.len() as u32).to_le_bytes());
            out.extend(b"BIN\0");
            out.extend(bin);
        }
        let len = (out.len() as u32).to_le_bytes();
        out[8..12].copy_from_slice(&len);
        out
    }

    /// TRIANGLE with its buffer in a GLB BIN chunk of `bin_len` bytes (the triangle first).
    fn triangle_glb(buffers: &str, bin_len: usize) -> Vec<u8> {
        let json = TRIANGLE.replace(r#"[{"byteLength":36,"uri":"data:application/octet-stream;base64,AAAAAAAAAAAAAAAAAACAPwAAAAAAAAAAAAAAAAAAgD8AAAAA"}]"#, buffers);
        let mut bin: Vec<u8> = [[0f32, 0., 0.], [1., 0., 0.], [0., 1., 0.]].iter().flatten().flat_map(|f| f.to_le_bytes()).collect();
        bin.resize(bin_len, 0);
        glb(&json, Some(&bin))
    }

    fn loads(bytes: &[u8]) -> Loaded {
        let l = build(parse(bytes).unwrap(), Fetched::default()).unwrap();
        assert_eq!(l.scene.meshes[0].primitives.len(), 1, "the triangle is drawn");
        l
    }

    // The glTF-Validator reports these three as warnings, not errors: exporters write them.
    #[test]
    fn glb_with_bytes_after_its_declared_length_loads_with_a_warning() {
        let mut file = triangle_glb(r#"[{"byteLength":36}]"#, 36);
        file.extend([0u8; 7]);
        let l = loads(&file);
        assert!(l.report.warnings.iter().any(|w| w.contains("7 bytes after")), "{:?}", l.report);
        let mut short = triangle_glb(r#"[{"byteLength":36}]"#, 36);
        short.truncate(short.len() - 4);
        assert!(matches!(parse(&short), Err(LoadError::Container(m)) if m.contains("header says")));
    }

    #[test]
    fn glb_bin_chunk_larger_than_its_buffer_loads_with_a_warning() {
        let l = loads(&triangle_glb(r#"[{"byteLength":36}]"#, 36 + 64));
        assert!(l.report.warnings.iter().any(|w| w.contains("64 bytes beyond")), "{:?}", l.report);
        // A chunk that fits is no warning; one too small is an error.
        assert!(loads(&triangle_glb(r#"[{"byteLength":36}]"#, 36)).report.warnings.is_empty());
        let json = TRIANGLE.replace(r#"[{"byteLength":36,"uri":"data:application/octet-stream;base64,AAAAAAAAAAAAAAAAAACAPwAAAAAAAAAAAAAAAAAAgD8AAAAA"}]"#, r#"[{"byteLength":40}]"#);
        assert!(parse(&glb(&json, Some(&[0; 36]))).err().unwrap().to_string().contains("/buffers/0/byteLength"));
    }

    #[test]
    fn a_buffer_without_data_that_nothing_reads_is_a_placeholder() {
        // As EXT_meshopt_compression's fallback buffers are: a byteLength and no data.
        let l = loads(&triangle_glb(r#"[{"byteLength":36},{"byteLength":4096,"extensions":{"EXT_meshopt_compression":{"fallback":true}}}]"#, 36));
        assert_eq!(l.scene.meshes[0].primitives[0].positions, [[0., 0., 0.], [1., 0., 0.], [0., 1., 0.]]);
        // Only the first buffer is the BIN chunk: a second one without a URI never takes it.
        let json = TRIANGLE.replace(r#"[{"byteLength":36,"uri":"data:application/octet-stream;base64,AAAAAAAAAAAAAAAAAACAPwAAAAAAAAAAAAAAAAAAgD8AAAAA"}]"#, r#"[{"byteLength":36,"uri":"data:application/octet-stream;base64,AAAAAAAAAAAAAAAAAACAPwAAAAAAAAAAAAAAAAAAgD8AAAAA"},{"byteLength":36}]"#).replace(r#""bufferViews":[{"buffer":0"#, r#""bufferViews":[{"buffer":1"#);
        let l = build(parse(&glb(&json, Some(&[0; 36]))).unwrap(), Fetched::default()).unwrap();
        assert!(l.scene.meshes[0].primitives.is_empty());
        assert!(l.report.warnings.iter().any(|w| w.contains("buffer 1 has no data")), "{:?}", l.report);
    }

    #[test]
    fn a_100000_deep_node_chain_loads_and_places_its_leaf() {
        // Hierarchy checks are linear in the node count: quadratic ones took ~18 s here in a browser.
        let n = 100_000;
        let nodes: Vec<String> = (0..n).map(|i| if i + 1 < n { format!(r#"{{"children":[{}],"translation":[0.5,0,0]}}"#, i + 1) } else { r#"{"mesh":0}"#.into() }).collect();
        let json = TRIANGLE.replace(r#""nodes":[{"mesh":0,"translation":[1,0,0]}]"#, &format!(r#""nodes":[{}]"#, nodes.join(",")));
        let l = loads(json.as_bytes());
        let (meshes, _) = l.scene.flatten(0);
        assert_eq!(meshes.len(), 1);
        assert_eq!(meshes[0].world.w_axis.x, 0.5 * (n - 1) as f32);
        // A cycle anywhere in such a chain is still found.
        let cyclic = json.replace(r#"{"mesh":0}"#, r#"{"mesh":0,"children":[50000]}"#);
        assert!(parse(cyclic.as_bytes()).err().unwrap().to_string().contains("more than one parent"));
        let ring = json.replace(r#"{"mesh":0}"#, r#"{"mesh":0,"children":[0]}"#);
        assert!(parse(ring.as_bytes()).err().unwrap().to_string().contains("cycle"));
    }

    #[test]
    fn broken_instancing_is_refused_with_its_pointer() {
        let with = |ext: &str| TRIANGLE.replace(r#""nodes":[{"mesh":0,"translation":[1,0,0]}]"#, &format!(r#""nodes":[{{"mesh":0,"extensions":{{"EXT_mesh_gpu_instancing":{ext}}}}}]"#));
        let err = |ext: &str| parse(with(ext).as_bytes()).and_then(|p| build(p, Fetched::default())).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err(r#"{"attributes":{"TRANSLATION":7}}"#).contains("/nodes/0/extensions/EXT_mesh_gpu_instancing/attributes"));
        assert!(err(r#"{"attributes":{}}"#).contains("names no TRANSLATION"));
        assert!(err(r#"{"attributes":"no"}"#).contains("attributes must be an object"));
        // Three instances from the triangle's own positions, used as translations.
        let l = build(parse(with(r#"{"attributes":{"TRANSLATION":0}}"#).as_bytes()).unwrap(), Fetched::default()).unwrap();
        let (instances, _) = l.scene.flatten(0);
        assert_eq!(instances.iter().map(|i| i.world.w_axis.truncate().to_array()).collect::<Vec<_>>(), [[0., 0., 0.], [1., 0., 0.], [0., 1., 0.]]);
        let no_mesh = TRIANGLE.replace(r#""nodes":[{"mesh":0,"translation":[1,0,0]}]"#, r#""nodes":[{"extensions":{"EXT_mesh_gpu_instancing":{"attributes":{"TRANSLATION":0}}}}]"#);
        assert!(parse(no_mesh.as_bytes()).err().unwrap().to_string().contains("without a mesh"));
    }
}
