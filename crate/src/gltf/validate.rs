//! Checks beyond what reading the document (doc.rs) catches, so that a broken file is refused with a pointer to
//! the fault instead of drawing garbage (or trapping) later.

use serde_json::Value;

use std::ops::Range;

use super::doc::{Document, ELEMENT_ARRAY_BUFFER};
use super::{Bytes, LoadReport, ext};
use crate::error::LoadError;

/// Finds a GLB's JSON chunk and optional BIN chunk, checking the container rules. Reads only
/// the headers: the chunks stay wherever the file is kept. What the glTF-Validator calls a
/// warning (bytes after the declared length, GLB_EXTRA_DATA) is reported, not refused.
pub fn glb(file: &dyn Bytes, report: &mut LoadReport) -> Result<(Range<usize>, Option<Range<usize>>), LoadError> {
    let bad = |m: &str| Err(LoadError::Container(format!("GLB: {m}")));
    let word = |at: usize| file.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let (Some(version), Some(length)) = (word(4), word(8)) else { return bad("file is shorter than its 12-byte header") };
    if version != 2 {
        return bad(&format!("version {version} (only 2 is glTF 2.0)"));
    }
    let size = length as usize;
    if size > file.len() {
        return bad(&format!("header says {length} bytes, file has {}", file.len()));
    }
    if size < file.len() {
        report.warnings.push(format!("GLB: {} bytes after the {length} the header declares are ignored", file.len() - size));
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

/// Rules on the document as a whole, before its objects are read: the asset's version, and no
/// empty top-level arrays.
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

/// Whole-document rules: extensions, buffers and views, accessors, the node graph. (References
/// and field types were checked as the document was read.)
pub fn document(doc: &Document, blob_len: Option<usize>, report: &mut LoadReport) -> Result<(), LoadError> {
    for name in &doc.extensions_required {
        if !ext::is_supported(name) {
            return Err(LoadError::UnsupportedExtension(name.clone()));
        }
        if !doc.extensions_used.contains(name) {
            return Err(LoadError::invalid("/extensionsRequired", format!("{name} is required but not in extensionsUsed")));
        }
    }
    for name in &doc.extensions_used {
        if !ext::is_supported(name) {
            report.warnings.push(format!("optional glTF extension {name} is not supported; it is ignored"));
        }
    }
    buffers(doc, blob_len, report)?;
    accessors(doc)?;
    nodes(doc)
}

fn buffers(doc: &Document, blob_len: Option<usize>, report: &mut LoadReport) -> Result<(), LoadError> {
    for (i, b) in doc.buffers.iter().enumerate() {
        let at = format!("/buffers/{i}");
        match &b.uri {
            // Only the first buffer refers to a GLB's BIN chunk. Any other buffer without a URI
            // (in a .gltf, or a placeholder an extension such as EXT_meshopt_compression's
            // fallback declares) has no data; a view that is read from it fails then.
            None if i == 0 && blob_len.is_some() => {
                let have = blob_len.unwrap_or(0);
                if have < b.length {
                    return Err(LoadError::invalid(format!("{at}/byteLength"), format!("GLB BIN chunk has {have} bytes for a buffer of {}", b.length)));
                }
                if have > b.length + 3 {
                    report.warnings.push(format!("{at}: the GLB BIN chunk has {} bytes beyond the buffer's {}; they are ignored", have - b.length, b.length));
                }
            }
            None => {}
            Some(u) => {
                if let Some(d) = super::uri::parse_data_uri(u).map_err(|m| LoadError::invalid(format!("{at}/uri"), m))? {
                    if !matches!(d.mime.as_str(), "application/octet-stream" | "application/gltf-buffer") {
                        return Err(LoadError::invalid(format!("{at}/uri"), format!("data URI type {:?} is not a buffer type", d.mime)));
                    }
                    if d.bytes.len() != b.length {
                        return Err(LoadError::invalid(format!("{at}/byteLength"), format!("is {} but the data URI holds {} bytes", b.length, d.bytes.len())));
                    }
                } else if !is_fetchable(u) {
                    return Err(LoadError::invalid(format!("{at}/uri"), format!("{u:?} is not a relative or http(s) URI")));
                }
            }
        }
    }
    for (i, v) in doc.views.iter().enumerate() {
        let at = format!("/bufferViews/{i}");
        let buffer = doc.buffers[v.buffer].length;
        if v.offset.checked_add(v.length).is_none_or(|e| e > buffer) {
            return Err(LoadError::invalid(format!("{at}/byteLength"), format!("ends past its buffer of {buffer} bytes")));
        }
        if let Some(c) = &v.compressed {
            let ext = if c.khr { "KHR_meshopt_compression" } else { "EXT_meshopt_compression" };
            let at = format!("{at}/extensions/{ext}");
            let Some(source) = doc.buffers.get(c.buffer) else {
                return Err(LoadError::invalid(format!("{at}/buffer"), format!("refers to buffers[{}], which does not exist", c.buffer)));
            };
            if c.offset.checked_add(c.length).is_none_or(|e| e > source.length) {
                return Err(LoadError::invalid(format!("{at}/byteLength"), format!("ends past its buffer of {} bytes", source.length)));
            }
            if c.count.checked_mul(c.stride) != Some(v.length) || v.stride.is_some_and(|s| s != c.stride) {
                return Err(LoadError::invalid(at, format!("{} elements of {} bytes do not make the view's {} bytes (or its byteStride)", c.count, c.stride, v.length)));
            }
        }
        if let Some(stride) = v.stride {
            if !(4..=252).contains(&stride) || stride % 4 != 0 {
                return Err(LoadError::invalid(format!("{at}/byteStride"), format!("{stride} is not a multiple of 4 between 4 and 252")));
            }
            if v.target == Some(ELEMENT_ARRAY_BUFFER) {
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

fn accessors(doc: &Document) -> Result<(), LoadError> {
    for (i, a) in doc.accessors.iter().enumerate() {
        let at = format!("/accessors/{i}");
        let size = a.component.size();
        let elem = size * a.components;
        if a.offset % size != 0 {
            return Err(LoadError::invalid(format!("{at}/byteOffset"), format!("{} is not a multiple of the component size {size}", a.offset)));
        }
        if let Some(vi) = a.view {
            let v = &doc.views[vi];
            let stride = v.stride.unwrap_or(elem);
            if stride < elem {
                return Err(LoadError::invalid(format!("/bufferViews/{vi}/byteStride"), format!("{stride} is less than the element size {elem}")));
            }
            if (v.offset + a.offset) % size != 0 {
                return Err(LoadError::invalid(format!("{at}/byteOffset"), "is not aligned to its component size"));
            }
            let needed = (a.count - 1).checked_mul(stride).and_then(|x| x.checked_add(a.offset + elem));
            if needed.is_none_or(|n| n > v.length) {
                return Err(LoadError::invalid(format!("{at}/count"), format!("{} elements do not fit in buffer view {vi}", a.count)));
            }
        }
        if let Some(s) = &a.sparse {
            if s.count > a.count {
                return Err(LoadError::invalid(format!("{at}/sparse/count"), format!("{} is not between 1 and the accessor's count", s.count)));
            }
        }
    }
    Ok(())
}

/// The nodes must form a forest: no node with two parents, no cycles, no root in a scene twice.
fn nodes(doc: &Document) -> Result<(), LoadError> {
    let n = doc.nodes.len();
    let mut parent = vec![None; n];
    for (i, node) in doc.nodes.iter().enumerate() {
        for &c in &node.children {
            if c == i || parent[c].is_some() {
                return Err(LoadError::invalid(format!("/nodes/{i}/children"), format!("node {c} has more than one parent or is its own child")));
            }
            parent[c] = Some(i);
        }
    }
    // With one parent each, the nodes that no walk down from a parentless node reaches are in
    // (or under) a cycle: one pass, linear in the node count (a 100,000-deep chain included).
    let mut reached = vec![false; n];
    let mut stack: Vec<usize> = (0..n).filter(|&i| parent[i].is_none()).collect();
    while let Some(i) = stack.pop() {
        reached[i] = true;
        stack.extend(&doc.nodes[i].children);
    }
    if let Some(start) = reached.iter().position(|r| !r) {
        return Err(LoadError::invalid(format!("/nodes/{start}"), "is part of a cycle"));
    }
    for (i, s) in doc.scenes.iter().enumerate() {
        let mut seen = vec![false; n];
        for &node in &s.nodes {
            if parent[node].is_some() || std::mem::replace(&mut seen[node], true) {
                return Err(LoadError::invalid(format!("/scenes/{i}/nodes"), format!("node {node} is not a distinct root")));
            }
        }
    }
    Ok(())
}
