//! The Basis Universal module (KHR_texture_basisu): one KTX2 image in, its base level as RGBA8
//! out, which the viewer turns into an ImageBitmap and uploads like a PNG (mipmaps, downscaling
//! to the GPU's limit and the memory budget all as for other images). On the web it is its own
//! wasm bundle (www/pkg/basis), fetched only for a file with KTX2 images and run in the decoder
//! worker; natively the tests call [`transcode`] directly.
//!
//! Transcoding to a GPU block format (ASTC, BC7, ETC2) instead of RGBA8 would keep the texture
//! compressed in GPU memory; that needs compressed uploads in both renderers and is not done.

use basisu::{DecodeFlags, TargetFormat, Transcoder};

/// Largest base level transcoded: 8192 × 8192 texels (256 MiB of RGBA8). Width and height come
/// from the file, and a lying header must not size an allocation that takes the worker down.
pub const MAX_TEXELS: u64 = 1 << 26;

/// A transcoded base level: `width × height` texels, 4 bytes each, rows top to bottom.
#[derive(Debug)]
pub struct Rgba {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// Transcodes level 0 of the KTX2 (or .basis) texture in `bytes` to RGBA8. Errors are sentences
/// for the page.
pub fn transcode(bytes: &[u8]) -> Result<Rgba, String> {
    check_zstd_level(bytes)?;
    let tex = Transcoder::new(bytes).map_err(explain)?;
    let (width, height) = tex.base_dimensions();
    if width == 0 || height == 0 || u64::from(width) * u64::from(height) > MAX_TEXELS {
        return Err(format!("{width} × {height} texels is more than Scenic transcodes (at most {MAX_TEXELS} texels)"));
    }
    let pixels = tex.transcode(0, TargetFormat::Rgba32, DecodeFlags::NONE).map_err(explain)?;
    if pixels.len() as u64 != u64::from(width) * u64::from(height) * 4 {
        return Err(format!("the transcoder returned {} bytes for {width} × {height} texels", pixels.len()));
    }
    Ok(Rgba { width, height, pixels })
}

/// basisu 0.1 inflates a Zstandard level into a buffer of the level's `uncompressedByteLength`,
/// read from the file, before checking it. For UASTC (the only Zstandard payload in glTF) that
/// length is 16 bytes per 4×4 block of the level, so anything else is refused here, before it is
/// allocated. (Worth a check inside basisu itself; reported upstream would be the fix.)
fn check_zstd_level(bytes: &[u8]) -> Result<(), String> {
    const KTX2: [u8; 12] = [0xAB, b'K', b'T', b'X', b' ', b'2', b'0', 0xBB, b'\r', b'\n', 0x1A, b'\n'];
    let u32_at = |o: usize| bytes.get(o..o + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let u64_at = |o: usize| bytes.get(o..o + 8).map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()));
    if bytes.get(..12) != Some(&KTX2[..]) {
        return Ok(()); // Not KTX2 (.basis has no Zstandard); Transcoder::new judges it.
    }
    let (Some(width), Some(height), Some(scheme), Some(uncompressed)) = (u32_at(20), u32_at(24), u32_at(44), u64_at(80 + 16)) else {
        return Err("the KTX2 header is truncated".into());
    };
    const ZSTANDARD: u32 = 2;
    if scheme == ZSTANDARD {
        let blocks = u64::from(width.div_ceil(4)) * u64::from(height.max(1).div_ceil(4));
        if uncompressed != blocks * 16 {
            return Err(format!("level 0 declares {uncompressed} bytes once inflated; {width} × {height} UASTC texels are {} bytes", blocks * 16));
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

    /// `transcode(source)` for the worker: width and height (u32, little-endian), then the RGBA8
    /// texels; or an exception with the reason.
    #[wasm_bindgen]
    pub fn transcode(source: &[u8]) -> Result<Vec<u8>, JsError> {
        let image = super::transcode(source).map_err(|e| JsError::new(&e))?;
        let mut out = Vec::with_capacity(8 + image.pixels.len());
        out.extend_from_slice(&image.width.to_le_bytes());
        out.extend_from_slice(&image.height.to_le_bytes());
        out.extend_from_slice(&image.pixels);
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
        let image = transcode(&bytes).unwrap();
        assert_eq!(image.pixels.len(), (image.width * image.height * 4) as usize);
        assert!(image.width >= 256 && image.height >= 256, "{} × {}", image.width, image.height);
        // A real picture, not one colour: many distinct texels, and not all black.
        let mut seen: Vec<[u8; 4]> = image.pixels.chunks_exact(4).step_by(97).map(|p| [p[0], p[1], p[2], p[3]]).collect();
        seen.sort_unstable();
        seen.dedup();
        assert!(seen.len() > 100, "{} distinct texels", seen.len());
        assert!(image.pixels.chunks_exact(4).any(|p| p[0] > 64 || p[1] > 64 || p[2] > 64));
    }

    #[test]
    fn every_corpus_ktx2_transcodes() {
        for name in ["basecolor", "normalbump", "occlusionroughnessmetal", "anisotropy"] {
            let Some(bytes) = corpus(&format!("AnisotropyBarnLamp/glTF-KTX2-Basisu/AnisotropyBarnLamp_{name}.ktx2")) else { return };
            let image = transcode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(image.width > 0 && image.height > 0, "{name}");
        }
    }

    #[test]
    fn truncated_and_corrupt_textures_are_errors_not_panics() {
        let Some(bytes) = corpus(LAMP) else { return };
        for len in [0, 11, 12, 40, 80, 100, bytes.len() / 2, bytes.len() - 1] {
            assert!(transcode(&bytes[..len]).is_err(), "truncated to {len}");
        }
        assert!(transcode(b"not a texture at all").is_err());
        // Flipped bytes through the payload: an error or a picture, never a panic.
        for at in (200..bytes.len()).step_by(bytes.len() / 50) {
            let mut broken = bytes.clone();
            broken[at] ^= 0x5A;
            let _ = transcode(&broken);
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
        let e = transcode(&header(16, 16, 2, 1 << 36)).unwrap_err();
        assert!(e.contains("68719476736 bytes"), "{e}");
        // 65536² texels: refused by size whatever the payload.
        assert!(transcode(&header(65536, 65536, 0, 0)).is_err());
    }
}
