//! Short names for what a wasm module and its wasm-bindgen glue call each other.
//!
//! wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` (442 of them in the WebGPU
//! module). The name is written twice, in the module's import section and as a key of the glue's
//! import object, and the hex digits do not compress: together 14 KB gzip of the WebGPU lite
//! path (7 Dec: wasm 269,070 -> 260,843 bytes, glue 15,447 -> 9,394). Here each becomes `a`, `b`,
//! … `aa`, … in both places. So do the exports of closure shims (`wasm_bindgen_<hash>___convert__
//! closures_____invoke___…`, ~250 characters each, read only by the glue): 0.5 KB more. Other
//! exports keep their names: pages and tests read `memory`, and the rest are short.

use std::collections::HashMap;

use crate::wasm::{entries, import, leb, map_sections, name, write_name};
use crate::Result;

/// Renames the module's imports whose names wasm-bindgen made and its closure shims' exports,
/// and the same identifiers in its glue. Fails where the glue does not name an import exactly
/// once (its key) or an export at all, or where a new export name is taken.
pub fn shorten(wasm: &[u8], glue: &str) -> Result<(Vec<u8>, String)> {
    let mut names: HashMap<String, String> = HashMap::new();
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    let mut rename = |name: &str, import: bool| {
        let ours = if import { name.starts_with("__wbg_") || name.starts_with("__wbindgen_") } else { name.starts_with("wasm_bindgen_") };
        if !ours {
            if !import {
                exports.push(name.to_string());
            }
            return name.to_string();
        }
        // The glue calls a shim by its name as a bare identifier: `$` keeps it clear of JS's
        // reserved words (`do`, `if`) and of the glue's own short locals.
        let next = if import { short(names.len()) } else { format!("${}", short(names.len())) };
        let new = names.entry(name.to_string()).or_insert(next).clone();
        if import { imports.push(name.to_string()) } else { exports.push(new.clone()) }
        new
    };
    let module = rewrite(wasm, &mut rename)?;
    let mut taken = exports.clone();
    taken.sort();
    taken.dedup();
    if taken.len() != exports.len() {
        return Err("two exports would have the same name".into());
    }
    let mut clash = None;
    replace_identifiers(glue, |id| {
        if id.starts_with('$') && names.values().any(|n| n == id) {
            clash = Some(id.to_string());
        }
        None
    });
    if let Some(id) = clash {
        return Err(format!("the glue already has an identifier {id}"));
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let glue = replace_identifiers(glue, |id| {
        let (old, new) = names.get_key_value(id)?;
        *seen.entry(old.as_str()).or_default() += 1;
        Some(new.as_str())
    });
    let times = |n: &str| seen.get(n).copied().unwrap_or(0);
    if let Some(name) = imports.iter().find(|n| times(n) != 1) {
        return Err(format!("the glue names the import {name} {} times, not once", times(name)));
    }
    if let Some(name) = names.keys().find(|n| times(n) == 0) {
        return Err(format!("the glue does not name the export {name}"));
    }
    Ok((module, glue))
}

/// `a`..`z`, `A`..`Z`, then `aa`, `ab`, …: the shortest identifiers in order.
fn short(mut k: usize) -> String {
    const LETTERS: &[u8; 52] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::new();
    loop {
        out.push(LETTERS[k % 52]);
        if k < 52 {
            break;
        }
        k = k / 52 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `text` with each maximal run of identifier characters (`$` included) replaced where `with` says.
fn replace_identifiers<'a>(text: &str, mut with: impl FnMut(&str) -> Option<&'a str>) -> String {
    let is_id = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(is_id) {
        out.push_str(&rest[..start]);
        let run = &rest[start..];
        let end = run.find(|c: char| !is_id(c)).unwrap_or(run.len());
        out.push_str(with(&run[..end]).unwrap_or(&run[..end]));
        rest = &run[end..];
    }
    out.push_str(rest);
    out
}

/// The module with each import's field name and each export's name passed through `rename`
/// (true for an import); every other byte as it was.
fn rewrite(wasm: &[u8], rename: &mut impl FnMut(&str, bool) -> String) -> Result<Vec<u8>> {
    map_sections(wasm, |id, body| match id {
        2 => imports(body, rename),
        7 => exports(body, rename),
        _ => Ok(body.to_vec()),
    })
}

/// The import section (id 2) with field names renamed; module names and types are copied.
fn imports(body: &[u8], rename: &mut impl FnMut(&str, bool) -> String) -> Result<Vec<u8>> {
    entries(body, "import", |at, out| {
        let import = import(body, at)?;
        write_name(out, import.module);
        write_name(out, &rename(import.field, true));
        out.extend_from_slice(import.ty);
        Ok(())
    })
}

/// The export section (id 7) with names renamed: each is a name, a kind byte and an index.
fn exports(body: &[u8], rename: &mut impl FnMut(&str, bool) -> String) -> Result<Vec<u8>> {
    entries(body, "export", |at, out| {
        let name = name(body, at)?;
        let kind = *at;
        *at += 1;
        leb(body, at)?;
        write_name(out, &rename(name, false));
        out.extend_from_slice(body.get(kind..*at).ok_or("wasm: an export is cut short")?);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    /// A module importing a function, a memory and a global (`imports`), and exporting the
    /// function under each of `exports` and the memory, in wasm's binary format.
    fn module(imports: [&str; 3], exports: &[&str]) -> Vec<u8> {
        let section = crate::wasm::section;
        let mut import = vec![3];
        for (n, ty) in imports.iter().zip([&[0u8, 0][..], &[2, 1, 1, 4], &[3, 0x7f, 0]]) {
            crate::wasm::write_name(&mut import, "wbg");
            crate::wasm::write_name(&mut import, n);
            import.extend_from_slice(ty);
        }
        let mut export = vec![exports.len() as u8 + 1];
        for (n, kind) in exports.iter().map(|n| (*n, 0)).chain([("memory", 2)]) {
            crate::wasm::write_name(&mut export, n);
            export.extend_from_slice(&[kind, 0]);
        }
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        section(&mut m, 1, &[1, 0x60, 0, 0]); // types: () -> ()
        section(&mut m, 2, &import);
        section(&mut m, 7, &export);
        section(&mut m, 0, b"\x03xyz"); // a custom section, copied as is
        m
    }

    const SHIM: &str = "wasm_bindgen_8999ec673cc711d4___convert__closures_____invoke___u32_";
    const IMPORTS: [&str; 3] = ["__wbg_log_0123456789abcdef", "memory", "__wbindgen_init_externref_table"];

    #[test]
    fn imports_shims_and_their_glue_names_get_the_same_short_names() {
        let wasm = module(IMPORTS, &[SHIM, "viewer_frame"]);
        let glue = format!("const i={{__wbg_log_0123456789abcdef:function(e){{console.log(e)}},__wbindgen_init_externref_table:function(){{}}}};x.__wbg_log_0123456789abcdef_2=1;w.{SHIM}(1);w.{SHIM}(2);w.viewer_frame();w.memory");
        let (short, glue) = super::shorten(&wasm, &glue).unwrap();
        assert_eq!(short, module(["a", "memory", "b"], &["$c", "viewer_frame"]));
        // Only whole identifiers change: the longer name beside it stays, and so do other exports.
        assert_eq!(glue, "const i={a:function(e){console.log(e)},b:function(){}};x.__wbg_log_0123456789abcdef_2=1;w.$c(1);w.$c(2);w.viewer_frame();w.memory");
    }

    #[test]
    fn a_name_the_glue_lacks_or_repeats_fails_the_build() {
        let glue = |keys: &str| format!("{{{keys}}};w.{SHIM}()");
        let wasm = module(IMPORTS, &[SHIM]);
        assert!(super::shorten(&wasm, &glue("__wbg_log_0123456789abcdef:1,__wbindgen_init_externref_table:2")).is_ok());
        assert!(super::shorten(&wasm, &glue("__wbg_log_0123456789abcdef:1")).is_err());
        assert!(super::shorten(&wasm, &glue("__wbg_log_0123456789abcdef:1,__wbindgen_init_externref_table:2,y:__wbg_log_0123456789abcdef")).is_err());
        assert!(super::shorten(&wasm, "{__wbg_log_0123456789abcdef:1,__wbindgen_init_externref_table:2}").is_err());
        // An export already has the name the shim would get (after the imports' a and b).
        let keys = glue("__wbg_log_0123456789abcdef:1,__wbindgen_init_externref_table:2");
        assert!(super::shorten(&module(IMPORTS, &[SHIM, "c"]), &keys).is_ok());
        assert!(super::shorten(&module(IMPORTS, &[SHIM, "$c"]), &keys).is_err());
        // Or the glue has an identifier of that name.
        assert!(super::shorten(&wasm, &format!("{keys};let $c=1")).is_err());
        assert!(super::shorten(b"\0asm\x01\0\0\0\x02\x05\x01", "").is_err());
    }

    #[test]
    fn short_names_run_through_letters_then_pairs() {
        let names: Vec<String> = [0, 25, 26, 51, 52, 53, 103, 104].map(super::short).into();
        assert_eq!(names, ["a", "z", "A", "Z", "aa", "ab", "aZ", "ba"]);
    }
}
