//! With the `webgl` feature: translates every variant of the WGSL shader to GLSL ES 3.00 with
//! naga, so the WebGL2 backend ships GLSL and no shader translator. One WGSL source stays the
//! truth for both backends.
//!
//! The 32 vertex and 64 fragment shaders share most lines, so they are written as one table of
//! distinct lines and, per shader, the list of its lines (`$OUT_DIR/glsl.rs`, read by
//! `render/glsl.rs`): ~75 KB instead of ~520 KB in the module's data, which stays in wasm memory.

#[path = "src/shader/source.rs"]
mod source;

use std::collections::HashMap;
use std::fmt::Write as _;

use naga::back::glsl;

/// Texture units of a material's slots (`scene::TEXTURE_SLOTS`; `render::glsl`'s test checks).
const MATERIAL_UNITS: u32 = 13;

/// GLSL names and the binding (group, or texture unit) each stands for.
type Names = Vec<(String, u32)>;

/// GLSL for one entry point, and the names the writer gave its uniform blocks and samplers.
fn translate(wgsl: &str, entry: &str, stage: naga::ShaderStage) -> (String, Names, Names) {
    let mut module = naga::front::wgsl::parse_str(wgsl).unwrap_or_else(|e| panic!("{entry}: {}", e.emit_to_string(wgsl)));
    // One entry point per shader, and only what it uses: smaller text, quicker to compile.
    module.entry_points.retain(|e| e.name == entry);
    naga::compact::compact(&mut module, naga::compact::KeepUnused::No);
    let info = naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::empty())
        .validate(&module)
        .unwrap_or_else(|e| panic!("{entry}: {}", e.emit_to_string(wgsl)));
    // No ADJUST_COORDINATE_SPACE: the backend maps depth itself, and draws the right way up.
    let options = glsl::Options {
        version: glsl::Version::Embedded { version: 300, is_webgl: true },
        writer_flags: glsl::WriterFlags::FORCE_POINT_SIZE,
        ..Default::default()
    };
    let pipeline = glsl::PipelineOptions { shader_stage: stage, entry_point: entry.into(), multiview: None };
    let mut out = String::new();
    let mut writer = glsl::Writer::new(&mut out, &module, &info, &options, &pipeline, naga::proc::BoundsCheckPolicies::default()).unwrap_or_else(|e| panic!("{entry}: {e}"));
    let reflection = writer.write().unwrap_or_else(|e| panic!("{entry}: {e}"));
    let group = |h: naga::Handle<naga::GlobalVariable>| module.global_variables[h].binding.as_ref().map_or((0, 1), |b| (b.group, b.binding));
    let mut blocks: Names = reflection.uniforms.iter().map(|(h, name)| (name.clone(), group(*h).0)).collect();
    // Textures are at bindings 1, 3, 5, ... of their group: a material's at units (binding - 1) / 2,
    // the environment's (group 0) at the units after the material's.
    let unit = |(group, binding): (u32, u32)| (binding - 1) / 2 + if group == 0 { MATERIAL_UNITS } else { 0 };
    let mut samplers: Names = reflection.texture_mapping.iter().map(|(name, m)| (name.clone(), unit(group(m.texture)))).collect();
    blocks.sort();
    samplers.sort();
    (rename_temporaries(&out), blocks, samplers)
}

/// naga names its temporaries after their expression's index (`_e123`), which differs from
/// variant to variant, so a line that reads the same in every variant is spelt differently in
/// each and the line table stored it many times. Each temporary is renamed after what it holds:
/// its type and defining expression (with the temporaries in that already renamed). Equal lines
/// become equal text; a second temporary holding the same in one shader takes a suffix.
fn rename_temporaries(text: &str) -> String {
    let mut names: HashMap<String, String> = HashMap::new();
    let mut taken: HashMap<u32, u32> = HashMap::new();
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if let Some((name, ty, rhs)) = definition(line).filter(|(name, ..)| !names.contains_key(*name)) {
            // FNV-1a of what it holds.
            let hash = format!("{ty} {}", replace_temporaries(rhs, &names)).bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
            let hash = hash & 0xff_ffff;
            let n = taken.entry(hash).or_insert(0);
            names.insert(name.to_owned(), if *n == 0 { format!("_t{hash:x}") } else { format!("_t{hash:x}_{n}") });
            *n += 1;
        }
        out.push_str(&replace_temporaries(line, &names));
        out.push('\n');
    }
    out
}

/// `(name, type, expression)` where `line` declares a temporary: `<type> _e12 = <expression>`.
fn definition(line: &str) -> Option<(&str, &str, &str)> {
    let (head, rhs) = line.trim_start().split_once(" = ")?;
    let (ty, name) = head.rsplit_once(' ')?;
    let temporary = name.len() > 2 && name.starts_with("_e") && name[2..].bytes().all(|b| b.is_ascii_digit());
    (temporary && !ty.contains(['(', '=', '[', '.'])).then_some((name, ty, rhs))
}

/// `s` with every temporary named in `names` renamed (whole identifiers only).
fn replace_temporaries(s: &str, names: &HashMap<String, String>) -> String {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        if ident(bytes[i]) {
            let start = i;
            while i < bytes.len() && ident(bytes[i]) {
                i += 1;
            }
            let word = &s[start..i];
            out.push_str(names.get(word).map_or(word, String::as_str));
        } else {
            let start = i;
            while i < bytes.len() && !ident(bytes[i]) {
                i += 1;
            }
            out.push_str(&s[start..i]);
        }
    }
    out
}

#[derive(Default)]
struct Table {
    lines: Vec<String>,
    index: HashMap<String, u16>,
}

impl Table {
    fn add(&mut self, text: &str) -> Vec<u16> {
        text.lines()
            .map(|l| {
                *self.index.entry(l.to_string()).or_insert_with(|| {
                    self.lines.push(l.to_string());
                    u16::try_from(self.lines.len() - 1).expect("fewer than 65,536 distinct lines")
                })
            })
            .collect()
    }
}

/// Adds a shader's names to a stage's binding table; a name always has the same binding.
fn merge(table: &mut std::collections::BTreeMap<String, u32>, names: Names) {
    for (name, binding) in names {
        let was = table.insert(name.clone(), binding);
        assert!(was.is_none_or(|w| w == binding), "{name} is bound to {was:?} and {binding} in different variants");
    }
}

fn main() {
    println!("cargo::rerun-if-changed=src/shader/pbr.wgsl");
    println!("cargo::rerun-if-changed=src/shader/source.rs");
    println!("cargo::rerun-if-changed=build.rs");
    let out_dir = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    // The WGSL the WebGPU bundle carries: without comments and indentation (7.1 KB gzip → 3.7),
    // one line for each of the file's, so compiler messages still name the file's lines.
    let bare: Vec<&str> = source::PBR.lines().map(|l| l.split("//").next().unwrap_or_default().trim()).collect();
    std::fs::write(out_dir.join("pbr.wgsl"), bare.join("\n")).expect("write pbr.wgsl");
    let out = out_dir.join("glsl.rs");
    if std::env::var_os("CARGO_FEATURE_WEBGL").is_none() {
        let _ = std::fs::write(&out, "");
        return;
    }
    let mut table = Table::default();
    let (mut blocks, mut samplers) = Default::default();
    let list = |ix: &[u16]| format!("&[{}]", ix.iter().map(u16::to_string).collect::<Vec<_>>().join(","));
    let mut code = String::from("// @generated by build.rs from pbr.wgsl\n");
    let source = |bits: u32| source::pbr(|name| source::DEFINES.iter().position(|d| *d == name).is_some_and(|i| bits & (1 << i) != 0));
    // Vertex shaders depend on the stream bits and INSTANCED only (see source::vertex_shader).
    let mut vs = Vec::new();
    for n in 0..source::VERTEX_SHADERS {
        let (text, b, _) = translate(&source(source::vertex_shader_bits(n)), "vs_main", naga::ShaderStage::Vertex);
        merge(&mut blocks, b);
        vs.push(list(&table.add(&text)));
    }
    // Fragment shaders depend on the stream bits and MASK: BLEND (bit 5) and INSTANCED (bit 6)
    // leave the fragment stage alone, so 32 of them serve all variants.
    let mut fs = Vec::new();
    for bits in 0..32 {
        let (text, b, t) = translate(&source(bits), "fs_main", naga::ShaderStage::Fragment);
        merge(&mut blocks, b);
        merge(&mut samplers, t);
        fs.push(list(&table.add(&text)));
    }
    let (sky_vs, b, _) = translate(&source(0), "vs_sky", naga::ShaderStage::Vertex);
    merge(&mut blocks, b);
    let (sky_fs, b, t) = translate(&source(0), "fs_sky", naga::ShaderStage::Fragment);
    merge(&mut blocks, b);
    merge(&mut samplers, t);
    let pairs = |v: &std::collections::BTreeMap<String, u32>| format!("&[{}]", v.iter().map(|(n, b)| format!("({n:?}, {b})")).collect::<Vec<_>>().join(", "));
    let (sky_vs, sky_fs) = (list(&table.add(&sky_vs)), list(&table.add(&sky_fs)));
    let _ = writeln!(code, "pub const LINES: &str = {:?};", table.lines.join("\n"));
    let _ = writeln!(code, "pub const VERTEX: [&[u16]; {}] = [{}];", source::VERTEX_SHADERS, vs.join(", "));
    let _ = writeln!(code, "pub const FRAGMENT: [&[u16]; 32] = [{}];", fs.join(", "));
    let _ = writeln!(code, "pub const SKY_VERTEX: &[u16] = {sky_vs};");
    let _ = writeln!(code, "pub const SKY_FRAGMENT: &[u16] = {sky_fs};");
    let _ = writeln!(code, "/// Uniform block name → binding point (its WGSL group).");
    let _ = writeln!(code, "pub const BLOCKS: &[(&str, u32)] = {};", pairs(&blocks));
    let _ = writeln!(code, "/// Sampler uniform name → texture unit (its material slot; the environment's after them).");
    let _ = writeln!(code, "pub const SAMPLERS: &[(&str, u32)] = {};", pairs(&samplers));
    std::fs::write(&out, code).expect("write glsl.rs");
}
