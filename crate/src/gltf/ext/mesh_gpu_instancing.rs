//! EXT_mesh_gpu_instancing: a node drawing its mesh once per TRANSLATION / ROTATION / SCALE
//! element (trees, lamps, benches). Each instance becomes a world transform of its own at load
//! (`scene::Node::instances`); the renderers draw them as any other node's mesh.

use glam::{Mat4, Quat, Vec3, Vec4};
use serde_json::Value;

use super::Extension;
use crate::error::LoadError;
use crate::gltf::Bytes;
use crate::gltf::accessor::read_vec;
use crate::gltf::doc::Document;

pub struct MeshGpuInstancing;

/// The accessors of one node's instance attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instancing {
    pub translation: Option<usize>,
    pub rotation: Option<usize>,
    pub scale: Option<usize>,
}

impl Extension for MeshGpuInstancing {
    fn name(&self) -> &'static str {
        "EXT_mesh_gpu_instancing"
    }

    fn node(&self, ext: &Value) -> Option<Result<Instancing, String>> {
        let attributes = ext.get("attributes").and_then(Value::as_object);
        let Some(attributes) = attributes else { return Some(Err("attributes must be an object".into())) };
        let index = |key: &str| -> Result<Option<usize>, String> {
            attributes.get(key).map(|v| v.as_u64().and_then(|n| usize::try_from(n).ok()).ok_or_else(|| format!("attributes/{key}: {} is not an accessor index", crate::error::Shown(v)))).transpose()
        };
        Some((|| Ok(Instancing { translation: index("TRANSLATION")?, rotation: index("ROTATION")?, scale: index("SCALE")? }))())
    }
}

/// The instances' local transforms (T·R·S, applied under the node's own transform).
pub fn matrices(doc: &Document, node: usize, inst: &Instancing, buffers: &[Box<dyn Bytes>]) -> Result<Vec<Mat4>, LoadError> {
    let at = format!("/nodes/{node}/extensions/EXT_mesh_gpu_instancing/attributes");
    let t = inst.translation.map(|a| read_vec::<3>(doc, a, buffers)).transpose()?;
    let r = inst.rotation.map(|a| read_vec::<4>(doc, a, buffers)).transpose()?;
    let s = inst.scale.map(|a| read_vec::<3>(doc, a, buffers)).transpose()?;
    let counts: Vec<usize> = [t.as_ref().map(Vec::len), r.as_ref().map(Vec::len), s.as_ref().map(Vec::len)].into_iter().flatten().collect();
    let Some(&count) = counts.first() else { return Err(LoadError::invalid(at, "names no TRANSLATION, ROTATION or SCALE")) };
    if counts.iter().any(|&c| c != count) {
        return Err(LoadError::invalid(at, format!("the attributes have different counts ({counts:?})")));
    }
    Ok((0..count)
        .map(|i| {
            let t = t.as_ref().map_or(Vec3::ZERO, |t| Vec3::from_array(t[i]));
            // Quantised rotations are not exactly unit length; a zero one is no rotation.
            let q = r.as_ref().map_or(Vec4::W, |r| Vec4::from_array(r[i]).try_normalize().unwrap_or(Vec4::W));
            let s = s.as_ref().map_or(Vec3::ONE, |s| Vec3::from_array(s[i]));
            Mat4::from_scale_rotation_translation(s, Quat::from_vec4(q), t)
        })
        .collect())
}
