//! glTF materials and textures → scene materials, with extension units applied.

use super::doc::{self, Document, Extensions, TextureInfo};
use super::ext;
use crate::scene::{Image, Material, Sampler, TexRef, Texture, Wrap};

pub fn textures(doc: &Document, images: &[Image]) -> Vec<Option<Texture>> {
    doc.textures
        .iter()
        .map(|t| {
            // `source` may be absent when an extension (e.g. KHR_texture_basisu) carries the image.
            let image = t.source?;
            let usable = images.get(image).is_some_and(|i| !i.mime.is_empty());
            usable.then(|| Texture { image, sampler: t.sampler.map_or_else(Sampler::default, |s| sampler(&doc.samplers[s])) })
        })
        .collect()
}

/// The sampler's WebGL codes (checked when read) as filters and wraps.
fn sampler(s: &doc::Sampler) -> Sampler {
    let wrap = |w| match w {
        33648 => Wrap::MirroredRepeat,
        33071 => Wrap::ClampToEdge,
        _ => Wrap::Repeat,
    };
    let d = Sampler::default();
    let (min_linear, mipmap) = match s.min {
        Some(9728) => (false, None),
        Some(9729) => (true, None),
        Some(9984) => (false, Some(false)),
        Some(9985) => (true, Some(false)),
        Some(9986) => (false, Some(true)),
        Some(9987) => (true, Some(true)),
        _ => (d.min_linear, d.mipmap),
    };
    Sampler { mag_linear: s.mag != Some(9728), min_linear, mipmap, wrap_s: wrap(s.wrap_s), wrap_t: wrap(s.wrap_t) }
}

/// A texture slot, or None when the texture is unusable (its image was skipped).
fn slot(
    textures: &[Option<Texture>],
    index: usize,
    tex_coord: u32,
    extensions: &Extensions,
) -> Option<TexRef> {
    textures.get(index)?.as_ref()?;
    let mut t = TexRef::new(index, tex_coord.min(1));
    ext::apply_texture_info(extensions.as_ref(), &mut t);
    Some(t)
}

pub fn material(m: &doc::Material, textures: &[Option<Texture>]) -> Material {
    let info = |i: &Option<TextureInfo>| i.as_ref().and_then(|i| slot(textures, i.texture, i.tex_coord, &i.extensions));
    let mut out = Material {
        name: m.name.clone(),
        base_color: m.base_color,
        base_color_texture: info(&m.base_color_texture),
        metallic: m.metallic,
        roughness: m.roughness,
        metallic_roughness_texture: info(&m.metallic_roughness_texture),
        normal_texture: info(&m.normal_texture),
        normal_scale: m.normal_texture.as_ref().map_or(1.0, |n| n.amount),
        occlusion_texture: info(&m.occlusion_texture),
        occlusion_strength: m.occlusion_texture.as_ref().map_or(1.0, |o| o.amount),
        emissive: m.emissive,
        emissive_texture: info(&m.emissive_texture),
        emissive_strength: 1.0,
        alpha_mode: m.alpha_mode,
        alpha_cutoff: m.alpha_cutoff,
        double_sided: m.double_sided,
        ..Material::default()
    };
    // A textureInfo inside a material extension (KHR_materials_specular's textures).
    let texture = |v: &serde_json::Value| {
        let index = usize::try_from(v.get("index")?.as_u64()?).ok()?;
        let tex_coord = v.get("texCoord").map_or(Some(0), serde_json::Value::as_u64)?;
        let extensions = v.get("extensions").and_then(serde_json::Value::as_object).cloned();
        slot(textures, index, u32::try_from(tex_coord).unwrap_or(u32::MAX), &extensions)
    };
    ext::apply_material(m.extensions.as_ref(), &mut out, &texture);
    out
}
