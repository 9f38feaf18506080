//! KHR_draco_mesh_compression: a primitive whose indices and attributes are one Draco stream in
//! a buffer view. Read here; decoded by the Draco module (decoders/draco), which the web room runs
//! in a worker and native loads call directly; the decoded arrays then stand in for the
//! primitive's accessors (see `gltf::build_with`), so the mesh reader reads them as any other.

use serde_json::Value;

use super::Extension;
use crate::error::LoadError;
use crate::gltf::Bytes;
use crate::gltf::doc::{ComponentType, Document, View};

pub struct Draco;

/// A primitive's Draco stream: its buffer view, and glTF semantic → Draco attribute id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DracoPrimitive {
    pub view: usize,
    pub attributes: Vec<(String, u32)>,
}

impl Extension for Draco {
    fn name(&self) -> &'static str {
        "KHR_draco_mesh_compression"
    }

    fn primitive(&self, ext: &Value) -> Option<Result<DracoPrimitive, String>> {
        Some((|| {
            let view = ext.get("bufferView").and_then(Value::as_u64).and_then(|v| usize::try_from(v).ok()).ok_or("bufferView must be a buffer view index")?;
            let map = ext.get("attributes").and_then(Value::as_object).ok_or("attributes must be an object")?;
            let attributes = map
                .iter()
                .map(|(k, v)| Ok((k.clone(), v.as_u64().and_then(|id| u32::try_from(id).ok()).ok_or_else(|| format!("attributes/{k}: {} is not a Draco attribute id", crate::error::Shown(v)))?)))
                .collect::<Result<_, String>>()?;
            Ok(DracoPrimitive { view, attributes })
        })())
    }
}

/// Where the module's answer holds what it decoded (see decoders/draco: u32 words of attribute
/// count and index count, the indices, then per attribute its Draco id, components, points and
/// one f32 per component per point), in bytes from its start. Only the header words are read:
/// the arrays stay where they are, outside wasm memory on the web.
#[derive(Debug, PartialEq)]
pub struct Layout {
    /// Byte offset and count of the indices.
    pub indices: (usize, usize),
    /// Per attribute: Draco id, components, points, byte offset of its values.
    pub attributes: Vec<(u32, usize, usize, usize)>,
}

impl Layout {
    pub fn read(bytes: &dyn Bytes) -> Result<Layout, String> {
        let truncated = || "the decoded Draco data is truncated".to_string();
        let total = bytes.len();
        let word = |at: usize| -> Result<usize, String> {
            let mut w = [0u8; 4];
            if bytes.read_into(at, &mut w) { Ok(u32::from_le_bytes(w) as usize) } else { Err(truncated()) }
        };
        let (n_attributes, n_indices) = (word(0)?, word(4)?);
        let mut at = n_indices.checked_mul(4).and_then(|b| b.checked_add(8)).filter(|&e| e <= total).ok_or_else(truncated)?;
        let layout_indices = (8, n_indices);
        let mut attributes = Vec::new();
        // Each attribute takes at least 12 bytes: a lying count ends at the data's end.
        for _ in 0..n_attributes.min(total / 12) {
            let (id, components, points) = (word(at)? as u32, word(at + 4)?, word(at + 8)?);
            if !(1..=16).contains(&components) {
                return Err(format!("the decoded Draco data has {components} components per value"));
            }
            let values = at + 12;
            at = components.checked_mul(points).and_then(|n| n.checked_mul(4)).and_then(|b| b.checked_add(values)).filter(|&e| e <= total).ok_or_else(truncated)?;
            attributes.push((id, components, points, values));
        }
        Ok(Layout { indices: layout_indices, attributes })
    }
}

/// Points primitive `prim` of mesh `mesh`'s accessors at the arrays the module decoded, in place
/// (the answer becomes a buffer, each array a view of it), so that the mesh reader reads them as
/// any other accessor without a copy of the decoded primitive in wasm memory.
pub fn apply(doc: &mut Document, mesh: usize, prim: usize, bytes: Box<dyn Bytes>, buffers: &mut Vec<Box<dyn Bytes>>) -> Result<(), LoadError> {
    let at = format!("/meshes/{mesh}/primitives/{prim}/extensions/KHR_draco_mesh_compression");
    let bad = |m: String| LoadError::invalid(at.clone(), format!("Draco: {m}"));
    let p = doc.meshes.get(mesh).and_then(|m| m.primitives.get(prim)).ok_or_else(|| bad("no such primitive".into()))?;
    let draco = p.draco.clone().ok_or_else(|| bad("the primitive is not Draco-compressed".into()))?;
    let (semantics, indices) = (p.attributes.clone(), p.indices);
    // Every vertex stream comes from the Draco data, none from plain accessors or morph targets.
    let all_draco = p.targets.is_empty() && semantics.iter().all(|(s, _)| draco.attributes.iter().any(|(d, _)| d == s));
    let layout = Layout::read(&*bytes).map_err(bad)?;
    let buffer = buffers.len();
    let view = |doc: &mut Document, offset: usize, length: usize| {
        doc.views.push(View { buffer, offset, length, stride: None, target: None, compressed: None });
        doc.views.len() - 1
    };
    let mut scaled: Vec<Box<dyn Bytes>> = Vec::new();
    let mut points = None;
    for (semantic, id) in &draco.attributes {
        // Named by the extension but not by the primitive: nothing reads it.
        let Some(&(_, a)) = semantics.iter().find(|(s, _)| s == semantic) else { continue };
        let &(_, components, decoded_points, values) = layout.attributes.iter().find(|(i, ..)| i == id).ok_or_else(|| bad(format!("{semantic}'s attribute {id} is not in the stream")))?;
        let acc = &doc.accessors[a];
        // The spec asks accessors to match the decoded data, but decoders have numbered points
        // differently (draco-oxide, before Scenic's patch, added unused copies of vertices a
        // topology split left behind): the spec also lets a loader draw the decoded geometry as
        // it is, which works while every stream comes from it and all agree on the count.
        let agrees = decoded_points == acc.count || (all_draco && points.is_none_or(|p| p == decoded_points));
        if components != acc.components || !agrees {
            return Err(bad(format!("{semantic} decoded to {decoded_points} values of {components}, the accessor says {} of {}", acc.count, acc.components)));
        }
        points = Some(decoded_points);
        let length = decoded_points * components * 4;
        // Integer attributes the accessor declares normalised come back as integers: those few
        // are scaled into a copy of their own.
        let scale = match (acc.normalized, acc.component) {
            (true, ComponentType::U8) => Some(1.0 / 255.0),
            (true, ComponentType::U16) => Some(1.0 / 65535.0),
            (true, ComponentType::I8) => Some(1.0 / 127.0),
            (true, ComponentType::I16) => Some(1.0 / 32767.0),
            _ => None,
        };
        let v = match scale {
            None => view(doc, values, length),
            Some(k) => {
                let raw = bytes.get(values..values + length).ok_or_else(|| bad("the decoded Draco data is truncated".into()))?;
                let floats: Vec<u8> = raw.chunks_exact(4).flat_map(|b| (f32::from_le_bytes([b[0], b[1], b[2], b[3]]) * k).max(-1.0).to_le_bytes()).collect();
                scaled.push(Box::new(floats));
                doc.views.push(View { buffer: buffer + scaled.len(), offset: 0, length, stride: None, target: None, compressed: None });
                doc.views.len() - 1
            }
        };
        let acc = &mut doc.accessors[a];
        (acc.view, acc.offset, acc.component, acc.normalized, acc.sparse, acc.count) = (Some(v), 0, ComponentType::F32, false, None, decoded_points);
    }
    let Some(i) = indices else { return Err(bad("a Draco primitive needs an indices accessor".into())) };
    let count = doc.accessors[i].count;
    if layout.indices.1 != count {
        return Err(bad(format!("{} indices decoded for an accessor of {count}", layout.indices.1)));
    }
    // Indices past the points are refused by the mesh reader, as for any accessor.
    let v = view(doc, layout.indices.0, count * 4);
    let acc = &mut doc.accessors[i];
    (acc.view, acc.offset, acc.component, acc.normalized, acc.sparse) = (Some(v), 0, ComponentType::U32, false, None);
    buffers.push(bytes);
    buffers.extend(scaled);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_is_read_and_lies_are_errors() {
        let b = layout(&[0, 1, 2], &[(7, 2, &[0.5, 1.0, 2.0, 3.0])]);
        let l = Layout::read(&b).unwrap();
        assert_eq!(l, Layout { indices: (8, 3), attributes: vec![(7, 2, 2, 32)] });
        assert_eq!(f32::from_le_bytes(b[32..36].try_into().unwrap()), 0.5);
        assert!(Layout::read(&b[..b.len() - 1].to_vec()).is_err());
        // Words: attribute count, index count, three indices, then id, components, points.
        for (word, lie) in [(1, u32::MAX), (0, u32::MAX), (6, 0), (6, 17), (7, u32::MAX)] {
            let mut lying = b.clone();
            lying[4 * word..4 * word + 4].copy_from_slice(&lie.to_le_bytes());
            assert!(Layout::read(&lying).is_err(), "word {word} = {lie}");
        }
    }

    /// The module's layout: indices, then (id, components, points, values) per attribute.
    fn layout(indices: &[u32], attributes: &[(u32, u32, &[f32])]) -> Vec<u8> {
        let mut w: Vec<u32> = vec![attributes.len() as u32, indices.len() as u32];
        w.extend(indices);
        for (id, c, v) in attributes {
            w.extend([*id, *c, v.len() as u32 / c]);
            w.extend(v.iter().map(|f| f.to_bits()));
        }
        w.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    fn primitive(extra: &str) -> crate::gltf::doc::Document {
        let json = format!(
            r#"{{"asset":{{"version":"2.0"}},"extensionsUsed":["KHR_draco_mesh_compression"],"buffers":[{{"byteLength":4}}],"bufferViews":[{{"buffer":0,"byteLength":4}}],
            "accessors":[{{"componentType":5126,"count":3,"type":"VEC3","min":[0,0,0],"max":[1,1,0]}},{{"componentType":5125,"count":3,"type":"SCALAR"}},{{"componentType":5126,"count":3,"type":"VEC3"}}],
            "meshes":[{{"primitives":[{{"attributes":{{"POSITION":0{extra}}},"indices":1,"extensions":{{"KHR_draco_mesh_compression":{{"bufferView":0,"attributes":{{"POSITION":0}}}}}}}}]}}]}}"#
        );
        crate::gltf::parse(json.as_bytes()).unwrap().document
    }

    #[test]
    fn decoded_points_stand_in_for_the_accessors_count_when_every_stream_is_draco() {
        // Four points where the accessor says three (a decoder that split a vertex).
        let bytes = layout(&[0, 1, 3], &[(0, 3, &[0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0])]);
        let mut doc = primitive("");
        apply(&mut doc, 0, 0, Box::new(bytes.clone()), &mut Vec::new()).unwrap();
        assert_eq!(doc.accessors[0].count, 4);
        // An attribute outside the Draco stream keeps the file's count: the two would disagree.
        let mut doc = primitive(r#","NORMAL":2"#);
        let e = apply(&mut doc, 0, 0, Box::new(bytes), &mut Vec::new()).unwrap_err().to_string();
        assert!(e.contains("POSITION decoded to 4 values of 3, the accessor says 3 of 3"), "{e}");
        // Fewer indices than the accessor says is refused.
        let bytes = layout(&[0, 1], &[(0, 3, &[0.0; 12])]);
        assert!(apply(&mut primitive(""), 0, 0, Box::new(bytes), &mut Vec::new()).is_err());
    }
}
