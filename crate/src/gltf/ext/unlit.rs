//! KHR_materials_unlit: base colour only, no lighting.
use super::Extension;
use crate::scene::Material;

pub struct Unlit;

impl Extension for Unlit {
    fn name(&self) -> &'static str {
        "KHR_materials_unlit"
    }
    fn material(&self, _ext: &serde_json::Value, m: &mut Material, _: &super::ReadTexture) {
        m.unlit = true;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn marks_material_unlit() {
        let m = crate::gltf::tests::material_from(r#"{"extensions":{"KHR_materials_unlit":{}}}"#, "KHR_materials_unlit");
        assert!(m.unlit);
    }
}
