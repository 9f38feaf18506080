//! Checks beyond what deserialising catches, so that a broken file is refused with a pointer to
//! the fault instead of drawing garbage (or trapping) later.

use gltf::json::validation::{Error as VError, Validate};
use serde_json::Value;

use std::ops::Range;

use super::{Bytes, LoadReport, ext};
use crate::error::LoadError;

/// Finds a GLB's JSON chunk and optional BIN chunk, checking the container rules (the gltf
/// crate's own reader panics on some malformed headers, so this one is ours). Reads only the
/// headers: the chunks stay wherever the file is kept.
pub fn glb(file: &dyn Bytes) -> Result<(Range<usize>, Option<Range<usize>>), LoadError> {
    let bad = |m: &str| Err(LoadError::Container(format!("GLB: {m}")));
    let size = file.len();
    let word = |at: usize| file.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let (Some(version), Some(length)) = (word(4), word(8)) else { return bad("file is shorter than its 12-byte header") };
    if version != 2 {
        return bad(&format!("version {version} (only 2 is glTF 2.0)"));
    }
    if length as usize != size {
        return bad(&format!("header says {length} bytes, file has {size}"));
    }
    const JSON: u32 = 0x4E4F_534A;
    const BIN: u32 = 0x004E_4942;
    let mut at = 12usize;
    let mut chunks = Vec::new();
    while at < size {
        let (Some(len), Some(kind)) = (word(at), word(at + 4)) else { return bad("truncated chunk header") };
        let len = len as usize;
        if len % 4 != 0 {
            return bad("chunk length is not a multiple of 4");
        }
        let data = at + 8..at + 8 + len;
        if data.end > size {
            return bad("chunk runs past the end of the file");
        }
        chunks.push((kind, data));
        at += 8 + len;
    }
    // Unknown chunk types may follow and are ignored, as the spec allows.
    let known: Vec<_> = chunks.iter().filter(|(k, _)| *k == JSON || *k == BIN).cloned().collect();
    match known.as_slice() {
        [(JSON, json)] if chunks[0].0 == JSON => Ok((json.clone(), None)),
        [(JSON, json), (BIN, bin)] if chunks[0].0 == JSON => Ok((json.clone(), Some(bin.clone()))),
        _ => bad("chunks must be one JSON chunk first, then at most one BIN chunk"),
    }
}

/// Rules on the raw JSON that typed deserialisation cannot see.
pub fn json(v: &Value) -> Result<(), LoadError> {
    let root = v.as_object().ok_or_else(|| LoadError::invalid("", "the document root must be a JSON object"))?;
    let asset = root.get("asset").ok_or_else(|| LoadError::invalid("/asset", "is missing"))?;
    let version = asset.get("version").and_then(Value::as_str).ok_or_else(|| LoadError::invalid("/asset/version", "is missing"))?;
    let major = |s: &str| -> Option<(u32, u32)> {
        let (a, b) = s.split_once('.')?;
        let ok = |p: &str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) && (p == "0" || !p.starts_with('0'));
        (ok(a) && ok(b)).then(|| (a.parse().ok(), b.parse().ok())).and_then(|(a, b)| Some((a?, b?)))
    };
    let parsed = major(version).ok_or_else(|| LoadError::invalid("/asset/version", format!("{version:?} is not a MAJOR.MINOR version")))?;
    if parsed.0 != 2 {
        return Err(LoadError::invalid("/asset/version", format!("glTF {version} is not supported (only 2.x)")));
    }
    if let Some(min) = asset.get("minVersion").and_then(Value::as_str) {
        let m = major(min).ok_or_else(|| LoadError::invalid("/asset/minVersion", format!("{min:?} is not a MAJOR.MINOR version")))?;
        if m > parsed || m.0 != 2 {
            return Err(LoadError::invalid("/asset/minVersion", format!("requires glTF {min}")));
        }
    }
    for (key, value) in root {
        if let Value::Array(items) = value {
            if items.is_empty() && !matches!(key.as_str(), "extensionsUsed" | "extensionsRequired") {
                return Err(LoadError::invalid(format!("/{key}"), "must not be an empty array"));
            }
        }
    }
    Ok(())
}

/// Smooths over what the typed gltf-json structs refuse although the spec or the validator
/// allow it, and drops what Scenic does not use yet (animations), saying so in the report.
pub fn normalise(v: &mut Value, report: &mut LoadReport) {
    fn integral(v: &mut Value) {
        match v {
            Value::Number(n) if n.is_f64() => {
                if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                    *v = if f < 0.0 { Value::from(f as i64) } else { Value::from(f as u64) };
                }
            }
            Value::Array(a) => a.iter_mut().for_each(integral),
            Value::Object(o) => o.values_mut().for_each(integral),
            _ => {}
        }
    }
    integral(v);
    let Some(root) = v.as_object_mut() else { return };
    if root.remove("animations").is_some() {
        report.warnings.push("animations are not played yet; the model is shown in its rest pose".into());
    }
    for scene in root.get_mut("scenes").and_then(Value::as_array_mut).into_iter().flatten() {
        if let Some(s) = scene.as_object_mut() {
            s.entry("nodes").or_insert_with(|| Value::Array(Vec::new()));
        }
    }
    const TYPES: [&str; 7] = ["SCALAR", "VEC2", "VEC3", "VEC4", "MAT2", "MAT3", "MAT4"];
    for (i, acc) in root.get_mut("accessors").and_then(Value::as_array_mut).into_iter().flatten().enumerate() {
        let Some(t) = acc.get_mut("type") else { continue };
        if !t.as_str().is_some_and(|s| TYPES.contains(&s)) {
            // Unused accessors with an unknown type are harmless; a used one fails its shape check.
            report.warnings.push(format!("/accessors/{i}/type: unknown type {t}"));
            *t = Value::from("SCALAR");
        }
    }
}

/// References gltf-json's own validation would follow without checking them first.
fn prevalidate(root: &gltf::json::Root) -> Result<(), LoadError> {
    for (m, mesh) in root.meshes.iter().enumerate() {
        for (p, prim) in mesh.primitives.iter().enumerate() {
            for (sem, acc) in &prim.attributes {
                if acc.value() >= root.accessors.len() {
                    let name = match sem {
                        gltf::json::validation::Checked::Valid(s) => s.to_string(),
                        _ => "?".into(),
                    };
                    return Err(LoadError::invalid(format!("/meshes/{m}/primitives/{p}/attributes/{name}"), "refers to an accessor that does not exist"));
                }
            }
        }
    }
    for (i, img) in root.images.iter().enumerate() {
        if img.uri.is_some() == img.buffer_view.is_some() {
            return Err(LoadError::invalid(format!("/images/{i}"), "needs exactly one of uri and bufferView"));
        }
        if img.buffer_view.is_some() && img.mime_type.is_none() {
            return Err(LoadError::invalid(format!("/images/{i}/mimeType"), "is required with bufferView"));
        }
    }
    Ok(())
}

fn pointer(path: &gltf::json::Path) -> String {
    // gltf-json paths read `meshes[0].primitives[1]`; pointers read `/meshes/0/primitives/1`.
    let p = path.as_str().replace('[', "/").replace(']', "").replace('.', "/");
    let p = p.split(" = ").next().unwrap_or(&p).to_owned();
    if p.starts_with('/') { p } else { format!("/{p}") }
}

/// Whole-document rules: references, extensions, buffer views, the node graph.
pub fn document(doc: &gltf::Document, blob_len: Option<usize>, report: &mut LoadReport) -> Result<(), LoadError> {
    let root = doc.as_json();
    prevalidate(root)?;
    let mut first: Option<LoadError> = None;
    root.validate(root, gltf::json::Path::new, &mut |path, err| {
        let p = path();
        // Required extensions are judged below against Scenic's own list.
        if err == VError::Unsupported && p.as_str().starts_with("extensionsRequired") {
            return;
        }
        // gltf-json wants a bufferView on every non-sparse accessor; the spec allows none (zeros).
        if err == VError::Missing && p.as_str().starts_with("accessors[") && p.as_str().ends_with("bufferView") {
            return;
        }
        if first.is_none() {
            let what = match err {
                VError::IndexOutOfBounds => "refers to an object that does not exist",
                VError::Invalid => "has an invalid value",
                VError::Missing => "is missing",
                VError::Unsupported => "is not supported",
                VError::Oversize => "is too large",
            };
            first = Some(LoadError::invalid(pointer(&p), what));
        }
    });
    if let Some(e) = first {
        return Err(e);
    }
    for name in &root.extensions_required {
        if !ext::is_supported(name) {
            return Err(LoadError::UnsupportedExtension(name.clone()));
        }
        if !root.extensions_used.contains(name) {
            return Err(LoadError::invalid("/extensionsRequired", format!("{name} is required but not in extensionsUsed")));
        }
    }
    for name in &root.extensions_used {
        if !ext::is_supported(name) {
            report.warnings.push(format!("optional glTF extension {name} is not supported; it is ignored"));
        }
    }
    buffers(doc, blob_len)?;
    accessors(doc)?;
    nodes(doc)
}

fn buffers(doc: &gltf::Document, blob_len: Option<usize>) -> Result<(), LoadError> {
    for b in doc.buffers() {
        let at = format!("/buffers/{}", b.index());
        if b.length() == 0 {
            return Err(LoadError::invalid(format!("{at}/byteLength"), "must be at least 1"));
        }
        match b.source() {
            // A .gltf buffer without a URI has no data; an accessor that uses it fails then.
            gltf::buffer::Source::Bin if blob_len.is_none() => {}
            gltf::buffer::Source::Bin => {
                let have = blob_len.unwrap_or(0);
                if b.index() != 0 || have < b.length() || have > b.length() + 3 {
                    return Err(LoadError::invalid(format!("{at}/byteLength"), format!("GLB BIN chunk has {have} bytes for a buffer of {}", b.length())));
                }
            }
            gltf::buffer::Source::Uri(u) => {
                if let Some(d) = super::uri::parse_data_uri(u).map_err(|m| LoadError::invalid(format!("{at}/uri"), m))? {
                    if !matches!(d.mime.as_str(), "application/octet-stream" | "application/gltf-buffer") {
                        return Err(LoadError::invalid(format!("{at}/uri"), format!("data URI type {:?} is not a buffer type", d.mime)));
                    }
                    if d.bytes.len() != b.length() {
                        return Err(LoadError::invalid(format!("{at}/byteLength"), format!("is {} but the data URI holds {} bytes", b.length(), d.bytes.len())));
                    }
                } else if !is_fetchable(u) {
                    return Err(LoadError::invalid(format!("{at}/uri"), format!("{u:?} is not a relative or http(s) URI")));
                }
            }
        }
    }
    for v in doc.views() {
        let at = format!("/bufferViews/{}", v.index());
        if v.length() == 0 {
            return Err(LoadError::invalid(format!("{at}/byteLength"), "must be at least 1"));
        }
        let end = v.offset().checked_add(v.length());
        if end.is_none_or(|e| e > v.buffer().length()) {
            return Err(LoadError::invalid(format!("{at}/byteLength"), format!("ends past its buffer of {} bytes", v.buffer().length())));
        }
        if let Some(stride) = v.stride() {
            if !(4..=252).contains(&stride) || stride % 4 != 0 {
                return Err(LoadError::invalid(format!("{at}/byteStride"), format!("{stride} is not a multiple of 4 between 4 and 252")));
            }
            if v.target() == Some(gltf::buffer::Target::ElementArrayBuffer) {
                return Err(LoadError::invalid(format!("{at}/byteStride"), "index buffer views must not have a stride"));
            }
        }
    }
    Ok(())
}

fn is_fetchable(uri: &str) -> bool {
    match uri.split_once(':') {
        Some((scheme, _)) if scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) => {
            matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https")
        }
        _ => true,
    }
}

fn accessors(doc: &gltf::Document) -> Result<(), LoadError> {
    for a in doc.accessors() {
        let at = format!("/accessors/{}", a.index());
        if a.count() == 0 {
            return Err(LoadError::invalid(format!("{at}/count"), "must be at least 1"));
        }
        let size = a.data_type().size();
        let elem = size * a.dimensions().multiplicity();
        if a.offset() % size != 0 {
            return Err(LoadError::invalid(format!("{at}/byteOffset"), format!("{} is not a multiple of the component size {size}", a.offset())));
        }
        let json = doc.as_json().accessors.get(a.index());
        if json.is_some_and(|j| j.byte_offset.is_some() && j.buffer_view.is_none()) {
            return Err(LoadError::invalid(format!("{at}/byteOffset"), "needs a bufferView"));
        }
        if let Some(v) = a.view() {
            let stride = v.stride().unwrap_or(elem);
            if stride < elem {
                return Err(LoadError::invalid(format!("/bufferViews/{}/byteStride", v.index()), format!("{stride} is less than the element size {elem}")));
            }
            if (v.offset() + a.offset()) % size != 0 {
                return Err(LoadError::invalid(format!("{at}/byteOffset"), "is not aligned to its component size"));
            }
            let needed = (a.count() - 1).checked_mul(stride).and_then(|x| x.checked_add(a.offset() + elem));
            if needed.is_none_or(|n| n > v.length()) {
                return Err(LoadError::invalid(format!("{at}/count"), format!("{} elements do not fit in buffer view {}", a.count(), v.index())));
            }
        }
        if let Some(s) = a.sparse() {
            if s.count() == 0 || s.count() as usize > a.count() {
                return Err(LoadError::invalid(format!("{at}/sparse/count"), format!("{} is not between 1 and the accessor's count", s.count())));
            }
        }
    }
    Ok(())
}

/// The nodes must form a forest: no node with two parents, no cycles, no root in a scene twice.
fn nodes(doc: &gltf::Document) -> Result<(), LoadError> {
    let n = doc.nodes().len();
    let mut parent = vec![None; n];
    for node in doc.nodes() {
        for c in node.children() {
            if c.index() == node.index() || parent[c.index()].is_some() {
                return Err(LoadError::invalid(format!("/nodes/{}/children", node.index()), format!("node {} has more than one parent or is its own child", c.index())));
            }
            parent[c.index()] = Some(node.index());
        }
    }
    for start in 0..n {
        let (mut at, mut steps) = (start, 0);
        while let Some(p) = parent[at] {
            at = p;
            steps += 1;
            if steps > n {
                return Err(LoadError::invalid(format!("/nodes/{start}"), "is part of a cycle"));
            }
        }
    }
    for s in doc.scenes() {
        let mut seen = std::collections::HashSet::new();
        for node in s.nodes() {
            if parent[node.index()].is_some() || !seen.insert(node.index()) {
                return Err(LoadError::invalid(format!("/scenes/{}/nodes", s.index()), format!("node {} is not a distinct root", node.index())));
            }
        }
    }
    Ok(())
}
