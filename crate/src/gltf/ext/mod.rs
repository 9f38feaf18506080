//! glTF extensions: one small unit per extension behind one trait, listed once in [`SUPPORTED`].
//! Adding an extension means adding its file and one line to that list.

pub mod clearcoat;
pub mod draco;
mod emissive_strength;
mod ior;
pub mod mesh_gpu_instancing;
mod mesh_quantization;
pub mod meshopt;
mod sheen;
mod specular;
mod texture_basisu;
mod texture_transform;
mod texture_webp;
mod transmission;
mod unlit;

use serde_json::Value;

use crate::gltf::doc::Compression;
use crate::scene::{Material, TexRef};

/// Reads a textureInfo found inside a material extension (None where its texture is unusable).
pub type ReadTexture<'a> = dyn Fn(&Value) -> Option<TexRef> + 'a;

pub trait Extension: Sync {
    /// The extension's name as it appears in `extensionsUsed`.
    fn name(&self) -> &'static str;
    /// Reads the extension object found on a material; `texture` reads a textureInfo in it.
    fn material(&self, _ext: &Value, _material: &mut Material, _texture: &ReadTexture) {}
    /// Reads the extension object found on a textureInfo (any of the five slots).
    fn texture_info(&self, _ext: &Value, _tex: &mut TexRef) {}
    /// Reads the extension object found on a bufferView whose bytes it makes.
    fn buffer_view(&self, _ext: &Value) -> Option<Result<Compression, String>> {
        None
    }
    /// Reads the extension object found on a texture that names an image of its own.
    fn texture_source(&self, _ext: &Value) -> Option<Result<usize, String>> {
        None
    }
    /// Reads the extension object found on a mesh primitive whose data it carries.
    fn primitive(&self, _ext: &Value) -> Option<Result<draco::DracoPrimitive, String>> {
        None
    }
    /// Reads the extension object found on a node that draws its mesh several times.
    fn node(&self, _ext: &Value) -> Option<Result<mesh_gpu_instancing::Instancing, String>> {
        None
    }
}

pub static SUPPORTED: &[&dyn Extension] = &[
    &unlit::Unlit,
    &emissive_strength::EmissiveStrength,
    &ior::Ior,
    &specular::Specular,
    &clearcoat::Clearcoat,
    &sheen::Sheen,
    &transmission::Transmission,
    &texture_transform::TextureTransform,
    &mesh_quantization::MeshQuantization,
    &meshopt::EXT,
    &meshopt::KHR,
    &mesh_gpu_instancing::MeshGpuInstancing,
    &draco::Draco,
    // After WebP: where a texture names both, the browser decodes WebP with no module to fetch.
    &texture_webp::TextureWebp,
    &texture_basisu::TextureBasisu,
];

pub fn is_supported(name: &str) -> bool {
    SUPPORTED.iter().any(|e| e.name() == name)
}

/// Runs every supported extension present in `extensions` against the material.
pub fn apply_material(extensions: Option<&serde_json::Map<String, Value>>, material: &mut Material, texture: &ReadTexture) {
    for (ext, value) in present(extensions) {
        ext.material(value, material, texture);
    }
}

pub fn apply_texture_info(extensions: Option<&serde_json::Map<String, Value>>, tex: &mut TexRef) {
    for (ext, value) in present(extensions) {
        ext.texture_info(value, tex);
    }
}

/// The first supported extension in `extensions` whose `hook` (one of the Extension methods that
/// read an object: buffer_view, texture_source, primitive, node) claims it: (its name, what it read).
pub fn find<T>(extensions: Option<&serde_json::Map<String, Value>>, hook: impl Fn(&dyn Extension, &Value) -> Option<Result<T, String>>) -> Option<(&'static str, Result<T, String>)> {
    present(extensions).find_map(|(ext, value)| Some((ext.name(), hook(ext, value)?)))
}

fn present(extensions: Option<&serde_json::Map<String, Value>>) -> impl Iterator<Item = (&'static dyn Extension, &Value)> {
    SUPPORTED.iter().filter_map(move |e| Some((*e, extensions?.get(e.name())?)))
}

/// The image index an extension on a texture names in its `source` (EXT_texture_webp,
/// KHR_texture_basisu).
fn image_source(ext: &Value) -> Option<Result<usize, String>> {
    let source = ext.get("source")?;
    Some(source.as_u64().and_then(|s| usize::try_from(s).ok()).ok_or_else(|| format!("source: {} is not an image index", crate::error::Shown(source))))
}

/// Reads one number field, falling back to the spec default when absent or not a number.
pub(crate) fn number(v: &Value, key: &str, default: f32) -> f32 {
    v.get(key).and_then(Value::as_f64).map_or(default, |x| x as f32)
}
