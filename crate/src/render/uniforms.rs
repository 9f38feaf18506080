//! The shader's uniform blocks as Rust structs, and how scene data fills them. Shared by both
//! backends (WebGPU binds them as uniform buffers; WebGL2 as std140 uniform blocks, whose layout
//! is the same for these vec4-aligned structs). A native test checks every field's offset
//! against the WGSL structs of the same names.

use bytemuck::{Pod, Zeroable};
use glam::{Mat4, Vec3};

use super::lights::Lights;
use crate::scene::{Material, TEXTURE_SLOTS, TexRef};

/// `Globals` in pbr.wgsl: the camera and the light, once per frame.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Debug)]
pub struct GlobalsU {
    pub view_proj: [[f32; 4]; 4],
    pub inv_view_proj: [[f32; 4]; 4],
    pub eye: [f32; 4],
    pub sun_dir: [f32; 4],
    pub sun_color: [f32; 4],
    pub sky_zenith: [f32; 4],
    pub sky_horizon: [f32; 4],
    pub ground: [f32; 4],
    pub output: [f32; 4],
    pub env: [f32; 4],
    pub sh: [[f32; 4]; 9],
}

impl GlobalsU {
    /// `encode_srgb`: the target is not an sRGB format, so the shader encodes its output.
    /// `depth`: the contact shadow's pass, which writes depth (crate::shadow).
    pub fn new(view_proj: Mat4, eye: Vec3, exposure: f32, lights: &Lights, encode_srgb: bool, depth: bool) -> GlobalsU {
        let env = &lights.environment;
        let sun = if lights.sun() { env.sun } else { [0.0; 3] };
        let maps = lights.lighting();
        GlobalsU {
            view_proj: view_proj.to_cols_array_2d(),
            inv_view_proj: view_proj.inverse().to_cols_array_2d(),
            eye: eye.extend(1.0).to_array(),
            sun_dir: env.sun_dir.normalize().extend(0.0).to_array(),
            sun_color: [sun[0], sun[1], sun[2], exposure],
            sky_zenith: [env.zenith[0], env.zenith[1], env.zenith[2], 0.0],
            sky_horizon: [env.horizon[0], env.horizon[1], env.horizon[2], 0.0],
            ground: [env.ground[0], env.ground[1], env.ground[2], 0.0],
            output: [if encode_srgb { 1.0 } else { 0.0 }, if depth { 1.0 } else { 0.0 }, 0.0, 0.0],
            env: [maps.max_lod(), if lights.skybox().is_some() { 1.0 } else { 0.0 }, 0.0, 0.0],
            sh: maps.sh,
        }
    }
}

/// `Object` in pbr.wgsl: one placed mesh.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Debug)]
pub struct ObjectU {
    pub model: [[f32; 4]; 4],
    pub normal: [[f32; 4]; 4],
}

impl ObjectU {
    pub fn new(world: Mat4) -> ObjectU {
        ObjectU { model: world.to_cols_array_2d(), normal: world.inverse().transpose().to_cols_array_2d() }
    }
}

/// `Slot` in pbr.wgsl: one material texture slot.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Debug)]
pub struct SlotU {
    pub info: [f32; 4],
    pub r0: [f32; 4],
    pub r1: [f32; 4],
}

/// `MaterialU` in pbr.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Debug)]
pub struct MaterialU {
    pub base_color: [f32; 4],
    pub emissive: [f32; 4],
    pub mr: [f32; 4],
    pub alpha: [f32; 4],
    /// A dielectric's reflectance at normal incidence (rgb, before its colour texture) and its
    /// specular strength (KHR_materials_ior, KHR_materials_specular).
    pub specular: [f32; 4],
    /// KHR_materials_clearcoat: strength, roughness, normal scale, _.
    pub clearcoat: [f32; 4],
    /// KHR_materials_transmission: its share, and the IOR that blurs it, _, _.
    pub transmission: [f32; 4],
    /// KHR_materials_sheen: colour (rgb), roughness.
    pub sheen: [f32; 4],
    pub slots: [SlotU; TEXTURE_SLOTS],
}

impl MaterialU {
    /// `bound`: per slot (`Material::texture_slots` order), the texture reference where a
    /// texture is actually bound (its image decoded); an empty slot is not sampled.
    pub fn new(m: &Material, bound: [Option<&TexRef>; TEXTURE_SLOTS]) -> MaterialU {
        let slots = bound.map(|b| match b {
            Some(s) => {
                let c = s.transform.to_cols_array_2d();
                SlotU { info: [s.tex_coord as f32, 1.0, 0.0, 0.0], r0: [c[0][0], c[1][0], c[2][0], 0.0], r1: [c[0][1], c[1][1], c[2][1], 0.0] }
            }
            None => SlotU { info: [0.0; 4], r0: [1.0, 0.0, 0.0, 0.0], r1: [0.0, 1.0, 0.0, 0.0] },
        });
        let e = m.emissive_strength;
        MaterialU {
            base_color: m.base_color,
            emissive: [m.emissive[0] * e, m.emissive[1] * e, m.emissive[2] * e, 0.0],
            mr: [m.metallic, m.roughness, m.normal_scale, m.occlusion_strength],
            // MASK is the shader variant's (its `discard`); BLEND only keeps alpha.
            alpha: [m.alpha_cutoff, if m.alpha_mode == crate::scene::AlphaMode::Blend { 1.0 } else { 0.0 }, if m.unlit { 1.0 } else { 0.0 }, 0.0],
            specular: { let [r, g, b] = m.dielectric_f0(); [r, g, b, m.specular] },
            clearcoat: [m.clearcoat, m.clearcoat_roughness, m.clearcoat_normal_scale, 0.0],
            transmission: [m.transmission, m.ior, 0.0, 0.0],
            sheen: { let [r, g, b] = m.sheen_color; [r, g, b, m.sheen_roughness] },
            slots,
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))] // naga is a native dev-dependency
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    /// (field, offset) of a WGSL struct and its size, as naga lays it out for a uniform buffer.
    fn wgsl_struct(module: &naga::Module, name: &str) -> (Vec<(String, u32)>, u32) {
        let ty = module.types.iter().find(|(_, t)| t.name.as_deref() == Some(name)).unwrap_or_else(|| panic!("pbr.wgsl has no struct {name}")).1;
        match &ty.inner {
            naga::TypeInner::Struct { members, span } => (members.iter().map(|m| (m.name.clone().unwrap_or_default(), m.offset)).collect(), *span),
            other => panic!("{name} is {other:?}"),
        }
    }

    #[test]
    fn rust_uniform_layouts_match_the_wgsl_structs() {
        let src = crate::shader::Variant::default().source();
        let module = naga::front::wgsl::parse_str(&src).expect("pbr.wgsl parses");
        macro_rules! same {
            ($wgsl:literal, $rust:ty, [$($field:ident),*]) => {{
                let (fields, span) = wgsl_struct(&module, $wgsl);
                let rust: Vec<(String, u32)> = vec![$((stringify!($field).to_string(), offset_of!($rust, $field) as u32)),*];
                assert_eq!(fields, rust, "{} fields and offsets", $wgsl);
                assert_eq!(span as usize, size_of::<$rust>(), "{} size", $wgsl);
            }};
        }
        same!("Globals", GlobalsU, [view_proj, inv_view_proj, eye, sun_dir, sun_color, sky_zenith, sky_horizon, ground, output, env, sh]);
        same!("Object", ObjectU, [model, normal]);
        same!("Slot", SlotU, [info, r0, r1]);
        same!("MaterialU", MaterialU, [base_color, emissive, mr, alpha, specular, clearcoat, transmission, sheen, slots]);
    }

    #[test]
    fn an_empty_slot_is_not_sampled_and_a_bound_one_carries_its_transform() {
        let t = TexRef { texture: 0, tex_coord: 1, transform: glam::Mat3::from_translation(glam::Vec2::new(0.5, 0.25)) };
        let m = Material { emissive: [1.0, 0.5, 0.0], emissive_strength: 2.0, ..Default::default() };
        let u = MaterialU::new(&m, std::array::from_fn(|i| (i == 0).then_some(&t)));
        assert_eq!(u.slots[0].info, [1.0, 1.0, 0.0, 0.0]);
        assert_eq!((u.slots[0].r0[2], u.slots[0].r1[2]), (0.5, 0.25));
        assert_eq!(u.slots[1].info[1], 0.0);
        assert_eq!(u.emissive, [2.0, 1.0, 0.0, 0.0]);
        // Only a blended material keeps its alpha.
        assert_eq!(u.alpha[1], 0.0);
        let blended = Material { alpha_mode: crate::scene::AlphaMode::Blend, ..Default::default() };
        assert_eq!(MaterialU::new(&blended, Default::default()).alpha[1], 1.0);
        // The core material reflects 4 % at normal incidence, at full specular strength.
        assert!(u.specular.iter().zip([0.04, 0.04, 0.04, 1.0]).all(|(a, b)| (a - b).abs() < 1e-6), "{:?}", u.specular);
    }
}
