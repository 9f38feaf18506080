//! KHR_texture_transform: offset, rotation and scale of a texture slot's UVs, and an optional
//! override of the UV set.
use glam::{Mat3, Vec3};

use super::{Extension, number};
use crate::scene::TexRef;

pub struct TextureTransform;

impl Extension for TextureTransform {
    fn name(&self) -> &'static str {
        "KHR_texture_transform"
    }
    fn texture_info(&self, ext: &serde_json::Value, tex: &mut TexRef) {
        let pair = |key: &str, default: f32| -> [f32; 2] {
            match ext.get(key).and_then(|v| v.as_array()) {
                Some(a) if a.len() == 2 => [0, 1].map(|i| a[i].as_f64().map_or(default, |x| x as f32)),
                _ => [default; 2],
            }
        };
        let [ox, oy] = pair("offset", 0.0);
        let [sx, sy] = pair("scale", 1.0);
        let (s, c) = number(ext, "rotation", 0.0).sin_cos();
        // T * R * S. The rotation turns UVs so that the image turns clockwise as the spec says:
        // TextureTransformTest's reference render is the judge (its red marker flags the
        // opposite direction, which the column-major reading of the spec's GLSL gives).
        let translation = Mat3::from_cols(Vec3::X, Vec3::Y, Vec3::new(ox, oy, 1.0));
        let rotation = Mat3::from_cols(Vec3::new(c, -s, 0.0), Vec3::new(s, c, 0.0), Vec3::Z);
        let scale = Mat3::from_diagonal(Vec3::new(sx, sy, 1.0));
        tex.transform = translation * rotation * scale;
        if let Some(set) = ext.get("texCoord").and_then(|v| v.as_u64()) {
            tex.tex_coord = set.min(1) as u32;
        }
    }
}

#[cfg(test)]
mod tests {
    use glam::Vec2;

    #[test]
    fn applies_offset_rotation_scale_in_spec_order() {
        let m = crate::gltf::tests::material_from(
            r#"{"pbrMetallicRoughness":{"baseColorTexture":{"index":0,"extensions":{"KHR_texture_transform":
                {"offset":[0.5,0],"rotation":1.5707963,"scale":[2,2],"texCoord":1}}}}}"#,
            "KHR_texture_transform",
        );
        let t = m.base_color_texture.unwrap();
        assert_eq!(t.tex_coord, 1);
        // (1,0) scaled to (2,0), rotated a quarter turn to (0,-2), then offset by (0.5,0).
        let uv = t.transform.transform_point2(Vec2::new(1.0, 0.0));
        assert!((uv - Vec2::new(0.5, -2.0)).length() < 1e-5, "{uv}");
    }
}
