//! KHR_materials_clearcoat: a clear, smooth dielectric coat (IOR 1.5) over the material, as on
//! lacquered wood, varnish or car paint: its strength (`clearcoatFactor` × the red channel of
//! `clearcoatTexture`), its roughness (`clearcoatRoughnessFactor` × the green channel of
//! `clearcoatRoughnessTexture`), and its own normal map (`clearcoatNormalTexture`; without one
//! the coat follows the geometry, not the base layer's normal map).
use super::{Extension, ReadTexture, number};
use crate::gltf::doc::Extensions;
use crate::scene::Material;

pub struct Clearcoat;

const NAME: &str = "KHR_materials_clearcoat";

impl Extension for Clearcoat {
    fn name(&self) -> &'static str {
        NAME
    }
    fn material(&self, ext: &serde_json::Value, m: &mut Material, texture: &ReadTexture) {
        m.clearcoat = number(ext, "clearcoatFactor", 0.0).clamp(0.0, 1.0);
        m.clearcoat_texture = ext.get("clearcoatTexture").and_then(texture);
        m.clearcoat_roughness = number(ext, "clearcoatRoughnessFactor", 0.0).clamp(0.0, 1.0);
        m.clearcoat_roughness_texture = ext.get("clearcoatRoughnessTexture").and_then(texture);
        let normal = ext.get("clearcoatNormalTexture");
        m.clearcoat_normal_texture = normal.and_then(texture);
        m.clearcoat_normal_scale = normal.map_or(1.0, |n| number(n, "scale", 1.0));
    }
}

/// The UV set of a material's clear-coat normal map, if it has one: its primitives need tangents.
pub fn normal_tex_coord(extensions: &Extensions) -> Option<u32> {
    let t = extensions.as_ref()?.get(NAME)?.get("clearcoatNormalTexture")?;
    Some(t.get("texCoord").and_then(serde_json::Value::as_u64).map_or(0, |c| u32::from(c == 1)))
}

#[cfg(test)]
mod tests {
    use crate::gltf::tests::material_from;

    #[test]
    fn reads_the_coat() {
        let m = material_from(
            r#"{"extensions":{"KHR_materials_clearcoat":{"clearcoatFactor":1,"clearcoatRoughnessFactor":0.03,
                "clearcoatTexture":{"index":0},"clearcoatNormalTexture":{"index":0,"scale":0.5}}}}"#,
            "KHR_materials_clearcoat",
        );
        assert_eq!((m.clearcoat, m.clearcoat_roughness, m.clearcoat_normal_scale), (1.0, 0.03, 0.5));
        assert!(m.clearcoat_texture.is_some() && m.clearcoat_normal_texture.is_some() && m.clearcoat_roughness_texture.is_none());
        // No coat unless the factor asks for one.
        let m = material_from(r#"{"extensions":{"KHR_materials_clearcoat":{"clearcoatTexture":{"index":0}}}}"#, "KHR_materials_clearcoat");
        assert_eq!(m.clearcoat, 0.0);
    }
}
