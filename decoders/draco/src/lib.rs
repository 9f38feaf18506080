//! The Draco decoder module: one KHR_draco_mesh_compression stream in, its triangle indices and
//! attributes out, in a compact little-endian layout the viewer's loader reads
//! (crate/src/gltf/ext/draco.rs, `Layout::read`, which leaves the arrays where they are):
//!
//! `u32 attribute count, u32 index count, u32 × index count, then per attribute: u32 Draco id,
//! u32 components, u32 points, f32 × components × points` — every attribute per point, in point
//! order, integer ones (joints) as exact floats.
//!
//! On the web it is its own wasm bundle (www/pkg/draco), fetched by the element only for a file
//! that declares the extension and run in a worker; natively the loader calls [`decode`].

use draco_oxide_core::attribute::ComponentDataType as C;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: the module runs on one thread (a worker or the page), never shared.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> = unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// Decoded geometry above this many bytes is refused (a stream's counts are untrusted).
pub const MAX_DECODED: usize = 1 << 29;

/// A primitive declaring more faces or points than this is refused before the decoder allocates
/// its tables (tens of bytes per face): 4.2 million triangles, beyond what a phone draws as one
/// primitive; larger areas stream as 3D Tiles.
pub const MAX_ELEMENTS: usize = 1 << 22;

pub fn decode(source: &[u8]) -> Result<Vec<u8>, String> {
    // Natively (tests, fuzzing) a panic in the decoder is caught; in the wasm bundle panics abort,
    // which the worker reports as an error and answers by starting the module afresh.
    let mesh = std::panic::catch_unwind(|| {
        let limits = draco_oxide_decoder::Limits { max_faces: MAX_ELEMENTS, max_points: MAX_ELEMENTS };
        draco_oxide_decoder::Decoder::with_limits(limits).decode_mesh(source)
    })
        .map_err(|_| "the Draco stream is corrupt (the decoder gave up)".to_string())?
        .map_err(|e| format!("the Draco stream is corrupt or unsupported: {e}"))?;
    let points = mesh.attributes.first().map_or(0, |a| a.len());
    let floats: usize = mesh.attributes.iter().map(|a| a.get_num_components() * a.len()).sum();
    let bytes = 8 + 12 * mesh.attributes.len() + 4 * (3 * mesh.faces.len() + floats);
    if bytes > MAX_DECODED {
        return Err(format!("the Draco stream decodes to {bytes} bytes, more than Scenic takes ({MAX_DECODED})"));
    }
    let mut out = Vec::with_capacity(bytes);
    let put = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    put(&mut out, mesh.attributes.len() as u32);
    put(&mut out, 3 * mesh.faces.len() as u32);
    for face in &mesh.faces {
        for p in face {
            let p = usize::from(*p);
            if p >= points {
                return Err(format!("the Draco stream is corrupt: a face refers to point {p} of {points}"));
            }
            put(&mut out, p as u32);
        }
    }
    for a in &mesh.attributes {
        if a.len() != points {
            return Err("the Draco stream is corrupt: its attributes cover different point counts".into());
        }
        let n = a.get_num_components();
        let size = match a.get_component_type() {
            C::I8 | C::U8 => 1,
            C::I16 | C::U16 => 2,
            C::I32 | C::U32 | C::F32 => 4,
            _ => return Err("the Draco stream has 64-bit attributes, which glTF does not use".into()),
        };
        let ty = a.get_component_type();
        let data = a.get_data_as_bytes();
        let map = a.point_map_as_slice();
        put(&mut out, a.get_id().as_usize() as u32);
        put(&mut out, n as u32);
        put(&mut out, points as u32);
        for p in 0..points {
            let v = map.map_or(p, |m| usize::from(m[p]));
            for c in 0..n {
                let at = (v * n + c) * size;
                let b = data.get(at..at + size).ok_or("the Draco stream is corrupt: a value lies outside its attribute")?;
                let x = match ty {
                    C::I8 => f32::from(b[0] as i8),
                    C::U8 => f32::from(b[0]),
                    C::I16 => f32::from(i16::from_le_bytes([b[0], b[1]])),
                    C::U16 => f32::from(u16::from_le_bytes([b[0], b[1]])),
                    C::I32 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32,
                    C::U32 => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32,
                    _ => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
                };
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
    }
    Ok(out)
}

#[cfg(target_arch = "wasm32")]
mod web {
    use wasm_bindgen::prelude::*;

    /// `decode(source)` for the worker: the layout above, or an exception with the reason.
    #[wasm_bindgen]
    pub fn decode(source: &[u8]) -> Result<Vec<u8>, JsError> {
        super::decode(source).map_err(|e| JsError::new(&e))
    }
}

#[cfg(test)]
mod tests {
    /// Found by `cargo xtask fuzz gltf` (a mutated Draco stream): its wrapped transform's range
    /// has min above max, on which draco-oxide-decoder panicked (fixed in patches/).
    const FUZZ_WRAPPED_RANGE: [u8; 130] = [
        68, 82, 65, 67, 79, 2, 2, 1, 1, 0, 0, 0, 8, 12, 1, 11, 0, 0, 3, 95, 91, 10, 1, 1, 16, 85,
        4, 92, 227, 141, 70, 2, 0, 1, 0, 255, 0, 0, 1, 1, 9, 3, 0, 0, 3, 1, 0, 9, 3, 0, 1, 2,
        0, 3, 1, 1, 1, 128, 4, 85, 53, 255, 255, 255, 255, 255, 255, 255, 247, 173, 10, 6, 76, 253, 208, 164, 110, 167,
        255, 3, 0, 0, 255, 1, 0, 0, 10, 1, 1, 1, 0, 3, 3, 1, 48, 1, 16, 3, 0, 36, 150, 19, 10, 36,
        4, 0, 63, 0, 0, 255, 0, 0, 0, 0, 0, 0, 191, 0, 0, 0, 191, 0, 0, 0, 191, 0, 0, 128, 63, 14,
    ];

    /// A mutated Draco Box whose rANS alphabet size reads as ~2^60 (`cargo xtask fuzz gltf`,
    /// 1 Dec 2026): `vec![0; n]` panicked with a capacity overflow (patches/README.md).
    const FUZZ_RANS_ALPHABET: [u8; 130] = [
        68, 82, 65, 67, 79, 2, 2, 1, 1, 0, 0, 0, 8, 12, 1, 11, 0, 0, 3, 95, 91, 10, 1, 1, 16, 85, 4, 92, 227, 141, 70, 2, 0, 1, 0, 255,
        0, 0, 1, 1, 9, 3, 0, 0, 3, 1, 0, 9, 3, 0, 1, 2, 0, 3, 1, 1, 1, 138, 251, 170, 202, 255, 255, 255, 255, 255, 255, 255, 247, 173,
        10, 6, 76, 253, 208, 164, 110, 167, 255, 3, 0, 0, 255, 1, 0, 0, 10, 1, 1, 1, 0, 3, 3, 1, 255, 255, 255, 48, 1, 16, 3, 0, 36, 150,
        19, 10, 36, 4, 0, 0, 0, 0, 255, 63, 251, 255, 255, 255, 0, 191, 0, 0, 0, 191, 0, 0, 0, 191, 0, 0,
    ];

    /// A mutated Draco Box whose edgebreaker symbols run past their bit stream (`cargo xtask fuzz
    /// gltf`, 1 Dec 2026): an index out of bounds in the traversal's bit reader.
    const FUZZ_EDGEBREAKER_BITS: [u8; 132] = [
        68, 82, 65, 67, 79, 2, 2, 1, 1, 0, 0, 0, 235, 8, 12, 1, 11, 0, 0, 3, 95, 213, 91, 10, 1, 1, 16, 85, 4, 92, 227, 141, 70, 2, 0, 1,
        0, 255, 0, 0, 135, 1, 1, 9, 3, 0, 0, 3, 1, 0, 9, 253, 255, 0, 2, 0, 3, 1, 1, 1, 128, 4, 85, 53, 255, 255, 255, 255, 255, 255,
        255, 247, 173, 10, 6, 76, 253, 208, 164, 110, 167, 255, 3, 209, 0, 0, 255, 1, 0, 0, 10, 1, 1, 1, 0, 3, 3, 1, 48, 1, 16, 3, 0, 36,
        150, 19, 10, 36, 4, 0, 0, 0, 0, 255, 63, 0, 0, 0, 0, 0, 191, 0, 0, 0, 191, 0, 0, 0, 191, 0, 0, 128,
    ];

    /// A mutated Draco Box declaring ~2^50 topology splits (`cargo xtask fuzz gltf`, 1 Dec 2026):
    /// `Vec::with_capacity` of petabytes, an allocation failure that aborts (not even a panic).
    const FUZZ_TOPOLOGY_SPLITS: [u8; 132] = [
        68, 82, 65, 67, 79, 2, 2, 1, 1, 0, 0, 255, 255, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 127, 255, 255, 255, 255, 255, 255, 255, 0, 8, 12, 1, 11,
        0, 0, 3, 95, 91, 10, 1, 1, 16, 85, 4, 92, 227, 141, 70, 2, 0, 1, 0, 255, 0, 0, 1, 1, 9, 3, 0, 0, 3, 1, 0, 9, 3, 0, 1, 2,
        0, 3, 1, 1, 1, 128, 4, 85, 53, 255, 255, 255, 255, 255, 255, 255, 247, 173, 10, 6, 109, 112, 111, 110, 101, 110, 116, 84, 121, 112, 101, 34, 1, 0, 10, 0,
        0, 1, 1, 3, 3, 1, 48, 1, 16, 3, 0, 36, 150, 19, 10, 36, 4, 0, 0, 0, 0, 255, 63, 0,
    ];

    /// A mutated Draco Box whose edgebreaker header declares ~2^59 vertices (`cargo xtask fuzz
    /// gltf`, 2 Dec 2026): `vec![true; n]` in the reconstruction, an allocation failure that aborts.
    const FUZZ_EDGEBREAKER_COUNTS: [u8; 130] = [
        68, 82, 65, 67, 79, 2, 2, 1, 1, 0, 0, 0, 147, 147, 147, 147, 147, 147, 147, 147, 8, 11, 1, 11, 0, 0, 3, 95, 59, 10, 1, 1, 16, 182, 4, 92,
        227, 114, 70, 2, 0, 1, 0, 255, 0, 0, 1, 1, 9, 3, 0, 0, 3, 1, 0, 9, 2, 0, 1, 2, 0, 3, 1, 1, 1, 128, 4, 85, 53, 255, 255, 255,
        255, 255, 255, 255, 247, 173, 10, 6, 76, 253, 192, 164, 110, 159, 255, 35, 0, 0, 255, 1, 0, 0, 10, 1, 1, 1, 0, 3, 3, 1, 48, 1, 16, 3, 0, 36,
        150, 19, 195, 10, 36, 4, 0, 0, 0, 0, 253, 63, 0, 0, 0, 0, 0, 191, 0, 0, 0, 191,
    ];

    /// A mutated Draco Box declaring the octahedral transform for a three-component attribute
    /// (`cargo xtask fuzz gltf`, 2 Dec 2026, after 9.5 million executions): `assert!(N == 2)`.
    const FUZZ_OCTAHEDRAL_COMPONENTS: [u8; 130] = [
        68, 82, 65, 67, 79, 2, 2, 1, 1, 0, 0, 0, 8, 12, 1, 11, 0, 0, 3, 95, 91, 10, 1, 1, 16, 182, 4, 92, 227, 114, 189, 2, 0, 1, 0, 255,
        0, 0, 1, 1, 9, 3, 0, 0, 3, 1, 0, 9, 3, 0, 1, 2, 0, 3, 1, 1, 1, 128, 4, 85, 53, 255, 255, 255, 255, 255, 255, 255, 247, 173, 10, 6,
        76, 253, 192, 164, 110, 163, 255, 35, 0, 0, 255, 1, 0, 0, 10, 1, 3, 1, 0, 3, 3, 1, 48, 1, 16, 3, 0, 36, 150, 19, 10, 36, 4, 0, 0, 0,
        0, 253, 63, 0, 0, 0, 0, 0, 191, 0, 0, 0, 191, 0, 0, 0, 191, 0, 0, 128, 63, 14,
    ];

    #[test]
    fn fuzz_findings_are_errors_from_the_decoder_not_panics() {
        for stream in [&FUZZ_WRAPPED_RANGE[..], &FUZZ_RANS_ALPHABET, &FUZZ_EDGEBREAKER_BITS, &FUZZ_TOPOLOGY_SPLITS, &FUZZ_EDGEBREAKER_COUNTS, &FUZZ_OCTAHEDRAL_COMPONENTS] {
            let e = super::decode(stream).unwrap_err();
            assert!(!e.contains("gave up"), "the decoder panicked: {e}");
        }
    }

    /// A 3 × 3 grid (positions, normals, UVs) as gltf-transform's `draco()` writes it with
    /// Google's encoder: nine vertices, eight triangles. draco-oxide decoded a tenth point, a copy
    /// of the middle vertex that no face used (patches/README.md); Google's decoder gives nine.
    const GRID_3X3: [u8; 216] = [
        68, 82, 65, 67, 79, 2, 2, 1, 1, 0, 0, 0, 9, 8, 2, 8, 1, 0, 3, 239, 211, 26, 255, 1, 17, 255, 2, 136, 64, 255, 2, 136, 64, 3, 255, 0,
        0, 0, 0, 0, 1, 0, 0, 1, 0, 9, 3, 0, 0, 2, 1, 1, 9, 3, 0, 1, 3, 1, 3, 9, 2, 0, 2, 2, 1, 1, 1, 0, 15, 3, 85, 21, 23, 29, 7, 7,
        57, 14, 7, 89, 21, 4, 120, 148, 220, 124, 255, 191, 170, 242, 255, 255, 255, 0, 192, 255, 15, 0, 188, 1, 255, 63, 0, 16, 79, 0, 0, 0, 89, 5,
        0, 1, 170, 1, 0, 0, 0, 0, 0, 255, 63, 0, 0, 0, 0, 0, 0, 63, 254, 154, 189, 0, 0, 0, 192, 0, 0, 0, 64, 14, 0, 3, 1, 0, 10, 3,
        229, 56, 27, 29, 7, 3, 61, 30, 133, 255, 1, 0, 0, 0, 255, 3, 0, 0, 255, 1, 0, 0, 10, 1, 1, 1, 0, 13, 3, 173, 42, 39, 85, 21, 3, 42,
        98, 76, 255, 255, 255, 255, 255, 255, 0, 240, 255, 0, 2, 0, 0, 0, 0, 255, 15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128, 63, 12,
    ];

    #[test]
    fn a_grid_decodes_to_its_nine_points_all_of_them_used() {
        let out = super::decode(&GRID_3X3).unwrap();
        let word = |i: usize| u32::from_le_bytes(out[4 * i..4 * i + 4].try_into().unwrap()) as usize;
        let (attributes, indices) = (word(0), word(1));
        assert_eq!((attributes, indices), (3, 24));
        let used: std::collections::BTreeSet<usize> = (0..indices).map(|k| word(2 + k)).collect();
        // Every attribute has nine points, and the faces use each of them.
        let mut at = 2 + indices;
        for _ in 0..attributes {
            let (components, points) = (word(at + 1), word(at + 2));
            assert_eq!(points, 9);
            at += 3 + components * points;
        }
        assert_eq!(used, (0..9).collect());
        // The nine positions are the grid's nine places (x 0..2, z 0..-2), each once.
        let f = |i: usize| f32::from_bits(word(i) as u32);
        let mut places: Vec<(i32, i32)> = (0..9).map(|p| ((f(2 + indices + 3 + 3 * p)).round() as i32, (f(2 + indices + 3 + 3 * p + 2)).round() as i32)).collect();
        places.sort_unstable();
        let mut grid: Vec<(i32, i32)> = (0..3).flat_map(|x| (0..3).map(move |z| (x, -z))).collect();
        grid.sort_unstable();
        assert_eq!(places, grid);
    }

    #[test]
    fn garbage_and_truncation_are_errors_not_panics() {
        for bytes in [&b""[..], b"DRACO", b"DRACO\x02\x02\x01\x01\x00\x00", &[0xff; 64]] {
            assert!(super::decode(bytes).is_err(), "{bytes:?}");
        }
    }
}
