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
                .map(|(k, v)| Ok((k.clone(), v.as_u64().and_then(|id| u32::try_from(id).ok()).ok_or_else(|| format!("attributes/{k}: {v} is not a Draco attribute id"))?)))
                .collect::<Result<_, String>>()?;
            Ok(DracoPrimitive { view, attributes })
        })())
    }
}

/// What the module decoded, read from its layout (see decoders/draco): indices, then per
/// attribute its Draco id, components and one f32 per component per point.
#[derive(Debug, PartialEq)]
pub struct Decoded {
    pub indices: Vec<u32>,
    pub attributes: Vec<(u32, usize, Vec<f32>)>,
}

impl Decoded {
    pub fn read(bytes: &[u8]) -> Result<Decoded, String> {
        let truncated = || "the decoded Draco data is truncated".to_string();
        let mut words = bytes.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        let total = bytes.len() / 4;
        let mut word = || words.next().ok_or_else(truncated);
        let (n_attributes, n_indices) = (word()? as usize, word()? as usize);
        // Counts are checked against the words there are before anything is allocated.
        if n_indices > total {
            return Err(truncated());
        }
        let indices = (0..n_indices).map(|_| word()).collect::<Result<_, _>>()?;
        let mut attributes = Vec::new();
        for _ in 0..n_attributes.min(total) {
            let (id, components, points) = (word()?, word()? as usize, word()? as usize);
            let n = components.checked_mul(points).filter(|&n| n <= total).ok_or_else(truncated)?;
            if !(1..=16).contains(&components) {
                return Err(format!("the decoded Draco data has {components} components per value"));
            }
            let values = (0..n).map(|_| word().map(f32::from_bits)).collect::<Result<_, _>>()?;
            attributes.push((id, components, values));
        }
        Ok(Decoded { indices, attributes })
    }
}

/// Points primitive `prim` of mesh `mesh`'s accessors at the arrays the module decoded (one new
/// buffer and view each), so that the mesh reader reads them as any other accessor.
pub fn apply(doc: &mut Document, mesh: usize, prim: usize, bytes: &dyn Bytes, buffers: &mut Vec<Box<dyn Bytes>>) -> Result<(), LoadError> {
    let at = format!("/meshes/{mesh}/primitives/{prim}/extensions/KHR_draco_mesh_compression");
    let bad = |m: String| LoadError::invalid(at.clone(), format!("Draco: {m}"));
    let p = doc.meshes.get(mesh).and_then(|m| m.primitives.get(prim)).ok_or_else(|| bad("no such primitive".into()))?;
    let draco = p.draco.clone().ok_or_else(|| bad("the primitive is not Draco-compressed".into()))?;
    let (semantics, indices) = (p.attributes.clone(), p.indices);
    let data = bytes.get(0..bytes.len()).ok_or_else(|| bad("no decoded data".into()))?;
    let decoded = Decoded::read(&data).map_err(bad)?;
    let mut push = |doc: &mut Document, bytes: Vec<u8>| {
        doc.views.push(View { buffer: buffers.len(), offset: 0, length: bytes.len(), stride: None, target: None, compressed: None });
        buffers.push(Box::new(bytes));
        doc.views.len() - 1
    };
    let mut points = None;
    for (semantic, id) in &draco.attributes {
        // Named by the extension but not by the primitive: nothing reads it.
        let Some(&(_, a)) = semantics.iter().find(|(s, _)| s == semantic) else { continue };
        let (_, components, values) = decoded.attributes.iter().find(|(i, _, _)| i == id).ok_or_else(|| bad(format!("{semantic}'s attribute {id} is not in the stream")))?;
        let acc = &doc.accessors[a];
        if *components != acc.components || values.len() != acc.count * acc.components {
            return Err(bad(format!("{semantic} decoded to {} values of {components}, the accessor says {} of {}", values.len() / components, acc.count, acc.components)));
        }
        points = Some(acc.count);
        // Integer attributes the accessor declares normalised come back as integers.
        let scale = match (acc.normalized, acc.component) {
            (true, ComponentType::U8) => 1.0 / 255.0,
            (true, ComponentType::U16) => 1.0 / 65535.0,
            (true, ComponentType::I8) => 1.0 / 127.0,
            (true, ComponentType::I16) => 1.0 / 32767.0,
            _ => 1.0,
        };
        let floats: Vec<u8> = values.iter().flat_map(|v| if scale == 1.0 { *v } else { (v * scale).max(-1.0) }.to_le_bytes()).collect();
        let view = push(doc, floats);
        let acc = &mut doc.accessors[a];
        (acc.view, acc.offset, acc.component, acc.normalized, acc.sparse) = (Some(view), 0, ComponentType::F32, false, None);
    }
    let Some(i) = indices else { return Err(bad("a Draco primitive needs an indices accessor".into())) };
    let count = doc.accessors[i].count;
    if decoded.indices.len() != count || decoded.indices.iter().any(|&x| points.is_some_and(|p| x as usize >= p)) {
        return Err(bad(format!("{} indices decoded for an accessor of {count}, or one past the points", decoded.indices.len())));
    }
    let view = push(doc, decoded.indices.iter().flat_map(|x| x.to_le_bytes()).collect());
    let acc = &mut doc.accessors[i];
    (acc.view, acc.offset, acc.component, acc.normalized, acc.sparse) = (Some(view), 0, ComponentType::U32, false, None);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layout_is_read_and_lies_are_errors() {
        let mut b = Vec::new();
        for w in [1u32, 3, 0, 1, 2, 7, 2, 2] {
            b.extend(w.to_le_bytes());
        }
        for f in [0.5f32, 1.0, 2.0, 3.0] {
            b.extend(f.to_le_bytes());
        }
        let d = Decoded::read(&b).unwrap();
        assert_eq!(d, Decoded { indices: vec![0, 1, 2], attributes: vec![(7, 2, vec![0.5, 1.0, 2.0, 3.0])] });
        assert!(Decoded::read(&b[..b.len() - 1]).is_err());
        let mut lying = b.clone();
        lying[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Decoded::read(&lying).is_err());
    }
}
