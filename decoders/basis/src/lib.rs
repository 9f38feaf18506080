//! The Basis Universal module (KHR_texture_basisu): one KTX2 image in, GPU-ready texels out.
//! A texture whose base level is in whole 4×4 blocks is transcoded, every level it carries, to
//! the first block format in the caller's list that the GPU samples (ASTC 4×4, BC7 or ETC2), so
//! it stays compressed in GPU memory (1 byte a texel, against 4 for RGBA8 and a third more for
//! its mips). One without mips is drawn without them, as three.js's KTX2Loader does (the GPU
//! cannot make mips of block formats): a little shimmer far off, for a fifth of the memory and a
//! transcode that is nearly a copy. With no such format in the list (the caller leaves them out
//! for a mipless texture larger than the GPU takes), the base level comes as RGBA8, which the
//! viewer turns into an ImageBitmap and uploads like a PNG (scaled to fit, mipmaps made on the GPU). On the web this is its own wasm bundle (www/pkg/basis),
//! fetched only for a file with KTX2 images and run in the decoder worker; natively the tests
//! call [`transcode`] directly.

use basisu::{DecodeFlags, SourceFormat, TargetFormat, Transcoder};

/// Largest base level transcoded: 8192 × 8192 texels (256 MiB of RGBA8). Width and height come
/// from the file, and a lying header must not size an allocation that takes the worker down.
pub const MAX_TEXELS: u64 = 1 << 26;

/// basisu's codes for the block formats Scenic uploads (`transcoder_texture_format`), which the
/// viewer names in the same numbers.
pub const ASTC_4X4: i32 = 10;
pub const BC7: i32 = 6;
pub const ETC2_RGBA: i32 = 1;
/// Uncompressed RGBA8, level 0 only.
pub const RGBA8: i32 = 13;

/// A transcoded texture: `format` (one of the codes above), the base size, and its levels from
/// the base down, each `width >> i` × `height >> i` (at least 1) in the format's layout.
#[derive(Debug)]
pub struct Transcoded {
    pub format: i32,
    pub width: u32,
    pub height: u32,
    pub levels: Vec<Vec<u8>>,
}

/// Transcodes the KTX2 (or .basis) texture in `bytes`, every level it has, to the first of
/// `formats` (block-format codes in the GPU's order of preference) that it can reach, else its
/// base level to RGBA8. Errors are sentences for the page.
pub fn transcode(bytes: &[u8], formats: &[i32]) -> Result<Transcoded, String> {
    check_zstd_levels(bytes)?;
    let tex = Transcoder::new(bytes).map_err(explain)?;
    let (width, height) = tex.base_dimensions();
    if width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_TEXELS {
        return Err(format!("{width} × {height} texels is more than Scenic transcodes (at most {MAX_TEXELS} texels)"));
    }
    // More levels than a whole chain has would be smaller than a texel: a lying header.
    let chain = 32 - width.max(height).leading_zeros();
    let target = choose(&tex, formats).filter(|_| tex.level_count() <= chain && width % 4 == 0 && height % 4 == 0 && !tex.is_video());
    let Some(target) = target else {
        let pixels = tex.transcode(0, TargetFormat::Rgba32, DecodeFlags::NONE).map_err(explain)?;
        if pixels.len() as u64 != u64::from(width) * u64::from(height) * 4 {
            return Err(format!("the transcoder returned {} bytes for {width} × {height} texels", pixels.len()));
        }
        return Ok(Transcoded { format: RGBA8, width, height, levels: vec![pixels] });
    };
    let levels = (0..tex.level_count()).map(|l| tex.transcode(l, target, DecodeFlags::NONE).map_err(explain)).collect::<Result<Vec<_>, _>>()?;
    for (l, level) in levels.iter().enumerate() {
        let expected = level_bytes(width >> l, height >> l);
        if level.len() != expected {
            return Err(format!("the transcoder returned {} bytes for level {l}, which needs {expected}", level.len()));
        }
    }
    Ok(Transcoded { format: target.as_i32(), width, height, levels })
}

/// Bytes of a level in any of the 16-byte 4×4 block formats.
pub fn level_bytes(width: u32, height: u32) -> usize {
    width.max(1).div_ceil(4) as usize * height.max(1).div_ceil(4) as usize * 16
}

/// The first of `formats` this texture reaches. ETC1S is ETC2's colour half, so for it ETC2 goes
/// first where the GPU has it (nearly a copy, where BC7 and ASTC are re-encodes).
fn choose(tex: &Transcoder, formats: &[i32]) -> Option<TargetFormat> {
    let known = |&&f: &&i32| [ASTC_4X4, BC7, ETC2_RGBA].contains(&f);
    let mut order: Vec<i32> = formats.iter().filter(known).copied().collect();
    if tex.source_format() == SourceFormat::Etc1s {
        order.sort_by_key(|&f| f != ETC2_RGBA);
    }
    order.into_iter().filter_map(TargetFormat::from_i32).find(|&t| tex.supports(t))
}

/// basisu 0.1 inflates a Zstandard level into a buffer of the level's `uncompressedByteLength`,
/// read from the file, before checking it. For UASTC (the only Zstandard payload in glTF) that
/// length is 16 bytes per 4×4 block of the level, so anything else is refused here, before it is
/// allocated. (Worth a check inside basisu itself; reported upstream would be the fix.)
fn check_zstd_levels(bytes: &[u8]) -> Result<(), String> {
    const KTX2: [u8; 12] = [0xAB, b'K', b'T', b'X', b' ', b'2', b'0', 0xBB, b'\r', b'\n', 0x1A, b'\n'];
    let u32_at = |o: usize| bytes.get(o..o + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let u64_at = |o: usize| bytes.get(o..o + 8).map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()));
    if bytes.get(..12) != Some(&KTX2[..]) {
        return Ok(()); // Not KTX2 (.basis has no Zstandard); Transcoder::new judges it.
    }
    let (Some(width), Some(height), Some(levels), Some(scheme)) = (u32_at(20), u32_at(24), u32_at(40), u32_at(44)) else {
        return Err("the KTX2 header is truncated".into());
    };
    const ZSTANDARD: u32 = 2;
    if scheme != ZSTANDARD {
        return Ok(());
    }
    // Each level's index entry is 24 bytes from 80: offset, length, inflated length.
    for l in 0..levels.clamp(1, 32) {
        let Some(uncompressed) = u64_at(80 + 24 * l as usize + 16) else {
            return Err("the KTX2 level index is truncated".into());
        };
        let blocks = level_bytes(width >> l, height >> l) as u64;
        if uncompressed != blocks {
            return Err(format!("level {l} declares {uncompressed} bytes once inflated; {} × {} UASTC texels are {blocks} bytes", (width >> l).max(1), (height >> l).max(1)));
        }
    }
    Ok(())
}

fn explain(e: basisu::Error) -> String {
    use basisu::Error as E;
    match e {
        E::InvalidData => "not a Basis Universal KTX2 texture, or a corrupt one".into(),
        E::Truncated => "the texture is truncated (an offset points past its end)".into(),
        E::Unsupported { source, .. } => format!("{source:?} textures cannot be transcoded to RGBA8"),
        E::UnsupportedFeature(what) => format!("unsupported: {what}"),
        E::VideoRequiresState => "the texture is a video, not an image".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(target_arch = "wasm32")]
mod web {
    use wasm_bindgen::prelude::*;

    /// `transcode(formats, source)` for the worker: format code, width, height and level count
    /// (u32, little-endian), each level's byte length, then the levels; or an exception with the
    /// reason. `formats` lists the block formats the GPU samples, best first.
    #[wasm_bindgen]
    pub fn transcode(formats: &[i32], source: &[u8]) -> Result<Vec<u8>, JsError> {
        let t = super::transcode(source, formats).map_err(|e| JsError::new(&e))?;
        let mut out = Vec::with_capacity(16 + 4 * t.levels.len() + t.levels.iter().map(Vec::len).sum::<usize>());
        for word in [t.format as u32, t.width, t.height, t.levels.len() as u32] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        for level in &t.levels {
            out.extend_from_slice(&(level.len() as u32).to_le_bytes());
        }
        t.levels.iter().for_each(|l| out.extend_from_slice(l));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(path: &str) -> Option<Vec<u8>> {
        let root = std::env::var("SCENIC_CORPUS").unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus").into());
        std::fs::read(format!("{root}/gltf/models/{path}")).ok()
    }

    const LAMP: &str = "AnisotropyBarnLamp/glTF-KTX2-Basisu/AnisotropyBarnLamp_basecolor.ktx2";

    #[test]
    fn transcodes_the_corpus_lamp_base_colour() {
        let Some(bytes) = corpus(LAMP) else { return eprintln!("no corpus; skipped") };
        // No block format asked for (the GPU has none): RGBA8 of the base level.
        let image = transcode(&bytes, &[]).unwrap();
        assert_eq!((image.format, image.levels.len()), (RGBA8, 1));
        let pixels = &image.levels[0];
        assert_eq!(pixels.len(), (image.width * image.height * 4) as usize);
        assert!(image.width >= 256 && image.height >= 256, "{} × {}", image.width, image.height);
        // A real picture, not one colour: many distinct texels, and not all black.
        let mut seen: Vec<[u8; 4]> = pixels.chunks_exact(4).step_by(97).map(|p| [p[0], p[1], p[2], p[3]]).collect();
        seen.sort_unstable();
        seen.dedup();
        assert!(seen.len() > 100, "{} distinct texels", seen.len());
        assert!(pixels.chunks_exact(4).any(|p| p[0] > 64 || p[1] > 64 || p[2] > 64));
    }

    #[test]
    fn a_texture_without_mips_goes_to_blocks_too() {
        let Some(bytes) = corpus(LAMP) else { return };
        // The lamp's 2048² base colour has one level: one level of blocks, 4 MiB, not 16 of RGBA8.
        for (formats, format) in [(&[ASTC_4X4, BC7, ETC2_RGBA][..], ASTC_4X4), (&[BC7][..], BC7), (&[ETC2_RGBA][..], ETC2_RGBA)] {
            let t = transcode(&bytes, formats).unwrap();
            assert_eq!((t.format, t.width, t.height, t.levels.len()), (format, 2048, 2048, 1));
            assert_eq!(t.levels[0].len(), 2048 * 2048);
            let mut blocks: Vec<&[u8]> = t.levels[0].chunks_exact(16).collect();
            blocks.sort_unstable();
            blocks.dedup();
            assert!(blocks.len() > 1000, "{} distinct blocks", blocks.len());
        }
    }

    #[test]
    fn every_corpus_ktx2_transcodes() {
        for name in ["basecolor", "normalbump", "occlusionroughnessmetal", "anisotropy"] {
            let Some(bytes) = corpus(&format!("AnisotropyBarnLamp/glTF-KTX2-Basisu/AnisotropyBarnLamp_{name}.ktx2")) else { return };
            let image = transcode(&bytes, &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(image.width > 0 && image.height > 0, "{name}");
        }
    }

    #[test]
    fn truncated_and_corrupt_textures_are_errors_not_panics() {
        let Some(bytes) = corpus(LAMP) else { return };
        for len in [0, 11, 12, 40, 80, 100, bytes.len() / 2, bytes.len() - 1] {
            assert!(transcode(&bytes[..len], &[]).is_err(), "truncated to {len}");
        }
        assert!(transcode(b"not a texture at all", &[BC7]).is_err());
        // Flipped bytes through the payload: an error or a picture, never a panic.
        for at in (200..bytes.len()).step_by(bytes.len() / 50) {
            let mut broken = bytes.clone();
            broken[at] ^= 0x5A;
            let _ = transcode(&broken, &[]);
            let _ = transcode(&broken, &[BC7]);
        }
    }

    /// A KTX2 header; `scheme` its supercompression, level 0's inflated size `uncompressed`.
    fn header(width: u32, height: u32, scheme: u32, uncompressed: u64) -> Vec<u8> {
        let mut h = vec![0xAB, b'K', b'T', b'X', b' ', b'2', b'0', 0xBB, b'\r', b'\n', 0x1A, b'\n'];
        h.resize(104, 0);
        h[20..24].copy_from_slice(&width.to_le_bytes());
        h[24..28].copy_from_slice(&height.to_le_bytes());
        h[40..44].copy_from_slice(&1u32.to_le_bytes()); // one level
        h[44..48].copy_from_slice(&scheme.to_le_bytes());
        h[80..88].copy_from_slice(&104u64.to_le_bytes());
        h[96..104].copy_from_slice(&uncompressed.to_le_bytes());
        h
    }

    #[test]
    fn headers_announcing_gigabytes_are_refused_before_allocating() {
        // 16 × 16 UASTC is 16 blocks of 16 bytes; the header claims 64 GiB inflated.
        let e = transcode(&header(16, 16, 2, 1 << 36), &[]).unwrap_err();
        assert!(e.contains("68719476736 bytes"), "{e}");
        // 65536² texels: refused by size whatever the payload.
        assert!(transcode(&header(65536, 65536, 0, 0), &[]).is_err());
        // A lower level lies: its entry is read and refused too.
        let mut h = header(16, 16, 2, 256);
        h[40..44].copy_from_slice(&3u32.to_le_bytes());
        h.resize(80 + 24 * 3, 0);
        h[80 + 24 + 16..80 + 24 + 24].copy_from_slice(&64u64.to_le_bytes());
        h[80 + 48 + 16..80 + 48 + 24].copy_from_slice(&(1u64 << 40).to_le_bytes());
        let e = transcode(&h, &[BC7]).unwrap_err();
        assert!(e.starts_with("level 2 declares 1099511627776 bytes"), "{e}");
    }

    /// A variant `cargo xtask content` made with Basis Universal's encoder, whole mip chain.
    fn generated(name: &str) -> Vec<u8> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/test-content/ktx2/").to_string() + name;
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}: `cargo xtask content` (or `cargo xtask test`) makes it"))
    }

    fn assert_blocks(t: &Transcoded, format: i32) {
        assert_eq!((t.format, t.width, t.height, t.levels.len()), (format, 512, 512, 10));
        for (l, level) in t.levels.iter().enumerate() {
            assert_eq!(level.len(), level_bytes(512 >> l, 512 >> l), "level {l}");
        }
        // Level 0 is a picture, not one block repeated.
        let mut blocks: Vec<&[u8]> = t.levels[0].chunks_exact(16).collect();
        blocks.sort_unstable();
        blocks.dedup();
        assert!(blocks.len() > 1000, "{} distinct blocks", blocks.len());
    }

    #[test]
    fn a_whole_mip_chain_goes_to_the_first_block_format_the_gpu_has() {
        let uastc = generated("duck-uastc-0.ktx2");
        assert_blocks(&transcode(&uastc, &[ASTC_4X4, BC7, ETC2_RGBA]).unwrap(), ASTC_4X4);
        assert_blocks(&transcode(&uastc, &[BC7, ETC2_RGBA]).unwrap(), BC7);
        assert_blocks(&transcode(&uastc, &[ETC2_RGBA]).unwrap(), ETC2_RGBA);
        // Codes Scenic does not upload are passed over, not trusted.
        assert_blocks(&transcode(&uastc, &[2, 99, BC7]).unwrap(), BC7);
        assert_eq!(Transcoder::new(&uastc).unwrap().source_format(), SourceFormat::UastcLdr);
        // ETC1S prefers ETC2 (its own colour half) wherever the GPU has it.
        let etc1s = generated("duck-etc1s-0.ktx2");
        assert_blocks(&transcode(&etc1s, &[ASTC_4X4, BC7, ETC2_RGBA]).unwrap(), ETC2_RGBA);
        assert_blocks(&transcode(&etc1s, &[ASTC_4X4, BC7]).unwrap(), ASTC_4X4);
        // Two encodings of the texels, not one buffer relabelled.
        assert_ne!(transcode(&uastc, &[ASTC_4X4]).unwrap().levels[0], transcode(&uastc, &[BC7]).unwrap().levels[0]);
    }

    #[test]
    fn no_block_format_means_rgba8_of_the_base_level() {
        let t = transcode(&generated("duck-uastc-0.ktx2"), &[]).unwrap();
        assert_eq!((t.format, t.width, t.height, t.levels.len()), (RGBA8, 512, 512, 1));
        assert_eq!(t.levels[0].len(), 512 * 512 * 4);
        // The duck is yellow: its texels are mostly red + green over blue.
        let (r, g, b) = t.levels[0].chunks_exact(4).fold((0u64, 0u64, 0u64), |a, p| (a.0 + u64::from(p[0]), a.1 + u64::from(p[1]), a.2 + u64::from(p[2])));
        assert!(r > b * 2 && g > b, "mean rgb {r} {g} {b}");
    }
}
