//! KHR_materials_specular: a dielectric's specular strength (`specularFactor`, times the alpha
//! of `specularTexture`), at every angle, and the colour of its reflectance at normal incidence
//! (`specularColorFactor`, times the sRGB `specularColorTexture`), in the metal-rough workflow.
use super::{Extension, ReadTexture, number};
use crate::scene::Material;

pub struct Specular;

impl Extension for Specular {
    fn name(&self) -> &'static str {
        "KHR_materials_specular"
    }
    fn material(&self, ext: &serde_json::Value, m: &mut Material, texture: &ReadTexture) {
        m.specular = number(ext, "specularFactor", 1.0).max(0.0);
        // Colour factors above 1 are allowed (they lift a low IOR's reflectance); the shader
        // clamps the product to 1.
        if let Some(c) = ext.get("specularColorFactor").and_then(serde_json::Value::as_array).filter(|c| c.len() == 3) {
            m.specular_color = std::array::from_fn(|i| c[i].as_f64().map_or(1.0, |x| x.max(0.0) as f32));
        }
        m.specular_texture = ext.get("specularTexture").and_then(texture);
        m.specular_color_texture = ext.get("specularColorTexture").and_then(texture);
    }
}

#[cfg(test)]
mod tests {
    use crate::gltf::tests::material_from;

    #[test]
    fn reads_factors_and_textures() {
        let m = material_from(
            r#"{"extensions":{"KHR_materials_specular":{"specularFactor":0.25,"specularColorFactor":[25,1,0],
                "specularTexture":{"index":0},"specularColorTexture":{"index":0,"texCoord":1}}}}"#,
            "KHR_materials_specular",
        );
        assert_eq!((m.specular, m.specular_color), (0.25, [25.0, 1.0, 0.0]));
        assert_eq!(m.specular_texture.map(|t| (t.texture, t.tex_coord)), Some((0, 0)));
        assert_eq!(m.specular_color_texture.map(|t| (t.texture, t.tex_coord)), Some((0, 1)));
        // The IOR's 4 % times the colour (the shader clamps after the texture).
        assert!((m.dielectric_f0()[0] - 1.0).abs() < 1e-5 && m.dielectric_f0()[2] == 0.0);
        // A texture index past the file's textures is no texture.
        let m = material_from(r#"{"extensions":{"KHR_materials_specular":{"specularTexture":{"index":9}}}}"#, "KHR_materials_specular");
        assert_eq!((m.specular, m.specular_texture), (1.0, None));
    }
}
