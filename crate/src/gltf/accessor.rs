//! Reads accessors into plain arrays with every bound checked: component types, normalisation
//! (KHR_mesh_quantization), byte strides and sparse substitution.

use std::borrow::Cow;
use std::ops::Range;

use super::Bytes;
use super::doc::{Accessor, ComponentType as DataType, Document, View};
use crate::error::LoadError;
use crate::scene::{FileStream, Indices};

/// More elements than this from an accessor without a buffer view (all zeros) is refused:
/// such a count costs nothing in the file but could exhaust wasm memory.
const MAX_ZERO_FILLED: usize = 1 << 26;

fn pointer(index: usize, field: &str) -> String {
    format!("/accessors/{index}{field}")
}

/// A validated window into a buffer view: `count` elements of `elem` bytes, `stride` apart.
/// Copied out of the buffer only where the buffer is not in wasm memory (on the web).
struct Window<'a> {
    bytes: Cow<'a, [u8]>,
    stride: usize,
}

/// Where `count` elements of `elem` bytes, `stride` apart, lie in a checked buffer view:
/// the buffer, the byte range they span and the stride.
fn span<'a>(
    (v, view): (usize, &View),
    offset: usize,
    count: usize,
    elem: usize,
    buffers: &'a [Box<dyn Bytes>],
    at: impl Fn() -> String,
) -> Result<(&'a dyn Bytes, Range<usize>, usize), LoadError> {
    let buffer = buffers
        .get(view.buffer)
        .filter(|b| !b.is_empty())
        .ok_or_else(|| LoadError::invalid(at(), format!("buffer {} has no data (it was not loaded)", view.buffer)))?;
    view.offset.checked_add(view.length).filter(|&e| e <= buffer.len()).ok_or_else(|| {
        LoadError::invalid(format!("/bufferViews/{v}"), format!("bytes {}..{} lie outside the buffer of {} bytes", view.offset, view.offset + view.length, buffer.len()))
    })?;
    let stride = view.stride.unwrap_or(elem);
    if stride < elem {
        return Err(LoadError::invalid(format!("/bufferViews/{v}/byteStride"), format!("stride {stride} is smaller than an element ({elem} bytes)")));
    }
    let needed = if count == 0 { Some(offset) } else { (count - 1).checked_mul(stride).and_then(|n| n.checked_add(elem)).and_then(|n| n.checked_add(offset)) }
        .ok_or_else(|| LoadError::invalid(at(), "size overflows"))?;
    if needed > view.length {
        return Err(LoadError::invalid(at(), format!("needs {needed} bytes but its buffer view has {}", view.length)));
    }
    Ok((&**buffer, view.offset + offset..view.offset + needed, stride))
}

fn window<'a>(
    view: (usize, &View),
    offset: usize,
    count: usize,
    elem: usize,
    buffers: &'a [Box<dyn Bytes>],
    at: impl Fn() -> String,
) -> Result<Window<'a>, LoadError> {
    let (buffer, range, stride) = span(view, offset, count, elem, buffers, &at)?;
    // Only the bytes this accessor spans: on the web each window is a copy.
    let bytes = buffer.get(range).ok_or_else(|| LoadError::invalid(at(), "lies outside its buffer view"))?;
    Ok(Window { bytes, stride })
}

/// A tightly packed, non-sparse accessor of 4-byte components read straight into `T`s (the
/// bytes are little-endian, as wasm and the targets Scenic is built for): no intermediate copy
/// of the bytes. None where the accessor needs converting (other types, strides, sparse).
fn read_packed<T: bytemuck::Pod>(doc: &Document, index: usize, buffers: &[Box<dyn Bytes>], ty: DataType) -> Option<Result<Vec<T>, LoadError>> {
    let acc = &doc.accessors[index];
    let v = acc.view?;
    let elem = acc.components * 4;
    if acc.component != ty || acc.normalized || acc.sparse.is_some() || doc.views[v].stride.is_some_and(|s| s != elem) || !cfg!(target_endian = "little") {
        return None;
    }
    Some(span((v, &doc.views[v]), acc.offset, acc.count, elem, buffers, || pointer(index, "")).and_then(|(buffer, range, _)| {
        let mut out = vec![T::zeroed(); acc.count * acc.components];
        match buffer.read_into(range.start, bytemuck::cast_slice_mut(&mut out)) {
            true => Ok(out),
            false => Err(LoadError::invalid(pointer(index, ""), "lies outside its buffer view")),
        }
    }))
}

fn component(bytes: &[u8], ty: DataType, normalized: bool) -> f64 {
    let v = match ty {
        DataType::I8 => bytes[0] as i8 as f64,
        DataType::U8 => bytes[0] as f64,
        DataType::I16 => i16::from_le_bytes([bytes[0], bytes[1]]) as f64,
        DataType::U16 => u16::from_le_bytes([bytes[0], bytes[1]]) as f64,
        DataType::U32 => u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as f64,
        DataType::F32 => f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as f64,
    };
    if !normalized {
        return v;
    }
    // The glTF spec's integer-to-float rules for normalised components.
    match ty {
        DataType::I8 => (v / 127.0).max(-1.0),
        DataType::U8 => v / 255.0,
        DataType::I16 => (v / 32767.0).max(-1.0),
        DataType::U16 => v / 65535.0,
        _ => v,
    }
}

/// All components of an accessor, flattened, through `conv`.
fn read<T: Copy + Default>(doc: &Document, index: usize, buffers: &[Box<dyn Bytes>], conv: impl Fn(f64) -> T) -> Result<Vec<T>, LoadError> {
    let acc = &doc.accessors[index];
    let view = |v: usize| (v, &doc.views[v]);
    let n = acc.components;
    let size = acc.component.size();
    let elem = n * size;
    let count = acc.count;
    let normalized = acc.normalized;
    let mut out = match acc.view {
        Some(v) => {
            let w = window(view(v), acc.offset, count, elem, buffers, || pointer(index, ""))?;
            let mut out = Vec::with_capacity(count * n);
            for i in 0..count {
                let e = &w.bytes[i * w.stride..i * w.stride + elem];
                out.extend(e.chunks_exact(size).map(|c| conv(component(c, acc.component, normalized))));
            }
            out
        }
        None => {
            let total = count.checked_mul(n).filter(|&t| t <= MAX_ZERO_FILLED).ok_or_else(|| {
                LoadError::invalid(pointer(index, "/count"), format!("{count} elements without a buffer view is too many"))
            })?;
            vec![conv(0.0); total]
        }
    };
    if let Some(sparse) = &acc.sparse {
        let k = sparse.count;
        if k > count {
            return Err(LoadError::invalid(pointer(index, "/sparse/count"), format!("{k} substitutions for {count} elements")));
        }
        let idx_ty = sparse.indices_component;
        let iw = window(view(sparse.indices_view), sparse.indices_offset, k, idx_ty.size(), buffers, || pointer(index, "/sparse/indices"))?;
        let vw = window(view(sparse.values_view), sparse.values_offset, k, elem, buffers, || pointer(index, "/sparse/values"))?;
        let mut last = None;
        for j in 0..k {
            let target = component(&iw.bytes[j * idx_ty.size()..], idx_ty, false) as usize;
            if target >= count || last.is_some_and(|l| target <= l) {
                return Err(LoadError::invalid(pointer(index, "/sparse/indices"), format!("index {target} is out of range or not increasing")));
            }
            last = Some(target);
            let e = &vw.bytes[j * elem..(j + 1) * elem];
            for (c, bytes) in e.chunks_exact(size).enumerate() {
                out[target * n + c] = conv(component(bytes, acc.component, normalized));
            }
        }
    }
    Ok(out)
}

/// All components of a float accessor, flattened. Not generic: one copy of `read` serves every
/// attribute width (a copy per width cost 6 KB of wasm each).
fn read_f32(doc: &Document, index: usize, buffers: &[Box<dyn Bytes>]) -> Result<Vec<f32>, LoadError> {
    read_packed(doc, index, buffers, DataType::F32).unwrap_or_else(|| read(doc, index, buffers, |v| v as f32))
}

/// Reads a float attribute with `N` components per element (e.g. VEC3 positions).
pub fn read_vec<const N: usize>(doc: &Document, index: usize, buffers: &[Box<dyn Bytes>]) -> Result<Vec<[f32; N]>, LoadError> {
    let n = doc.accessors[index].components;
    if n != N {
        return Err(LoadError::invalid(pointer(index, "/type"), format!("expected {N} components, found {n}")));
    }
    Ok(arrays(read_f32(doc, index, buffers)?))
}

/// Flat floats as elements of `N`: the allocation becomes the array in place (no second copy
/// at the peak).
pub fn arrays<const N: usize>(flat: Vec<f32>) -> Vec<[f32; N]> {
    bytemuck::allocation::try_cast_vec(flat).unwrap_or_else(|(_, flat)| flat.chunks_exact(N).map(|c| std::array::from_fn(|i| c[i])).collect())
}

/// Where a float attribute of `components` per element lies in its buffer as the GPU takes it
/// (tightly packed f32, not sparse), for the renderer to copy from there (scene::FileStream);
/// None where it has to be read and converted; an error where it lies outside its buffer.
pub fn in_file(doc: &Document, index: usize, buffers: &[Box<dyn Bytes>], components: usize) -> Option<Result<FileStream, LoadError>> {
    let acc = &doc.accessors[index];
    let v = acc.view?;
    let elem = components * 4;
    if acc.components != components || acc.component != DataType::F32 || acc.normalized || acc.sparse.is_some() || doc.views[v].stride.is_some_and(|s| s != elem) || !cfg!(target_endian = "little") {
        return None;
    }
    let at = span((v, &doc.views[v]), acc.offset, acc.count, elem, buffers, || pointer(index, ""));
    Some(at.map(|(_, range, _)| FileStream { buffer: doc.views[v].buffer, start: range.start, len: acc.count * elem }))
}

/// Reads vertex colours, VEC3 or VEC4, as RGBA.
pub fn read_colors(doc: &Document, index: usize, buffers: &[Box<dyn Bytes>]) -> Result<Vec<[f32; 4]>, LoadError> {
    match doc.accessors[index].components {
        3 => Ok(read_vec::<3>(doc, index, buffers)?.into_iter().map(|[r, g, b]| [r, g, b, 1.0]).collect()),
        _ => read_vec::<4>(doc, index, buffers),
    }
}

/// Indices for a primitive of `vertices`: 16-bit where every vertex fits (see scene::Indices),
/// read in slices so that neither a copy of the file's bytes nor a 32-bit array is held at once
/// (a 32-bit file's indices for a small mesh used to cost twice their drawn size at the peak).
/// Values past `vertices` are refused here where narrowing would hide them, else by the caller.
pub fn read_indices(doc: &Document, index: usize, buffers: &[Box<dyn Bytes>], vertices: usize) -> Result<Indices, LoadError> {
    let Accessor { components, component, normalized, count, offset, view, ref sparse } = doc.accessors[index];
    if components != 1 || !matches!(component, DataType::U8 | DataType::U16 | DataType::U32) || normalized {
        return Err(LoadError::invalid(pointer(index, ""), "indices must be unnormalised unsigned integer scalars"));
    }
    let narrow = vertices <= 1 << 16;
    let size = component.size();
    let mut out = if narrow { Indices::U16(Vec::with_capacity(count)) } else { Indices::U32(Vec::with_capacity(count)) };
    // The first value past the mesh where narrowing would hide it; the caller checks the rest.
    let mut bad = None;
    let mut push = |i: u32| match &mut out {
        Indices::U16(o) => {
            if i as usize >= vertices {
                bad.get_or_insert(i);
            }
            o.push(i as u16)
        }
        Indices::U32(o) => o.push(i),
    };
    match view.filter(|&v| sparse.is_none() && doc.views[v].stride.is_none_or(|s| s == size)) {
        Some(v) => {
            let (buffer, range, _) = span((v, &doc.views[v]), offset, count, size, buffers, || pointer(index, ""))?;
            let mut slice = vec![0u8; count.min(4096) * size];
            for at in (0..count * size).step_by(slice.len().max(1)) {
                let part = &mut slice[..(count * size - at).min(4096 * size)];
                if !buffer.read_into(range.start + at, part) {
                    return Err(LoadError::invalid(pointer(index, ""), "lies outside its buffer view"));
                }
                part.chunks_exact(size).for_each(|c| push(component_u32(c)));
            }
        }
        // Strided, sparse or zero-filled indices (rare).
        None => read(doc, index, buffers, |v| v as u32)?.into_iter().for_each(&mut push),
    }
    match bad {
        Some(i) => Err(LoadError::invalid(pointer(index, ""), format!("index {i} is out of range for {vertices} vertices"))),
        None => Ok(out),
    }
}

fn component_u32(c: &[u8]) -> u32 {
    match *c {
        [a] => u32::from(a),
        [a, b] => u32::from(u16::from_le_bytes([a, b])),
        [a, b, c, d] => u32::from_le_bytes([a, b, c, d]),
        _ => 0,
    }
}
