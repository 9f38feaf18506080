//! The shaders' text and the preprocessor that makes a variant of it. Depends on nothing else in
//! the crate: build.rs includes this file to translate every variant to GLSL for WebGL2.

/// The PBR shader, with `#if NAME` / `#if !NAME` / `#else` / `#endif` lines (see [`preprocess`]).
/// build.rs translates it and writes the copy the bundle carries (`shader::BARE_PBR`).
#[allow(dead_code)]
pub const PBR: &str = include_str!("pbr.wgsl");
/// Mipmap generation (WebGPU; WebGL2 has generateMipmap).
#[allow(dead_code)]
pub const MIP: &str = include_str!("mip.wgsl");

/// The names `#if` tests, in the order of `Variant::bits`.
pub const DEFINES: [&str; 7] = ["TANGENT", "UV0", "UV1", "COLOR", "MASK", "BLEND", "INSTANCED"];

/// The WebGL2 vertex shaders, numbered by the defines they depend on: the stream bits (TANGENT,
/// UV0, UV1, COLOR: bits 0..4 of `Variant::bits`) and INSTANCED (bit 6), packed into bits 0..5.
#[allow(dead_code)]
pub const VERTEX_SHADERS: u32 = 32;

/// The vertex shader's number for variant bits `bits`.
#[allow(dead_code)]
pub fn vertex_shader(bits: u32) -> u32 {
    (bits & 15) | ((bits >> 2) & 16)
}

/// The variant bits vertex shader `n` is translated from.
#[allow(dead_code)]
pub fn vertex_shader_bits(n: u32) -> u32 {
    (n & 15) | ((n & 16) << 2)
}

/// Copies of a mesh one instanced draw places (the `Objects` uniform array's length).
#[allow(dead_code)]
pub const INSTANCES_PER_DRAW: u32 = 128;

/// The sky dome (`vs_sky` in pbr.wgsl): rings below and above the horizon, segments around.
/// Declared here and prepended to the shader, so the draw call and the shader agree.
const SKY_BELOW: u32 = 9;
const SKY_ABOVE: u32 = 12;
const SKY_SEGMENTS: u32 = 32;
#[allow(dead_code)]
pub const SKY_VERTICES: u32 = (SKY_BELOW + SKY_ABOVE) * SKY_SEGMENTS * 6;

/// The WGSL of the PBR shader with the names `defined` holds (build.rs's).
#[allow(dead_code)]
pub fn pbr(defined: impl Fn(&str) -> bool) -> String {
    pbr_from(PBR, defined)
}

/// The same from `src`, the file's text or build.rs's copy of it without comments.
pub fn pbr_from(src: &str, defined: impl Fn(&str) -> bool) -> String {
    let head = format!("const SKY_BELOW: u32 = {SKY_BELOW}u;\nconst SKY_ABOVE: u32 = {SKY_ABOVE}u;\nconst SKY_SEGMENTS: u32 = {SKY_SEGMENTS}u;\nconst INSTANCES_PER_DRAW: u32 = {INSTANCES_PER_DRAW}u;\n");
    head + &preprocess(src, defined)
}

/// Keeps the lines whose enclosing `#if NAME` (or `#if !NAME`) conditions hold under `defined`;
/// `#else` flips the innermost one. Directive lines become empty lines, so line numbers in
/// shader compiler messages still match the file (after the prepended constants).
pub fn preprocess(src: &str, defined: impl Fn(&str) -> bool) -> String {
    // One entry per open `#if`: whether its current branch is kept.
    let mut open: Vec<bool> = Vec::new();
    let mut out = String::with_capacity(src.len());
    for line in src.lines() {
        let t = line.trim();
        if let Some(cond) = t.strip_prefix("#if ") {
            let cond = cond.trim();
            let holds = match cond.strip_prefix('!') {
                Some(name) => !defined(name.trim()),
                None => defined(cond),
            };
            open.push(holds);
        } else if t == "#else" {
            if let Some(top) = open.last_mut() {
                *top = !*top;
            }
        } else if t == "#endif" {
            open.pop();
        } else if open.iter().all(|&kept| kept) {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}
