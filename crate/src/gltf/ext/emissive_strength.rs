//! KHR_materials_emissive_strength: an HDR multiplier on the emissive colour.
use super::{Extension, number};
use crate::scene::Material;

pub struct EmissiveStrength;

impl Extension for EmissiveStrength {
    fn name(&self) -> &'static str {
        "KHR_materials_emissive_strength"
    }
    fn material(&self, ext: &serde_json::Value, m: &mut Material, _: &super::ReadTexture) {
        m.emissive_strength = number(ext, "emissiveStrength", 1.0).max(0.0);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_strength() {
        let m = crate::gltf::tests::material_from(
            r#"{"emissiveFactor":[1,0,0],"extensions":{"KHR_materials_emissive_strength":{"emissiveStrength":4.5}}}"#,
            "KHR_materials_emissive_strength",
        );
        assert_eq!(m.emissive_strength, 4.5);
    }
}
