//! KHR_materials_sheen: a layer of fibres over the material, as on velvet, cloth and fabric
//! hangings: the colour it reflects (`sheenColorFactor` × the sRGB `sheenColorTexture`; black,
//! the default, is no sheen) and its roughness (`sheenRoughnessFactor` × the alpha of
//! `sheenRoughnessTexture`). Shaded with the Charlie distribution (pbr.wgsl).
use super::{Extension, ReadTexture, number};
use crate::scene::Material;

pub struct Sheen;

impl Extension for Sheen {
    fn name(&self) -> &'static str {
        "KHR_materials_sheen"
    }
    fn material(&self, ext: &serde_json::Value, m: &mut Material, texture: &ReadTexture) {
        if let Some(c) = ext.get("sheenColorFactor").and_then(serde_json::Value::as_array).filter(|c| c.len() == 3) {
            m.sheen_color = std::array::from_fn(|i| c[i].as_f64().map_or(0.0, |x| x.clamp(0.0, 1.0) as f32));
        }
        m.sheen_color_texture = ext.get("sheenColorTexture").and_then(texture);
        m.sheen_roughness = number(ext, "sheenRoughnessFactor", 0.0).clamp(0.0, 1.0);
        m.sheen_roughness_texture = ext.get("sheenRoughnessTexture").and_then(texture);
    }
}

#[cfg(test)]
mod tests {
    use crate::gltf::tests::material_from;

    #[test]
    fn reads_colour_roughness_and_textures() {
        let m = material_from(
            r#"{"extensions":{"KHR_materials_sheen":{"sheenColorFactor":[1,0.5,2],"sheenRoughnessFactor":0.3,
                "sheenColorTexture":{"index":0},"sheenRoughnessTexture":{"index":0,"texCoord":1}}}}"#,
            "KHR_materials_sheen",
        );
        // Colours are clamped to [0, 1], as the schema bounds them.
        assert_eq!((m.sheen_color, m.sheen_roughness), ([1.0, 0.5, 1.0], 0.3));
        assert_eq!(m.sheen_color_texture.map(|t| (t.texture, t.tex_coord)), Some((0, 0)));
        assert_eq!(m.sheen_roughness_texture.map(|t| (t.texture, t.tex_coord)), Some((0, 1)));
        // Without factors: black, no sheen at all.
        let m = material_from(r#"{"extensions":{"KHR_materials_sheen":{"sheenColorFactor":"red"}}}"#, "KHR_materials_sheen");
        assert_eq!((m.sheen_color, m.sheen_roughness, m.sheen_color_texture), ([0.0; 3], 0.0, None));
    }
}
