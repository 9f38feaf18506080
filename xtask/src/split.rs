//! How much of a wasm module a page needs before its first frame: the bound on what splitting the
//! module (a first part fetched at once, the rest after the first frame) could take off the
//! first download. `instrument` makes a copy of the module that notes each function it runs,
//! and `keep_only` a copy whose other functions are empty, whose compressed size is that bound.
//! `cargo xtask bench-split` runs the benchmark's scenes with the first and prints the second.

use crate::wasm::{entries, import, leb, map_sections, name, sections, write_leb, write_name};
use crate::Result;

/// The module with a mutable i32 global per defined function, exported as `__f<i>` and set to 1
/// by the first instruction of that function; and the number of defined functions.
pub fn instrument(wasm: &[u8]) -> Result<(Vec<u8>, usize)> {
    let sections = sections(wasm)?;
    let shape = Shape::of(&sections)?;
    let first = shape.imported_globals + shape.globals;
    let out = map_sections(wasm, |id, body| match id {
        6 => append(body, shape.functions, |_, out| out.extend_from_slice(&[0x7f, 1, 0x41, 0, 0x0b])),
        7 => append(body, shape.functions, |i, out| {
            write_name(out, &format!("__f{i}"));
            out.push(3);
            write_leb(out, (first + i) as u64);
        }),
        10 => code(body, |i, locals, ops, out| {
            out.extend_from_slice(locals);
            out.extend_from_slice(&[0x41, 1, 0x24]);
            write_leb(out, (first + i) as u64);
            out.extend_from_slice(ops);
        }),
        _ => Ok(body.to_vec()),
    })?;
    Ok((out, shape.functions))
}

/// The module with the body of each defined function that `used` does not mark replaced by
/// `unreachable`; and the bodies taken out, one after another (what a second module would carry).
pub fn keep_only(wasm: &[u8], used: &[bool]) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut rest = Vec::new();
    let out = map_sections(wasm, |id, body| {
        if id != 10 {
            return Ok(body.to_vec());
        }
        code(body, |i, locals, ops, out| {
            if used.get(i).copied().unwrap_or(true) {
                out.extend_from_slice(locals);
                out.extend_from_slice(ops);
            } else {
                rest.extend_from_slice(locals);
                rest.extend_from_slice(ops);
                out.extend_from_slice(&[0, 0x00, 0x0b]); // no locals; unreachable; end
            }
        })
    })?;
    Ok((out, rest))
}

/// Each defined function's body (its locals and instructions), in order.
pub fn bodies(wasm: &[u8]) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    if let Some((_, body)) = sections(wasm)?.into_iter().find(|s| s.0 == 10) {
        code(body, |_, locals, ops, _| out.push([locals, ops].concat()))?;
    }
    Ok(out)
}

/// Each defined function's name from the module's name section (none where it has none), and
/// the room it belongs to: `scenic::<room>` (two levels in `web`, `gltf` and `render`) where
/// Scenic's code is in its demangled name, as in `<Option<T>>::map::<scenic::camera::…>`; else
/// the crate that the name begins with.
pub fn rooms(wasm: &[u8]) -> Result<Vec<String>> {
    let sections = sections(wasm)?;
    let shape = Shape::of(&sections)?;
    let mut names = vec![None; shape.functions];
    for (id, body) in &sections {
        let mut at = 0;
        if *id != 0 || name(body, &mut at)? != "name" {
            continue;
        }
        while at < body.len() {
            let kind = body[at];
            at += 1;
            let len = leb(body, &mut at)? as usize;
            let sub = body.get(at..at + len).ok_or("wasm: the name section is cut short")?;
            at += len;
            if kind == 1 {
                // Function names: (index, name) pairs; imports come first in the index space.
                entries(sub, "function name", |at, _| {
                    let index = leb(sub, at)? as usize;
                    let n = name(sub, at)?;
                    if let Some(slot) = index.checked_sub(shape.imported_functions).and_then(|i| names.get_mut(i)) {
                        *slot = Some(n.to_string());
                    }
                    Ok(())
                })?;
            }
        }
    }
    Ok(names.into_iter().map(|n| n.map_or_else(|| "(no name)".to_string(), |n| room(&format!("{:#}", rustc_demangle::demangle(&n))))).collect())
}

fn room(name: &str) -> String {
    // v0 names keep each crate's disambiguator, `scenic[d26696c535efe0bf]`, even in `{:#}`.
    let mut plain = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(open) = rest.find('[') {
        let hex = rest[open + 1..].find(']').filter(|&n| n > 0 && rest[open + 1..open + 1 + n].chars().all(|c| c.is_ascii_hexdigit()));
        plain.push_str(&rest[..open]);
        match hex {
            Some(n) => rest = &rest[open + n + 2..],
            None => {
                plain.push('[');
                rest = &rest[open + 1..];
            }
        }
    }
    plain.push_str(rest);
    let name = plain.as_str();
    let path = |from: &str| -> Vec<String> {
        from.split("::").map(|seg| seg.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>()).take_while(|s| !s.is_empty()).collect()
    };
    if let Some(at) = name.find("scenic::") {
        let p = path(&name[at..]);
        let depth = if matches!(p.get(1).map(String::as_str), Some("web" | "gltf" | "render")) { 3 } else { 2 };
        // A type or function directly in the room's module stays in the room.
        let p: Vec<_> = p.into_iter().take(depth).filter(|s| s.starts_with(|c: char| c.is_lowercase())).collect();
        return p.join("::");
    }
    path(name.trim_start_matches(['<', '&', '*', ' ']).trim_start_matches("mut ").trim_start_matches("dyn ")).first().cloned().unwrap_or_else(|| name.chars().take(30).collect())
}

/// What the index spaces hold before anything is added.
struct Shape {
    imported_functions: usize,
    imported_globals: usize,
    globals: usize,
    functions: usize,
}

impl Shape {
    fn of(sections: &[(u8, &[u8])]) -> Result<Shape> {
        let count = |id: u8| -> Result<Option<usize>> {
            sections.iter().find(|s| s.0 == id).map(|s| leb(s.1, &mut 0).map(|n| n as usize)).transpose()
        };
        let (mut imported_functions, mut imported_globals) = (0, 0);
        if let Some((_, body)) = sections.iter().find(|s| s.0 == 2) {
            entries(body, "import", |at, _| {
                let kind = import(body, at)?.kind;
                imported_functions += usize::from(kind == 0);
                imported_globals += usize::from(kind == 3);
                Ok(())
            })?;
        }
        // A module without globals of its own gets no global section here: not one rustc makes.
        let globals = count(6)?.ok_or("wasm: the module has no global section")?;
        count(7)?.ok_or("wasm: the module has no export section")?;
        Ok(Shape { imported_functions, imported_globals, globals, functions: count(3)?.unwrap_or(0) })
    }
}

/// A vector section with `extra` entries written by `entry` after its own.
fn append(body: &[u8], extra: usize, mut entry: impl FnMut(usize, &mut Vec<u8>)) -> Result<Vec<u8>> {
    let mut at = 0;
    let count = leb(body, &mut at)?;
    let mut out = Vec::with_capacity(body.len() + extra * 8);
    write_leb(&mut out, count + extra as u64);
    out.extend_from_slice(&body[at..]);
    for i in 0..extra {
        entry(i, &mut out);
    }
    Ok(out)
}

/// The code section with each body (the i-th defined function's locals and instructions) written
/// by `body`, which gets the bytes of its locals' declarations and of its instructions apart.
fn code(section: &[u8], mut body: impl FnMut(usize, &[u8], &[u8], &mut Vec<u8>)) -> Result<Vec<u8>> {
    let mut i = 0;
    entries(section, "code", |at, out| {
        let len = leb(section, at)? as usize;
        let bytes = section.get(*at..*at + len).ok_or("wasm: a function body is cut short")?;
        *at += len;
        let mut pos = 0;
        for _ in 0..leb(bytes, &mut pos)? {
            leb(bytes, &mut pos)?; // how many
            // The value type: one byte, or a reference type's prefix and its heap type.
            let ty = *bytes.get(pos).ok_or("wasm: a local is cut short")?;
            pos += 1;
            if ty == 0x63 || ty == 0x64 {
                leb(bytes, &mut pos)?;
            }
        }
        let mut new = Vec::with_capacity(len + 6);
        body(i, &bytes[..pos], &bytes[pos..], &mut new);
        write_leb(out, new.len() as u64);
        out.extend_from_slice(&new);
        i += 1;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use crate::wasm::{leb, section, sections, write_name};

    /// A module importing a global, with one global of its own, exporting `memory`, and two
    /// functions () -> (): the first with an i32 local, each `nop`.
    fn module() -> Vec<u8> {
        let mut import = vec![1];
        write_name(&mut import, "env");
        write_name(&mut import, "g");
        import.extend_from_slice(&[3, 0x7f, 0]);
        let mut export = vec![1];
        write_name(&mut export, "memory");
        export.extend_from_slice(&[2, 0]);
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        section(&mut m, 1, &[1, 0x60, 0, 0]);
        section(&mut m, 2, &import);
        section(&mut m, 3, &[2, 0, 0]);
        section(&mut m, 5, &[1, 0, 1]);
        section(&mut m, 6, &[1, 0x7f, 1, 0x41, 0, 0x0b]);
        section(&mut m, 7, &export);
        section(&mut m, 10, &[2, 5, 1, 1, 0x7f, 0x01, 0x0b, 3, 0, 0x01, 0x0b]);
        m
    }

    fn find(m: &[u8], id: u8) -> Vec<u8> {
        sections(m).unwrap().into_iter().find(|s| s.0 == id).unwrap().1.to_vec()
    }

    #[test]
    fn instrument_sets_a_global_per_function_and_exports_it() {
        let (m, n) = super::instrument(&module()).unwrap();
        assert_eq!(n, 2);
        // Globals 0 (imported) and 1 (its own) come first: the notes are 2 and 3.
        assert_eq!(find(&m, 6), [3, 0x7f, 1, 0x41, 0, 0x0b, 0x7f, 1, 0x41, 0, 0x0b, 0x7f, 1, 0x41, 0, 0x0b]);
        let mut export = vec![3];
        write_name(&mut export, "memory");
        export.extend_from_slice(&[2, 0]);
        write_name(&mut export, "__f0");
        export.extend_from_slice(&[3, 2]);
        write_name(&mut export, "__f1");
        export.extend_from_slice(&[3, 3]);
        assert_eq!(find(&m, 7), export);
        // `global.set` after the locals, before the function's own `nop`.
        assert_eq!(find(&m, 10), [2, 9, 1, 1, 0x7f, 0x41, 1, 0x24, 2, 0x01, 0x0b, 7, 0, 0x41, 1, 0x24, 3, 0x01, 0x0b]);
    }

    #[test]
    fn keep_only_empties_the_functions_not_run() {
        let (m, rest) = super::keep_only(&module(), &[false, true]).unwrap();
        assert_eq!(find(&m, 10), [2, 3, 0, 0x00, 0x0b, 3, 0, 0x01, 0x0b]);
        assert_eq!(rest, [1, 1, 0x7f, 0x01, 0x0b]);
        // Every other section as it was.
        assert_eq!(find(&m, 7), find(&module(), 7));
        assert_eq!(leb(&find(&m, 3), &mut 0).unwrap(), 2);
    }

    #[test]
    fn rooms_come_from_demangled_names() {
        assert_eq!(super::room("scenic::gltf::doc::read"), "scenic::gltf::doc");
        assert_eq!(super::room("<core::option::Option<usize>>::ok_or_else::<alloc::string::String, <scenic::gltf::ext::draco::Layout>::read::{closure#0}>"), "scenic::gltf::ext");
        assert_eq!(super::room("<scenic::camera::OrbitCamera>::update"), "scenic::camera");
        assert_eq!(super::room("scenic::ibl::prefilter::prefilter"), "scenic::ibl");
        assert_eq!(super::room("<alloc::vec::Vec<u8> as core::clone::Clone>::clone"), "alloc");
        assert_eq!(super::room("dlmalloc::dlmalloc::Dlmalloc::malloc"), "dlmalloc");
        assert_eq!(super::room("<&mut <scenic[d26696c535efe0bf]::poi::Poi>::fill as core::ops::FnOnce<[u8; 2]>>::call_once"), "scenic::poi");
    }

    #[test]
    fn a_cut_body_is_an_error() {
        let mut m = module();
        let n = m.len();
        m[n - 10] = 50; // the first body's length, past the section's end
        assert!(super::instrument(&m).is_err());
        assert!(super::keep_only(&m, &[]).is_err());
    }
}
