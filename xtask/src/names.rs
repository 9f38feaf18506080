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

fn leb(bytes: &[u8], at: &mut usize) -> Result<u64> {
    let (mut value, mut shift) = (0u64, 0);
    loop {
        let b = *bytes.get(*at).ok_or("wasm: cut short")?;
        *at += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Ok(value);
        }
        shift += 7;
        if shift > 63 {
            return Err("wasm: a number is too long".into());
        }
    }
}

fn write_leb(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn name<'a>(bytes: &'a [u8], at: &mut usize) -> Result<&'a str> {
    let len = leb(bytes, at)? as usize;
    let s = bytes.get(*at..*at + len).ok_or("wasm: a name is cut short")?;
    *at += len;
    std::str::from_utf8(s).map_err(|e| format!("wasm: a name is not UTF-8: {e}"))
}

fn write_name(out: &mut Vec<u8>, s: &str) {
    write_leb(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// The module with each import's field name and each export's name passed through `rename`
/// (true for an import); every other byte as it was.
fn rewrite(wasm: &[u8], rename: &mut impl FnMut(&str, bool) -> String) -> Result<Vec<u8>> {
    if wasm.get(..8) != Some(b"\0asm\x01\0\0\0".as_slice()) {
        return Err("not a wasm module (version 1)".into());
    }
    let mut out = wasm[..8].to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let len = leb(wasm, &mut at)? as usize;
        let body = wasm.get(at..at + len).ok_or("wasm: a section is cut short")?;
        at += len;
        let body = match id {
            2 => imports(body, rename)?,
            7 => exports(body, rename)?,
            _ => body.to_vec(),
        };
        out.push(id);
        write_leb(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
    }
    Ok(out)
}

/// A section that is a vector of entries, each rewritten by `entry` (reading from `at` in
/// `body`, writing to `out`); fails where bytes are left after the last.
fn entries(body: &[u8], what: &str, mut entry: impl FnMut(&mut usize, &mut Vec<u8>) -> Result<()>) -> Result<Vec<u8>> {
    let mut at = 0;
    let count = leb(body, &mut at)?;
    let mut out = Vec::with_capacity(body.len());
    write_leb(&mut out, count);
    for _ in 0..count {
        entry(&mut at, &mut out)?;
    }
    if at != body.len() {
        return Err(format!("wasm: the {what} section has bytes after its entries"));
    }
    Ok(out)
}

/// The import section (id 2) with field names renamed; module names and types are copied.
fn imports(body: &[u8], rename: &mut impl FnMut(&str, bool) -> String) -> Result<Vec<u8>> {
    entries(body, "import", |at, out| {
        let module = name(body, at)?;
        let field = name(body, at)?;
        let ty = *at;
        let limits = |at: &mut usize| -> Result<()> {
            let flags = leb(body, at)?;
            leb(body, at)?;
            if flags & 1 == 1 {
                leb(body, at)?;
            }
            Ok(())
        };
        let kind = *body.get(*at).ok_or("wasm: an import is cut short")?;
        *at += 1;
        match kind {
            0 => {
                leb(body, at)?; // function: its type index
            }
            1 => {
                *at += 1; // table: a one-byte reference type, then limits
                limits(at)?;
            }
            2 => limits(at)?,
            3 => *at += 2, // global: a one-byte value type and mutability
            4 => {
                *at += 1; // tag: attribute, type index
                leb(body, at)?;
            }
            k => return Err(format!("wasm: import kind {k} is not read")),
        }
        write_name(out, module);
        write_name(out, &rename(field, true));
        out.extend_from_slice(body.get(ty..*at).ok_or("wasm: an import is cut short")?);
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
        let section = |m: &mut Vec<u8>, id: u8, body: &[u8]| {
            m.push(id);
            super::write_leb(m, body.len() as u64);
            m.extend_from_slice(body);
        };
        let mut import = vec![3];
        for (n, ty) in imports.iter().zip([&[0u8, 0][..], &[2, 1, 1, 4], &[3, 0x7f, 0]]) {
            super::write_name(&mut import, "wbg");
            super::write_name(&mut import, n);
            import.extend_from_slice(ty);
        }
        let mut export = vec![exports.len() as u8 + 1];
        for (n, kind) in exports.iter().map(|n| (*n, 0)).chain([("memory", 2)]) {
            super::write_name(&mut export, n);
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
