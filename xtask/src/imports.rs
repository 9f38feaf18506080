//! Short names for the functions a wasm module imports from its wasm-bindgen glue.
//!
//! wasm-bindgen names each import `__wbg_<name>_<16 hex digits>` (442 of them in the WebGPU
//! module). The name is written twice, in the module's import section and as a key of the glue's
//! import object, and the hex digits do not compress: together 13 KB gzip of the WebGPU lite
//! path (7 Dec: wasm 267,820 -> 260,654 bytes, glue 15,400 -> 9,410, gzip -9). Here each becomes
//! `a`, `b`, … `aa`, … in both places. The module's exports keep their names (tests and the glue
//! read `memory` and the rest by name).

use std::collections::HashMap;

use crate::Result;

/// Renames the module's imports whose names wasm-bindgen made, and the same keys in its glue.
/// Fails, changing nothing, where a name is not a single identifier in the glue.
pub fn shorten(wasm: &[u8], glue: &str) -> Result<(Vec<u8>, String)> {
    let mut names: HashMap<String, String> = HashMap::new();
    let module = rewrite_imports(wasm, |name| {
        if !(name.starts_with("__wbg_") || name.starts_with("__wbindgen_")) {
            return name.to_string();
        }
        let next = short(names.len());
        names.entry(name.to_string()).or_insert(next).clone()
    })?;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let glue = replace_identifiers(glue, |id| {
        let (old, new) = names.get_key_value(id)?;
        *seen.entry(old.as_str()).or_default() += 1;
        Some(new.as_str())
    });
    if let Some(name) = names.keys().find(|n| seen.get(n.as_str()) != Some(&1)) {
        return Err(format!("the glue names the import {name} {} times, not once", seen.get(name.as_str()).unwrap_or(&0)).into());
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

/// `text` with each maximal run of identifier characters replaced where `with` says.
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

/// The module with each import's field name passed through `rename`; every other byte as it was.
fn rewrite_imports(wasm: &[u8], mut rename: impl FnMut(&str) -> String) -> Result<Vec<u8>> {
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
        let body = if id == 2 { imports(body, &mut rename)? } else { body.to_vec() };
        out.push(id);
        write_leb(&mut out, body.len() as u64);
        out.extend_from_slice(&body);
    }
    Ok(out)
}

/// The import section (id 2) with field names renamed; module names and types are copied.
fn imports(body: &[u8], rename: &mut impl FnMut(&str) -> String) -> Result<Vec<u8>> {
    let mut at = 0;
    let count = leb(body, &mut at)?;
    let mut out = Vec::with_capacity(body.len());
    write_leb(&mut out, count);
    for _ in 0..count {
        let module = name(body, &mut at)?;
        let field = name(body, &mut at)?;
        let ty = at;
        let limits = |at: &mut usize| -> Result<()> {
            let flags = leb(body, at)?;
            leb(body, at)?;
            if flags & 1 == 1 {
                leb(body, at)?;
            }
            Ok(())
        };
        let kind = *body.get(at).ok_or("wasm: an import is cut short")?;
        at += 1;
        match kind {
            0 => {
                leb(body, &mut at)?; // function: its type index
            }
            1 => {
                at += 1; // table: a one-byte reference type, then limits
                limits(&mut at)?;
            }
            2 => limits(&mut at)?,
            3 => at += 2, // global: a one-byte value type and mutability
            4 => {
                at += 1; // tag: attribute, type index
                leb(body, &mut at)?;
            }
            k => return Err(format!("wasm: import kind {k} is not read").into()),
        }
        write_name(&mut out, module);
        write_name(&mut out, &rename(field));
        out.extend_from_slice(body.get(ty..at).ok_or("wasm: an import is cut short")?);
    }
    if at != body.len() {
        return Err("wasm: the import section has bytes after its imports".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// A module importing a function, a memory and a global, in wasm's binary format.
    fn module(names: [&str; 3]) -> Vec<u8> {
        let mut imports = vec![3];
        for (n, ty) in names.iter().zip([&[0u8, 0][..], &[2, 1, 1, 4], &[3, 0x7f, 0]]) {
            super::write_name(&mut imports, "wbg");
            super::write_name(&mut imports, n);
            imports.extend_from_slice(ty);
        }
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // type section: () -> ()
        m.push(2);
        super::write_leb(&mut m, imports.len() as u64);
        m.extend_from_slice(&imports);
        m.extend_from_slice(&[0, 4, 3, b'x', b'y', b'z']); // a custom section, copied as is
        m
    }

    #[test]
    fn imports_and_their_glue_keys_get_the_same_short_names() {
        let wasm = module(["__wbg_log_0123456789abcdef", "memory", "__wbindgen_init_externref_table"]);
        let glue = "const i={__wbg_log_0123456789abcdef:function(e){console.log(e)},__wbindgen_init_externref_table:function(){}};x.__wbg_log_0123456789abcdef_2=1;";
        let (short, glue) = super::shorten(&wasm, glue).unwrap();
        assert_eq!(short, module(["a", "memory", "b"]));
        // Only whole identifiers change: the longer name beside it stays.
        assert_eq!(glue, "const i={a:function(e){console.log(e)},b:function(){}};x.__wbg_log_0123456789abcdef_2=1;");
    }

    #[test]
    fn a_name_the_glue_lacks_or_repeats_fails_the_build() {
        let wasm = module(["__wbg_a_1", "memory", "__wbg_b_2"]);
        assert!(super::shorten(&wasm, "{__wbg_a_1:1}").is_err());
        assert!(super::shorten(&wasm, "{__wbg_a_1:1,__wbg_b_2:2,y:__wbg_b_2}").is_err());
        assert!(super::shorten(b"\0asm\x01\0\0\0\x02\x05\x01", "").is_err());
    }

    #[test]
    fn short_names_run_through_letters_then_pairs() {
        let names: Vec<String> = [0, 25, 26, 51, 52, 53, 103, 104].map(super::short).into();
        assert_eq!(names, ["a", "z", "A", "Z", "aa", "ab", "aZ", "ba"]);
    }
}
