//! The shaders' text: which variant of the PBR shader a primitive is drawn with, and that
//! variant's WGSL. Pure (no GPU), so every variant is checked natively with naga.
//!
//! Like three.js's `#define`s: a variant leaves out what a primitive does not have (vertex
//! streams, varyings, the alpha test) instead of branching over it. Where fragments and vertices
//! are shaded on the CPU (SwiftShader, low-end phones) each varying costs setup per triangle, and
//! a `discard` anywhere in a shader turns off early depth testing on many GPUs.

use crate::scene::{AlphaMode, Material};

mod source;
pub use source::{INSTANCES_PER_DRAW, MIP, SKY_VERTICES, preprocess, vertex_shader};
use source::DEFINES;
#[cfg(test)]
use source::PBR;

/// pbr.wgsl as the bundle carries it: without comments (build.rs), line for line.
const BARE_PBR: &str = include_str!(concat!(env!("OUT_DIR"), "/pbr.wgsl"));

/// What a primitive's shader reads beyond positions and normals, and how it treats alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Variant {
    /// Tangents, for a normal texture.
    pub tangent: bool,
    /// Texture coordinate sets 0 and 1, each only when some texture of the material uses it.
    pub uv0: bool,
    pub uv1: bool,
    /// COLOR_0 (else white).
    pub color: bool,
    /// Alpha mode MASK: the alpha test, the only `discard`.
    pub mask: bool,
    /// Alpha mode BLEND: the pipeline blends (the shader keeps alpha by the material's uniform,
    /// not by a define).
    pub blend: bool,
    /// Placed by instance: the draw's copies read their transforms from an array by instance
    /// index (set by the draw list, not the material).
    pub instanced: bool,
}

impl Variant {
    /// The variant for a primitive with the vertex streams `present` (in `Primitive::streams`
    /// order) drawn with `m`.
    pub fn of(present: [bool; 6], m: &Material) -> Variant {
        let slots = m.texture_slots();
        let uses = |set: u32| slots.iter().filter_map(|s| s.0).any(|t| t.tex_coord == set);
        Variant {
            tangent: present[2] && (m.normal_texture.is_some() || m.clearcoat_normal_texture.is_some()),
            uv0: present[3] && uses(0),
            uv1: present[4] && uses(1),
            color: present[5],
            mask: m.alpha_mode == AlphaMode::Mask,
            blend: m.alpha_mode == AlphaMode::Blend,
            instanced: false,
        }
    }

    /// Which vertex streams (`Primitive::streams` order, = buffer slots) the shader reads.
    pub fn streams(self) -> [bool; 6] {
        [true, true, self.tangent, self.uv0, self.uv1, self.color]
    }

    /// One bit per define, in `DEFINES` order (build.rs numbers the WebGL2 shaders so).
    pub fn bits(self) -> u32 {
        [self.tangent, self.uv0, self.uv1, self.color, self.mask, self.blend, self.instanced].iter().enumerate().map(|(i, &on)| u32::from(on) << i).sum()
    }

    pub fn from_bits(bits: u32) -> Variant {
        let b = |i: u32| bits & (1 << i) != 0;
        Variant { tangent: b(0), uv0: b(1), uv1: b(2), color: b(3), mask: b(4), blend: b(5), instanced: b(6) }
    }

    fn defines(self, name: &str) -> bool {
        DEFINES.iter().position(|d| *d == name).is_some_and(|i| self.bits() & (1 << i) != 0)
    }

    /// The WGSL of this variant (the sky's entry points are in every variant).
    pub fn source(self) -> String {
        source::pbr_from(BARE_PBR, |name| self.defines(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::TexRef;

    #[test]
    fn preprocess_keeps_branches_by_name_and_nesting() {
        let src = "a\n#if X\nx\n#if !Y\nnot y\n#else\ny\n#endif\n#else\nno x\n#endif\nz";
        let keep = |defs: &'static [&'static str]| {
            preprocess(src, |n| defs.contains(&n)).lines().filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
        };
        assert_eq!(keep(&[]), "a no x z");
        assert_eq!(keep(&["X"]), "a x not y z");
        assert_eq!(keep(&["X", "Y"]), "a x y z");
        assert_eq!(keep(&["Y"]), "a no x z");
        // Line numbers are kept.
        assert_eq!(preprocess(src, |_| false).lines().count(), src.lines().count());
    }

    #[test]
    fn vertex_shaders_are_numbered_by_their_defines_alone() {
        for n in 0..source::VERTEX_SHADERS {
            assert_eq!(vertex_shader(source::vertex_shader_bits(n)), n);
        }
        // Variants differing only in fragment defines (MASK, BLEND) share a vertex shader.
        for bits in 0..128 {
            assert_eq!(source::vertex_shader_bits(vertex_shader(bits)), bits & 0b100_1111, "{bits:b}");
        }
    }

    #[test]
    fn the_bundled_shader_is_the_file_without_comments_line_for_line() {
        assert_eq!(BARE_PBR.lines().count(), PBR.lines().count(), "compiler messages name the file's lines");
        assert!(!BARE_PBR.contains("//") && BARE_PBR.len() < PBR.len() * 3 / 4, "{} of {} bytes", BARE_PBR.len(), PBR.len());
        for (bare, line) in BARE_PBR.lines().zip(PBR.lines()) {
            assert!(line.contains(bare), "{bare:?} is not from {line:?}");
        }
    }

    #[test]
    fn every_name_the_shader_tests_is_a_variant_define() {
        let all = Variant { tangent: true, uv0: true, uv1: true, color: true, mask: true, blend: true, instanced: true };
        let names: Vec<&str> = PBR.lines().filter_map(|l| l.trim().strip_prefix("#if ")).map(|c| c.trim().trim_start_matches('!').trim()).collect();
        assert!(names.len() >= 6, "{names:?}");
        for name in names {
            assert!(all.defines(name), "pbr.wgsl tests {name:?}, which no variant defines");
        }
    }

    #[test]
    fn variant_reads_only_what_the_material_samples() {
        let tex = |set| Some(TexRef { texture: 0, tex_coord: set, transform: glam::Mat3::IDENTITY });
        let all = [true; 6];
        let plain = Material::default();
        assert_eq!(Variant::of(all, &plain), Variant { color: true, ..Default::default() });
        let m = Material { base_color_texture: tex(1), normal_texture: tex(0), alpha_mode: AlphaMode::Mask, ..Default::default() };
        assert_eq!(Variant::of(all, &m), Variant { tangent: true, uv0: true, uv1: true, color: true, mask: true, blend: false, instanced: false });
        // Every slot counts, the extensions' too: a specular colour texture alone reads its UVs.
        let specular = Material { specular_color_texture: tex(1), ..Default::default() };
        assert!(Variant::of(all, &specular).uv1 && !Variant::of(all, &specular).uv0);
        // A stream the primitive lacks is never read, whatever the material asks.
        let v = Variant::of([true, true, false, false, true, false], &m);
        assert_eq!(v.streams(), [true, true, false, false, true, false]);
    }

    /// The shader's vertex inputs are the stream table's: location = index, width = components.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn vertex_inputs_match_the_stream_table() {
        let src = Variant::from_bits(0b1111).source();
        let module = naga::front::wgsl::parse_str(&src).expect("parses");
        let vs = module.entry_points.iter().find(|e| e.name == "vs_main").expect("vs_main");
        let naga::TypeInner::Struct { members, .. } = &module.types[vs.function.arguments[0].ty].inner else { panic!("vs_main takes a struct") };
        let got: Vec<(u32, u32)> = members
            .iter()
            .map(|m| {
                let Some(naga::Binding::Location { location, .. }) = m.binding else { panic!("{:?} has no location", m.name) };
                let naga::TypeInner::Vector { size, .. } = module.types[m.ty].inner else { panic!("{:?} is not a vector", m.name) };
                (location, size as u32)
            })
            .collect();
        let want: Vec<(u32, u32)> = crate::scene::STREAMS.iter().enumerate().map(|(i, s)| (i as u32, s.components)).collect();
        assert_eq!(got, want);
    }

    /// Every variant parses and validates (naga, as wgpu's WebGL2 path and the browsers do).
    #[cfg(not(target_arch = "wasm32"))] // naga is a native dev-dependency
    #[test]
    fn every_variant_validates() {
        let mut validator = naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::empty());
        for bits in 0..128u32 {
            let v = Variant::from_bits(bits);
            assert_eq!(v.bits(), bits);
            let src = v.source();
            let module = naga::front::wgsl::parse_str(&src).unwrap_or_else(|e| panic!("{v:?}: {}", e.emit_to_string(&src)));
            validator.validate(&module).unwrap_or_else(|e| panic!("{v:?}: {}", e.emit_to_string(&src)));
            for entry in ["vs_main", "fs_main", "vs_sky", "fs_sky"] {
                assert!(module.entry_points.iter().any(|e| e.name == entry), "{v:?} lacks {entry}");
            }
        }
        let module = naga::front::wgsl::parse_str(MIP).expect("mip.wgsl parses");
        validator.validate(&module).expect("mip.wgsl validates");
    }
}
