//! glTF materials and textures → scene materials, with extension units applied.

use gltf::texture::{MagFilter, MinFilter, WrappingMode};

use super::ext;
use crate::scene::{AlphaMode, Image, Material, Sampler, TexRef, Texture, Wrap};

pub fn textures(doc: &gltf::Document, images: &[Image]) -> Vec<Option<Texture>> {
    doc.textures()
        .map(|t| {
            // `source` may be absent when an extension (e.g. KHR_texture_basisu) carries the image.
            let image = t.source()?.index();
            let usable = images.get(image).is_some_and(|i| !i.mime.is_empty());
            usable.then(|| Texture { image, sampler: sampler(&t.sampler()) })
        })
        .collect()
}

fn sampler(s: &gltf::texture::Sampler) -> Sampler {
    let wrap = |w| match w {
        WrappingMode::Repeat => Wrap::Repeat,
        WrappingMode::MirroredRepeat => Wrap::MirroredRepeat,
        WrappingMode::ClampToEdge => Wrap::ClampToEdge,
    };
    let d = Sampler::default();
    let (min_linear, mipmap) = match s.min_filter() {
        None => (d.min_linear, d.mipmap),
        Some(MinFilter::Nearest) => (false, None),
        Some(MinFilter::Linear) => (true, None),
        Some(MinFilter::NearestMipmapNearest) => (false, Some(false)),
        Some(MinFilter::LinearMipmapNearest) => (true, Some(false)),
        Some(MinFilter::NearestMipmapLinear) => (false, Some(true)),
        Some(MinFilter::LinearMipmapLinear) => (true, Some(true)),
    };
    Sampler { mag_linear: s.mag_filter() != Some(MagFilter::Nearest), min_linear, mipmap, wrap_s: wrap(s.wrap_s()), wrap_t: wrap(s.wrap_t()) }
}

/// A texture slot, or None when the texture is unusable (its image was skipped).
fn slot(
    textures: &[Option<Texture>],
    index: usize,
    tex_coord: u32,
    extensions: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Option<TexRef> {
    textures.get(index)?.as_ref()?;
    let mut t = TexRef::new(index, tex_coord.min(1));
    ext::apply_texture_info(extensions, &mut t);
    Some(t)
}

pub fn material(m: &gltf::Material, textures: &[Option<Texture>]) -> Material {
    let pbr = m.pbr_metallic_roughness();
    let info = |i: Option<gltf::texture::Info>| i.and_then(|i| slot(textures, i.texture().index(), i.tex_coord(), i.extensions()));
    let mut out = Material {
        name: m.name().map(str::to_owned),
        base_color: pbr.base_color_factor(),
        base_color_texture: info(pbr.base_color_texture()),
        metallic: pbr.metallic_factor(),
        roughness: pbr.roughness_factor(),
        metallic_roughness_texture: info(pbr.metallic_roughness_texture()),
        normal_texture: m.normal_texture().and_then(|n| slot(textures, n.texture().index(), n.tex_coord(), n.extensions())),
        normal_scale: m.normal_texture().map_or(1.0, |n| n.scale()),
        occlusion_texture: m.occlusion_texture().and_then(|o| slot(textures, o.texture().index(), o.tex_coord(), o.extensions())),
        occlusion_strength: m.occlusion_texture().map_or(1.0, |o| o.strength()),
        emissive: m.emissive_factor(),
        emissive_texture: info(m.emissive_texture()),
        emissive_strength: 1.0,
        alpha_mode: match m.alpha_mode() {
            gltf::material::AlphaMode::Opaque => AlphaMode::Opaque,
            gltf::material::AlphaMode::Mask => AlphaMode::Mask,
            gltf::material::AlphaMode::Blend => AlphaMode::Blend,
        },
        alpha_cutoff: m.alpha_cutoff().unwrap_or(0.5),
        double_sided: m.double_sided(),
        unlit: false,
    };
    ext::apply_material(m.extensions(), &mut out);
    out
}
