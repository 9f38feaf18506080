//! KHR_materials_transmission: how much light passes through a thin dielectric surface (glass
//! panes, water films, thin plastic) instead of being diffused: `transmissionFactor` × the red
//! channel of `transmissionTexture`. Drawn through the environment (what lies behind along the
//! view, blurred by the surface's roughness as its IOR bends light through the microfacets);
//! other objects behind it are not seen through it (no screen-space refraction).
use super::{Extension, ReadTexture, number};
use crate::scene::Material;

pub struct Transmission;

impl Extension for Transmission {
    fn name(&self) -> &'static str {
        "KHR_materials_transmission"
    }
    fn material(&self, ext: &serde_json::Value, m: &mut Material, texture: &ReadTexture) {
        m.transmission = number(ext, "transmissionFactor", 0.0).clamp(0.0, 1.0);
        m.transmission_texture = ext.get("transmissionTexture").and_then(texture);
    }
}

#[cfg(test)]
mod tests {
    use crate::gltf::tests::material_from;

    #[test]
    fn reads_factor_and_texture() {
        let m = material_from(r#"{"extensions":{"KHR_materials_transmission":{"transmissionFactor":0.8,"transmissionTexture":{"index":0}}}}"#, "KHR_materials_transmission");
        assert_eq!(m.transmission, 0.8);
        assert!(m.transmission_texture.is_some());
        let m = material_from(r#"{"extensions":{"KHR_materials_transmission":{"transmissionFactor":7}}}"#, "KHR_materials_transmission");
        assert_eq!((m.transmission, m.transmission_texture), (1.0, None), "clamped to 1");
        let m = material_from(r#"{"extensions":{"KHR_materials_transmission":{}}}"#, "KHR_materials_transmission");
        assert_eq!(m.transmission, 0.0, "none unless the factor asks");
    }
}
