//! The WebGL2 shaders: GLSL ES 3.00 that build.rs translated from pbr.wgsl with naga, one per
//! variant, kept as a table of distinct lines (see build.rs). Pure: tested natively.

use crate::shader::Variant;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/glsl.rs"));
}

pub use generated::{BLOCKS, SAMPLERS};

fn join(lines: &[u16]) -> String {
    let table: Vec<&str> = generated::LINES.split('\n').collect();
    let mut out = String::with_capacity(lines.len() * 40);
    for &l in lines {
        out.push_str(table.get(usize::from(l)).copied().unwrap_or(""));
        out.push('\n');
    }
    out
}

/// (vertex, fragment) GLSL of a variant's PBR program.
pub fn pbr(v: Variant) -> (String, String) {
    let bits = v.bits();
    (join(generated::VERTEX[crate::shader::vertex_shader(bits) as usize]), join(generated::FRAGMENT[bits as usize & 31]))
}

/// (vertex, fragment) GLSL of the sky dome.
pub fn sky() -> (String, String) {
    (join(generated::SKY_VERTEX), join(generated::SKY_FRAGMENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_glsl_with_its_inputs_and_bindings() {
        for bits in 0..128 {
            let v = Variant::from_bits(bits);
            let (vs, fs) = pbr(v);
            // Instanced ones index the copies by instance (naga adds a first instance of 0).
            assert_eq!(vs.contains("gl_InstanceID"), v.instanced, "{v:?}");
            assert!(vs.starts_with("#version 300 es") && fs.starts_with("#version 300 es"), "{v:?}");
            // The vertex shader reads the streams the variant reads, at their locations.
            for (i, read) in v.streams().iter().enumerate() {
                assert_eq!(vs.contains(&format!("layout(location = {i}) in ")), *read, "{v:?} stream {i}");
            }
            // The alpha test only where MASK asks for it.
            assert_eq!(fs.contains("discard"), v.mask, "{v:?}");
            // naga's per-variant temporaries (`_e123`) are renamed after what they hold (build.rs),
            // so that lines the variants share are stored once.
            let naga_temporary = |w: &str| w.len() > 2 && w.starts_with("_e") && w[2..].bytes().all(|b| b.is_ascii_digit());
            assert!(!vs.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).chain(fs.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))).any(naga_temporary), "{v:?}");
            // Each uniform block and sampler the shader declares has a binding.
            for line in vs.lines().chain(fs.lines()) {
                if let Some(rest) = line.strip_prefix("layout(std140) uniform ") {
                    let name = rest.split_whitespace().next().unwrap_or_default();
                    assert!(BLOCKS.iter().any(|(n, _)| *n == name), "{v:?}: block {name} unbound");
                }
                if let Some(rest) = line.strip_prefix("uniform highp sampler2D ") {
                    let name = rest.trim_end_matches(';');
                    assert!(SAMPLERS.iter().any(|(n, _)| *n == name), "{v:?}: sampler {name} unbound");
                }
            }
        }
        // Globals, Object and the material, at their WGSL groups; a unit per material texture slot,
        let mut groups: Vec<u32> = BLOCKS.iter().map(|b| b.1).collect();
        groups.dedup();
        assert_eq!(groups.iter().copied().collect::<std::collections::BTreeSet<_>>(), [0, 1, 2].into());
        let mut units: Vec<u32> = SAMPLERS.iter().map(|s| s.1).collect();
        units.sort();
        // The environment's three (lighting, skybox, BRDF table) after them.
        assert_eq!(units, (0..crate::scene::TEXTURE_SLOTS as u32 + 3).collect::<Vec<_>>());
        // Shared lines are stored once: ~1,440 distinct lines before the renaming, ~570 after.
        assert!(generated::LINES.lines().count() < 800, "{} distinct GLSL lines", generated::LINES.lines().count());
        let (vs, fs) = sky();
        assert!(vs.contains("gl_VertexID") && fs.contains("_fs2p_location0"));
        assert!(fs.lines().filter(|l| l.starts_with("uniform highp sampler2D ")).count() == 1, "the sky reads the skybox");
    }
}
