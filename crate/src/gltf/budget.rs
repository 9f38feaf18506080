//! What a model will take once shown, estimated from its document and image headers before any
//! of it is decoded: a model past the viewer's memory budget is then refused with a message
//! instead of crashing a phone's tab half way through. Geometry is counted as Scenic holds it
//! (every vertex stream as f32 on the GPU, unwelded where normals are generated, positions and
//! indices kept in wasm for line of sight, simplified past geometry::simplify's budget); textures as RGBA8 with their mip chains, or KTX2 ones as
//! the 1-byte-a-texel blocks they stay where the GPU samples a block format.

use super::doc::{Document, ImageSource, Mode};
use super::{Bytes, Fetched, Parsed};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Estimate {
    /// Vertex and index buffers (GPU) and what wasm keeps of them.
    pub geometry: u64,
    /// Texels of the images whose size their headers give, with mips.
    pub textures: u64,
    /// Images whose size could not be read (a data URI, an unknown format): not counted.
    pub unknown_images: usize,
}

impl Estimate {
    pub fn total(&self) -> u64 {
        self.geometry + self.textures
    }

    /// Ok within `budget` bytes, else the message the page shows.
    pub fn within(&self, budget: u64) -> Result<(), String> {
        if self.total() <= budget {
            return Ok(());
        }
        Err(format!(
            "needs about {} MB of memory once shown (geometry {} MB, textures {} MB), more than this viewer's budget of {} MB (the memory-budget attribute); a lighter version of the model (compressed, fewer triangles, smaller textures) would fit",
            mb(self.total()),
            mb(self.geometry),
            mb(self.textures),
            mb(budget)
        ))
    }
}

/// Bytes as MiB for a message: whole ones from 10 up, tenths below (a small model against a small
/// budget would otherwise read "0 MB"). Each rounded once from the bytes (rounding the tenths
/// again would make 10.46 MiB read 11). Integer arithmetic: no float formatting in the bundle.
fn mb(bytes: u64) -> String {
    let half = 1 << 19;
    let tenths = (bytes.saturating_mul(10).saturating_add(half)) >> 20;
    if tenths >= 100 { format!("{}", bytes.saturating_add(half) >> 20) } else { format!("{}.{}", tenths / 10, tenths % 10) }
}

impl Parsed {
    /// The estimate, once external images are fetched (`fetched`), before `build`; images
    /// larger than `max_side` count as the downscaled copies the renderer uploads. `blocks`:
    /// the GPU samples a block format, so KTX2 images stay blocks (see [`ktx2_on_gpu`]).
    pub fn estimate(&self, fetched: &Fetched, max_side: u32, blocks: bool) -> Estimate {
        let doc = &self.document;
        let mut e = Estimate { geometry: geometry(doc), ..Default::default() };
        for (index, img) in doc.images.iter().enumerate() {
            let found: Option<(&dyn Bytes, usize, usize)> = match &img.source {
                ImageSource::View { view, .. } => doc.views.get(*view).and_then(|v| {
                    let buf: &dyn Bytes = match (doc.buffers.get(v.buffer)?.uri.as_ref(), v.buffer) {
                        (None, 0) => &**self.blob.as_ref()?,
                        _ => &*fetched.buffers.iter().find(|(i, _)| *i == v.buffer)?.1,
                    };
                    Some((buf, v.offset, v.length))
                }),
                ImageSource::Uri { .. } => fetched.images.iter().find(|(i, _)| *i == index).map(|(_, b)| (&**b, 0, b.len())),
            };
            let Some((w, h)) = found.and_then(|(b, at, len)| image_size(b, at, len)) else {
                e.unknown_images += 1;
                continue;
            };
            let levels = found.and_then(|(b, at, len)| ktx2_header(b, at, len)).map(|k| k.2);
            let scale = (f64::from(max_side.max(1)) / f64::from(w.max(h).max(1))).min(1.0);
            let (sw, sh) = ((f64::from(w) * scale).ceil() as u64, (f64::from(h) * scale).ceil() as u64);
            e.textures += match levels {
                Some(levels) if blocks && ktx2_on_gpu(w, h, levels, max_side) => sw * sh * if levels > 1 { 4 } else { 3 } / 3,
                // RGBA8 and a full mip chain (a third more).
                _ => sw * sh * 4 * 4 / 3,
            };
        }
        e
    }
}

/// Triangles the document's primitives draw (strips and fans as the lists they unroll to).
pub fn triangles(doc: &Document) -> u64 {
    let count = |a: Option<usize>| a.and_then(|a| doc.accessors.get(a)).map_or(0, |a| a.count as u64);
    doc.meshes
        .iter()
        .flat_map(|m| &m.primitives)
        .map(|p| {
            let corners = if p.indices.is_some() { count(p.indices) } else { count(p.attribute("POSITION")) };
            match p.mode {
                Mode::Triangles => corners / 3,
                Mode::TriangleStrip | Mode::TriangleFan => corners.saturating_sub(2),
                _ => 0,
            }
        })
        .sum()
}

fn geometry(doc: &Document) -> u64 {
    let count = |a: Option<usize>| a.and_then(|a| doc.accessors.get(a)).map_or(0, |a| a.count as u64);
    // A model past the line-of-sight budget keeps a simplified copy of that many triangles.
    let (total, sight) = (triangles(doc), crate::geometry::simplify::SIGHT_TRIANGLES as u64);
    let mut bytes = 0;
    for p in doc.meshes.iter().flat_map(|m| &m.primitives) {
        let vertices = count(p.attribute("POSITION"));
        let corners = if p.indices.is_some() { count(p.indices) } else { vertices };
        let triangles = matches!(p.mode, Mode::Triangles | Mode::TriangleStrip | Mode::TriangleFan);
        let has = |name: &str| p.attribute(name).is_some();
        // Flat normals are generated on one vertex per corner.
        let (n, indices) = if triangles && !has("NORMAL") { (corners.max(vertices), 0) } else { (vertices, corners) };
        let tangents = has("TANGENT") || doc.tangent_uv_set(p).is_some();
        // Floats per vertex: position, normal, tangent, two UV sets, colour.
        let floats = 3 + 3 + if tangents { 4 } else { 0 } + if has("TEXCOORD_0") { 2 } else { 0 } + if has("TEXCOORD_1") { 2 } else { 0 } + if has("COLOR_0") { 4 } else { 0 };
        let deform = if has("JOINTS_0") { 32 } else { 0 } + p.targets.len() as u64 * 12;
        // 16-bit indices where every vertex fits (scene::Indices).
        let index_size = if n <= 1 << 16 { 2 } else { 4 };
        // In wasm: positions and indices (line of sight), or their simplified copy.
        let mut kept = n * 12 + indices * index_size;
        if total > sight && triangles && deform == 0 {
            kept = kept * sight / total;
        }
        // GPU streams and indices, and what wasm keeps.
        bytes += n * floats * 4 + indices * index_size + kept + n * deform;
    }
    bytes
}

/// Whether a KTX2 image of `width` × `height` with `levels` mip levels goes to the GPU as blocks
/// (where it samples a block format): a base level in whole 4×4 blocks, and a level that fits
/// `max_side` (one without mips that is too large comes as RGBA8, for the browser to scale).
pub fn ktx2_on_gpu(width: u32, height: u32, levels: u32, max_side: u32) -> bool {
    let smallest = width.max(height) >> levels.clamp(1, 32).saturating_sub(1).min(31);
    width % 4 == 0 && height % 4 == 0 && smallest <= max_side
}

/// Width, height and mip level count of a KTX2 image at `start` (`len` bytes), if it is one.
pub fn ktx2_header(b: &dyn Bytes, start: usize, len: usize) -> Option<(u32, u32, u32)> {
    let mut head = [0u8; 44];
    if len < head.len() || !b.read_into(start, &mut head) || !head.starts_with(b"\xabKTX 20\xbb\r\n\x1a\n") {
        return None;
    }
    let word = |at: usize| u32::from_le_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    // levelCount 0 means "make the mips yourself": one level in the file.
    Some((word(20), word(24), word(40).max(1)))
}

/// Width and height from a PNG, JPEG, WebP or KTX2 header at `start` (`len` bytes), read in small
/// pieces (the bytes may be outside wasm memory).
fn image_size(b: &dyn Bytes, start: usize, len: usize) -> Option<(u32, u32)> {
    let end = start.checked_add(len)?.min(b.len());
    let read = |at: usize, n: usize| -> Option<Vec<u8>> {
        let mut out = vec![0; n];
        (at.checked_add(n)? <= end && b.read_into(at, &mut out)).then_some(out)
    };
    let be16 = |x: &[u8]| u32::from(u16::from_be_bytes([x[0], x[1]]));
    let head = read(start, 30).or_else(|| read(start, 24))?;
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some((u32::from_be_bytes(head[16..20].try_into().ok()?), u32::from_be_bytes(head[20..24].try_into().ok()?)));
    }
    if head.starts_with(b"\xabKTX 20\xbb\r\n\x1a\n") {
        return Some((u32::from_le_bytes(head[20..24].try_into().ok()?), u32::from_le_bytes(head[24..28].try_into().ok()?)));
    }
    if head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" && head.len() >= 30 {
        let le24 = |x: &[u8]| u32::from(x[0]) | u32::from(x[1]) << 8 | u32::from(x[2]) << 16;
        return match &head[12..16] {
            b"VP8 " => Some((u32::from(u16::from_le_bytes([head[26], head[27]]) & 0x3fff), u32::from(u16::from_le_bytes([head[28], head[29]]) & 0x3fff))),
            b"VP8L" => {
                let v = u32::from_le_bytes(head[21..25].try_into().ok()?);
                Some(((v & 0x3fff) + 1, ((v >> 14) & 0x3fff) + 1))
            }
            b"VP8X" => Some((le24(&head[24..27]) + 1, le24(&head[27..30]) + 1)),
            _ => None,
        };
    }
    if head.starts_with(&[0xff, 0xd8]) {
        // Segments until a start-of-frame (SOF0..SOF15 but DHT, JPG, DAC), at most 64 of them.
        let mut at = start + 2;
        for _ in 0..64 {
            let seg = read(at, 9)?;
            if seg[0] != 0xff {
                return None;
            }
            let marker = seg[1];
            if (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker) {
                return Some((be16(&seg[7..9]), be16(&seg[5..7])));
            }
            at += 2 + be16(&seg[2..4]) as usize;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_headers_give_their_sizes() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(4096u32.to_be_bytes());
        png.extend(2048u32.to_be_bytes());
        png.extend([8, 6, 0, 0, 0, 0, 0, 0]);
        assert_eq!(image_size(&png, 0, png.len()), Some((4096, 2048)));
        // JPEG: an APP0 segment, then SOF0 with height 300, width 500.
        let jpeg = [&[0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0][..], &[0xff, 0xc0, 0, 17, 8, 0x01, 0x2c, 0x01, 0xf4, 3][..], &[0; 16][..]].concat();
        assert_eq!(image_size(&jpeg, 0, jpeg.len()), Some((500, 300)));
        // Inside a larger buffer, and cut short.
        let inside = [&[7u8; 5][..], &png].concat();
        assert_eq!(image_size(&inside, 5, png.len()), Some((4096, 2048)));
        assert_eq!(image_size(&png, 0, 20), None);
        let mut ktx2 = b"\xabKTX 20\xbb\r\n\x1a\n\0\0\0\0\0\0\0\0".to_vec();
        ktx2.extend(2048u32.to_le_bytes());
        ktx2.extend(1024u32.to_le_bytes());
        ktx2.extend([0; 8]);
        assert_eq!(image_size(&ktx2, 0, ktx2.len()), Some((2048, 1024)));
        ktx2.resize(44, 0);
        ktx2[40..44].copy_from_slice(&12u32.to_le_bytes());
        assert_eq!(ktx2_header(&ktx2, 0, ktx2.len()), Some((2048, 1024, 12)));
        assert_eq!(ktx2_header(&png, 0, png.len()), None);
        assert_eq!(image_size(&b"not an image at all, no".to_vec(), 0, 23), None);
    }

    #[test]
    fn ktx2_stays_blocks_where_a_level_fits_in_whole_blocks() {
        // A whole chain starts at a level that fits; one level must fit itself.
        assert!(ktx2_on_gpu(8192, 8192, 14, 4096));
        assert!(ktx2_on_gpu(4096, 4096, 1, 4096));
        assert!(!ktx2_on_gpu(8192, 8192, 1, 4096));
        // Not in whole blocks: RGBA8.
        assert!(!ktx2_on_gpu(1026, 1024, 11, 8192));
        // A lying level count cannot overflow the shift.
        assert!(ktx2_on_gpu(4096, 4096, u32::MAX, 4096));
    }

    #[test]
    fn geometry_counts_streams_unwelding_and_what_wasm_keeps() {
        // 4 vertices, 6 indices (16-bit once read), positions and normals: GPU 4·6·4 + 6·2, wasm
        // 4·12 + 6·2.
        let json = r#"{"asset":{"version":"2.0"},"buffers":[{"byteLength":120}],"bufferViews":[{"buffer":0,"byteLength":120}],
            "accessors":[{"bufferView":0,"componentType":5126,"count":4,"type":"VEC3"},{"bufferView":0,"componentType":5126,"count":4,"type":"VEC3"},{"bufferView":0,"componentType":5125,"count":6,"type":"SCALAR"}],
            "meshes":[{"primitives":[{"attributes":{"POSITION":0,"NORMAL":1},"indices":2}]},{"primitives":[{"attributes":{"POSITION":0},"indices":2}]}]}"#;
        let parsed = super::super::parse(json.as_bytes()).unwrap();
        let e = parsed.estimate(&Fetched::default(), 8192, false);
        // The second mesh has no normals: 6 unwelded vertices, no indices.
        assert_eq!(e.geometry, (4 * 6 * 4 + 6 * 2 + 4 * 12 + 6 * 2) + (6 * 6 * 4 + 6 * 12));
        assert_eq!((e.textures, e.unknown_images), (0, 0));
        assert_eq!(e.within(e.geometry), Ok(()));
        let big = Estimate { geometry: 3 << 20, textures: 100 << 20, unknown_images: 0 };
        assert!(big.within(64 << 20).unwrap_err().starts_with("needs about 103 MB of memory once shown (geometry 3.0 MB, textures 100 MB), more than this viewer's budget of 64 MB"));
        // Below 10 MB in tenths, so a small model against a small budget does not read "0 MB".
        let small = Estimate { geometry: 1_200_000, textures: 0, unknown_images: 0 };
        assert!(small.within(1 << 19).unwrap_err().starts_with("needs about 1.1 MB of memory once shown (geometry 1.1 MB, textures 0.0 MB), more than this viewer's budget of 0.5 MB"));
        // Whole MiB are rounded from the bytes, not from the rounded tenths: 10.46 MiB is 10.
        assert_eq!((super::mb(10_968_000), super::mb(10_433_000), super::mb(9_950_000)), ("10".to_string(), "9.9".to_string(), "9.5".to_string()));
    }
}
