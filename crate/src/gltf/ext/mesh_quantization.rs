//! KHR_mesh_quantization: integer vertex attributes. The accessor reader already decodes every
//! component type (normalised or not) to f32, so this unit only declares support.
use super::Extension;

pub struct MeshQuantization;

impl Extension for MeshQuantization {
    fn name(&self) -> &'static str {
        "KHR_mesh_quantization"
    }
}
