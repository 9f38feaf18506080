//! KHR_materials_ior: the index of refraction, which sets how much a dielectric reflects at
//! normal incidence ((ior − 1)² / (ior + 1)²; the default 1.5 gives the core 4 %).
use super::{Extension, ReadTexture, number};
use crate::scene::Material;

pub struct Ior;

impl Extension for Ior {
    fn name(&self) -> &'static str {
        "KHR_materials_ior"
    }
    fn material(&self, ext: &serde_json::Value, m: &mut Material, _: &ReadTexture) {
        // The spec allows 1 and above, and 0 (a reflectance of 1, for specular-glossiness
        // conversions); anything else is read as the default.
        let ior = number(ext, "ior", 1.5);
        m.ior = if ior == 0.0 || ior >= 1.0 { ior } else { 1.5 };
    }
}

#[cfg(test)]
mod tests {
    use crate::gltf::tests::material_from;

    #[test]
    fn reads_ior_into_the_reflectance_at_normal_incidence() {
        let m = material_from(r#"{"extensions":{"KHR_materials_ior":{"ior":1.0}}}"#, "KHR_materials_ior");
        assert_eq!((m.ior, m.dielectric_f0()), (1.0, [0.0; 3]));
        let water = material_from(r#"{"extensions":{"KHR_materials_ior":{"ior":1.33}}}"#, "KHR_materials_ior");
        assert!((water.dielectric_f0()[0] - 0.02006).abs() < 1e-4);
        let default = material_from(r#"{"extensions":{"KHR_materials_ior":{}}}"#, "KHR_materials_ior");
        assert!((default.dielectric_f0()[1] - 0.04).abs() < 1e-6);
        let bad = material_from(r#"{"extensions":{"KHR_materials_ior":{"ior":0.5}}}"#, "KHR_materials_ior");
        assert_eq!(bad.ior, 1.5);
    }
}
