//! Reading and writing wasm's binary format: the few primitives the build's module rewriters
//! (`names`, `split`) share.

use crate::Result;

pub fn leb(bytes: &[u8], at: &mut usize) -> Result<u64> {
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

pub fn write_leb(out: &mut Vec<u8>, mut n: u64) {
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

pub fn name<'a>(bytes: &'a [u8], at: &mut usize) -> Result<&'a str> {
    let len = leb(bytes, at)? as usize;
    let s = bytes.get(*at..*at + len).ok_or("wasm: a name is cut short")?;
    *at += len;
    std::str::from_utf8(s).map_err(|e| format!("wasm: a name is not UTF-8: {e}"))
}

pub fn write_name(out: &mut Vec<u8>, s: &str) {
    write_leb(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// A section that is a vector of entries, each rewritten by `entry` (reading from `at` in
/// `body`, writing to `out`); fails where bytes are left after the last.
pub fn entries(body: &[u8], what: &str, mut entry: impl FnMut(&mut usize, &mut Vec<u8>) -> Result<()>) -> Result<Vec<u8>> {
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


/// A module's sections in order, as (id, contents); fails where it is not a version 1 module or
/// a section is cut short.
pub fn sections(wasm: &[u8]) -> Result<Vec<(u8, &[u8])>> {
    if wasm.get(..8) != Some(b"\0asm\x01\0\0\0".as_slice()) {
        return Err("not a wasm module (version 1)".into());
    }
    let mut out = Vec::new();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let len = leb(wasm, &mut at)? as usize;
        out.push((id, wasm.get(at..at + len).ok_or("wasm: a section is cut short")?));
        at += len;
    }
    Ok(out)
}

/// The module with each section's contents replaced by what `each` makes of (id, contents),
/// in the same order; the header kept.
pub fn map_sections(wasm: &[u8], mut each: impl FnMut(u8, &[u8]) -> Result<Vec<u8>>) -> Result<Vec<u8>> {
    let sections = sections(wasm)?;
    let mut out = wasm[..8].to_vec();
    for (id, body) in sections {
        let body = each(id, body)?;
        section(&mut out, id, &body);
    }
    Ok(out)
}

/// Appends a section: its id, its length, its contents.
pub fn section(out: &mut Vec<u8>, id: u8, body: &[u8]) {
    out.push(id);
    write_leb(out, body.len() as u64);
    out.extend_from_slice(body);
}

/// One entry of the import section.
pub struct Import<'a> {
    pub module: &'a str,
    pub field: &'a str,
    /// 0 function, 1 table, 2 memory, 3 global, 4 tag.
    pub kind: u8,
    /// The kind byte and what follows it (a type index, limits, a value type).
    pub ty: &'a [u8],
}

/// Reads the import entry at `at` in the import section's `body`.
pub fn import<'a>(body: &'a [u8], at: &mut usize) -> Result<Import<'a>> {
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
    let ty = body.get(ty..*at).ok_or("wasm: an import is cut short")?;
    Ok(Import { module, field, kind, ty })
}
