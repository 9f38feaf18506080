//! Loading: glTF bytes (+ the external resources they name) → [`Scene`] and a [`LoadReport`].
//! Pure Rust, no GPU, no browser: the web room fetches, this room decides.
//!
//! Two steps so that fetching stays outside: [`parse`] reads the container and validates the
//! document, listing the external URIs to fetch; [`build`] turns it and the fetched bytes into a scene.

mod accessor;
pub mod ext;
mod material;
mod mesh;
pub mod uri;
mod validate;

use gltf::Document;
use serde_json::Value;

use crate::error::LoadError;
use crate::scene::{Camera, Image, Node, Projection, Scene, SceneRoot};

/// What the loader noticed but could live with (unsupported optional extensions, skipped images).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LoadReport {
    pub warnings: Vec<String>,
}

/// A parsed and validated document, waiting for its external resources.
pub struct Parsed {
    document: Document,
    /// The GLB BIN chunk, if any.
    blob: Option<Vec<u8>>,
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

/// Fetched bytes for the external references, keyed by kind and index.
#[derive(Debug, Default)]
pub struct Fetched {
    pub buffers: Vec<(usize, Vec<u8>)>,
    pub images: Vec<(usize, Vec<u8>)>,
}

pub struct Loaded {
    pub scene: Scene,
    pub report: LoadReport,
}

const GLB_MAGIC: &[u8; 4] = b"glTF";

/// Reads a `.glb` or `.gltf` and validates it.
pub fn parse(bytes: &[u8]) -> Result<Parsed, LoadError> {
    let (document, blob, report) = parse_parts(bytes)?;
    Ok(Parsed { document, blob: blob.map(<[u8]>::to_vec), report })
}

/// As `parse`, taking the file's bytes: a GLB's BIN chunk stays in that allocation (the JSON
/// before it is cut off in place) instead of being copied, so loading a GLB holds one copy of
/// it, not two, at its peak.
pub fn parse_vec(mut bytes: Vec<u8>) -> Result<Parsed, LoadError> {
    let (document, blob, report) = parse_parts(&bytes)?;
    let range = blob.map(|b| (b.as_ptr() as usize - bytes.as_ptr() as usize, b.len()));
    let blob = range.map(|(start, len)| {
        bytes.truncate(start + len);
        bytes.drain(..start);
        bytes
    });
    Ok(Parsed { document, blob, report })
}

fn parse_parts(bytes: &[u8]) -> Result<(Document, Option<&[u8]>, LoadReport), LoadError> {
    let (json, blob) = if bytes.starts_with(GLB_MAGIC) { validate::glb(bytes)? } else { (bytes, None) };
    if json.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Err(LoadError::Container("JSON must not start with a byte order mark".into()));
    }
    let mut value: Value = serde_json::from_slice(json).map_err(|e| LoadError::Container(format!("JSON: {e}")))?;
    validate::json(&value)?;
    let mut report = LoadReport::default();
    validate::normalise(&mut value, &mut report);
    let root: gltf::json::Root = serde_json::from_value(value).map_err(|e| LoadError::invalid("", e.to_string()))?;
    let document = Document::from_json_without_validation(root);
    validate::document(&document, blob, &mut report)?;
    Ok((document, blob, report))
}

impl Parsed {
    /// The external files to fetch, in document order (buffers first).
    pub fn external_refs(&self) -> Vec<ExternalRef> {
        let buffers = self.document.buffers().filter_map(|b| match b.source() {
            gltf::buffer::Source::Uri(u) if !u.starts_with("data:") => Some(ExternalRef { kind: ResourceKind::Buffer, index: b.index(), uri: u.to_owned() }),
            _ => None,
        });
        let images = self.document.images().filter_map(|i| match i.source() {
            gltf::image::Source::Uri { uri, .. } if !uri.starts_with("data:") => Some(ExternalRef { kind: ResourceKind::Image, index: i.index(), uri: uri.to_owned() }),
            _ => None,
        });
        buffers.chain(images).collect()
    }

    pub fn document(&self) -> &Document {
        &self.document
    }
}

/// Builds the scene from a parsed document and its fetched resources.
pub fn build(parsed: Parsed, fetched: Fetched) -> Result<Loaded, LoadError> {
    build_with(parsed, fetched, &mut |_| {})
}

/// As `build`, handing the images to `on_images` as soon as they are extracted, before the
/// geometry is decoded: the browser can decode them while the CPU builds meshes and tangents.
pub fn build_with(parsed: Parsed, fetched: Fetched, on_images: &mut dyn FnMut(&[Image])) -> Result<Loaded, LoadError> {
    let Parsed { document: doc, blob, mut report } = parsed;
    let buffers = buffers(&doc, blob, fetched.buffers)?;
    let images = images(&doc, &buffers, fetched.images, &mut report)?;
    on_images(&images);
    let textures = material::textures(&doc, &images);
    let materials = doc.materials().map(|m| material::material(&m, &textures)).collect();
    let meshes = doc.meshes().map(|m| mesh::mesh(&m, &buffers, &mut report)).collect::<Result<_, _>>()?;
    let nodes = doc
        .nodes()
        .map(|n| Node {
            name: n.name().map(str::to_owned),
            local: glam::Mat4::from_cols_array_2d(&n.transform().matrix()),
            children: n.children().map(|c| c.index()).collect(),
            mesh: n.mesh().map(|m| m.index()),
            camera: n.camera().map(|c| c.index()),
        })
        .collect();
    let mut scenes: Vec<SceneRoot> = doc
        .scenes()
        .map(|s| SceneRoot { name: s.name().map(str::to_owned), nodes: s.nodes().map(|n| n.index()).collect() })
        .collect();
    if scenes.is_empty() {
        // No scene: show every root node, as most viewers do, rather than nothing.
        let children: std::collections::HashSet<usize> = doc.nodes().flat_map(|n| n.children().map(|c| c.index())).collect();
        scenes.push(SceneRoot { name: None, nodes: (0..doc.nodes().len()).filter(|i| !children.contains(i)).collect() });
    }
    let cameras = doc.cameras().map(|c| Camera { name: c.name().map(str::to_owned), projection: projection(&c) }).collect();
    let extras = |e: &gltf::json::Extras| -> Option<crate::poi::GeoReference> {
        let v: Value = serde_json::from_str(e.as_ref()?.get()).ok()?;
        crate::poi::GeoReference::from_json(v.get("geoReference")?)
    };
    let geo_reference = doc.default_scene().and_then(|s| extras(s.extras())).or_else(|| extras(&doc.as_json().asset.extras));
    let scene = Scene {
        meshes,
        materials,
        textures,
        images,
        nodes,
        default_scene: doc.default_scene().map_or(0, |s| s.index()),
        scenes,
        cameras,
        geo_reference,
    };
    Ok(Loaded { scene, report })
}

fn projection(c: &gltf::Camera) -> Projection {
    match c.projection() {
        gltf::camera::Projection::Perspective(p) => {
            Projection::Perspective { yfov: p.yfov(), aspect: p.aspect_ratio(), znear: p.znear(), zfar: p.zfar() }
        }
        gltf::camera::Projection::Orthographic(o) => Projection::Orthographic { xmag: o.xmag(), ymag: o.ymag(), znear: o.znear(), zfar: o.zfar() },
    }
}

fn buffers(doc: &Document, mut blob: Option<Vec<u8>>, mut fetched: Vec<(usize, Vec<u8>)>) -> Result<Vec<Vec<u8>>, LoadError> {
    doc.buffers()
        .map(|b| {
            let at = format!("/buffers/{}", b.index());
            let data = match b.source() {
                gltf::buffer::Source::Bin => blob.take().unwrap_or_default(),
                gltf::buffer::Source::Uri(u) => match uri::parse_data_uri(u).map_err(|m| LoadError::invalid(format!("{at}/uri"), m))? {
                    Some(d) => d.bytes,
                    None => {
                        // Not fetched (e.g. remote from a disk load): an accessor using it fails then.
                        let pos = fetched.iter().position(|(i, _)| *i == b.index());
                        let Some(p) = pos else { return Ok(Vec::new()) };
                        fetched.swap_remove(p).1
                    }
                },
            };
            if !data.is_empty() && data.len() < b.length() {
                return Err(LoadError::invalid(format!("{at}/byteLength"), format!("declares {} bytes but the data has {}", b.length(), data.len())));
            }
            Ok(data)
        })
        .collect()
}

/// Image bytes, by index. An image in a format browsers cannot decode (KTX2) becomes empty and is
/// reported, so its textures fall back to their factors instead of failing the whole model.
fn images(doc: &Document, buffers: &[Vec<u8>], mut fetched: Vec<(usize, Vec<u8>)>, report: &mut LoadReport) -> Result<Vec<Image>, LoadError> {
    doc.images()
        .map(|img| {
            let at = format!("/images/{}", img.index());
            let (bytes, declared) = match img.source() {
                gltf::image::Source::View { view, mime_type } => {
                    let buf = &buffers[view.buffer().index()];
                    let range = view.offset()..view.offset() + view.length();
                    let bytes = buf.get(range).ok_or_else(|| LoadError::invalid(format!("{at}/bufferView"), "lies outside its buffer"))?;
                    (bytes.to_vec(), Some(mime_type.to_owned()))
                }
                gltf::image::Source::Uri { uri, mime_type } => match uri::parse_data_uri(uri).map_err(|m| LoadError::invalid(format!("{at}/uri"), m))? {
                    Some(d) => (d.bytes, Some(d.mime)),
                    None => {
                        let pos = fetched.iter().position(|(i, _)| *i == img.index());
                        let bytes = pos.map(|p| fetched.swap_remove(p).1).ok_or_else(|| LoadError::Resource { uri: uri.to_owned(), message: "not fetched".into() })?;
                        (bytes, mime_type.map(str::to_owned))
                    }
                },
            };
            let mime = match uri::sniff_image(&bytes) {
                Some("image/ktx2") | None => {
                    let what = declared.as_deref().unwrap_or("unknown format");
                    report.warnings.push(format!("{at}: image ({what}) is not PNG, JPEG or WebP; its textures are left out"));
                    return Ok(Image { name: img.name().map(str::to_owned), mime: String::new(), bytes: Vec::new() });
                }
                Some(m) => m.to_owned(),
            };
            Ok(Image { name: img.name().map(str::to_owned), mime, bytes })
        })
        .collect()
}

#[cfg(not(target_arch = "wasm32"))]
/// Loads a model from disk with its external files (native tools and tests).
pub fn load_path(path: &std::path::Path) -> Result<Loaded, LoadError> {
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| LoadError::Resource { uri: p.display().to_string(), message: e.to_string() });
    let parsed = parse(&read(path)?)?;
    let mut fetched = Fetched::default();
    for r in parsed.external_refs() {
        let decoded = percent_encoding::percent_decode_str(&r.uri).decode_utf8_lossy().into_owned();
        if decoded.contains("://") {
            continue; // Disk loads never reach out to the network.
        }
        let bytes = read(&path.parent().unwrap_or(std::path::Path::new(".")).join(&decoded))?;
        match r.kind {
            ResourceKind::Buffer => fetched.buffers.push((r.index, bytes)),
            ResourceKind::Image => fetched.images.push((r.index, bytes)),
        }
    }
    build(parsed, fetched)
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

    #[test]
    fn parse_vec_keeps_the_bin_chunk_in_place_and_loads_the_same_scene() {
        let glb = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/lakeside.glb")).unwrap();
        let by_ref = parse(&glb).unwrap();
        let bin = by_ref.blob.clone().unwrap();
        let capacity = glb.capacity();
        let owned = parse_vec(glb).unwrap();
        let blob = owned.blob.as_ref().unwrap();
        assert_eq!(blob, &bin);
        assert_eq!(blob.capacity(), capacity, "the file's allocation is reused, not copied");
        let (a, b) = (build(by_ref, Fetched::default()).unwrap(), build(owned, Fetched::default()).unwrap());
        assert_eq!(a.scene.meshes.len(), b.scene.meshes.len());
        assert_eq!(a.scene.meshes[0].primitives[0].positions, b.scene.meshes[0].primitives[0].positions);
        // Plain JSON has no BIN chunk.
        assert!(parse_vec(TRIANGLE.as_bytes().to_vec()).unwrap().blob.is_none());
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
        let json = TRIANGLE.replace(r#""scene":0"#, r#""scene":0,"extensionsUsed":["KHR_draco_mesh_compression"],"extensionsRequired":["KHR_draco_mesh_compression"]"#);
        match parse(json.as_bytes()) {
            Err(LoadError::UnsupportedExtension(e)) => assert_eq!(e, "KHR_draco_mesh_compression"),
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
}
