//! Precompressed copies of what a browser downloads (`F.br`, `F.gz` beside `F`), and the choice
//! of which to send. Over a mobile network the bytes are the first frame: brotli -q 11 sends the
//! WebGPU module in ~20 % fewer bytes than gzip -9, and a GLB's geometry compresses to a third.
//! Static servers send such files as they are (nginx `brotli_static`/`gzip_static`, Caddy
//! `precompressed`), so compressing at build time costs the server nothing per request.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Result;

/// Content codings, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Br,
    Gzip,
}

impl Coding {
    pub fn token(self) -> &'static str {
        match self {
            Coding::Br => "br",
            Coding::Gzip => "gzip",
        }
    }
    fn suffix(self) -> &'static str {
        match self {
            Coding::Br => "br",
            Coding::Gzip => "gz",
        }
    }
    pub fn beside(self, file: &Path) -> PathBuf {
        let mut name = file.as_os_str().to_owned();
        name.push(".");
        name.push(self.suffix());
        PathBuf::from(name)
    }
}

/// Whether an `Accept-Encoding` value accepts `coding` (a `;q=0` refuses it).
pub fn accepts(header: &str, coding: Coding) -> bool {
    header.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.any(|p| p.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()) == Some(0.0));
        (name.eq_ignore_ascii_case(coding.token()) || name == "*") && !refused
    })
}

/// Types worth compressing (images and other already compressed data are not).
pub fn compressible(content_type: &str) -> bool {
    let t = content_type.split(';').next().unwrap_or("").trim();
    t.starts_with("text/") || t.ends_with("json") || t.ends_with("+xml") || matches!(t, "application/wasm" | "model/gltf-binary" | "application/octet-stream")
}

pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("compressing into memory does not fail");
    out
}

pub fn gzip(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    gz.write_all(bytes).expect("compressing into memory does not fail");
    gz.finish().expect("compressing into memory does not fail")
}

/// `file`'s copy in `coding` if there is one not older than `file` (an edited file's stale copy
/// is neither sent nor counted).
pub fn fresh(file: &Path, coding: Coding) -> Option<PathBuf> {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let copy = coding.beside(file);
    (modified(&copy)? >= modified(file)?).then_some(copy)
}

/// Writes `F.br` and `F.gz` beside `file` unless fresh ones are there already.
pub fn beside(file: &Path) -> Result {
    if !file.is_file() {
        return Err(format!("{}: not found", file.display()));
    }
    let mut bytes = None;
    for coding in [Coding::Br, Coding::Gzip] {
        if fresh(file, coding).is_some() {
            continue;
        }
        let out = coding.beside(file);
        let data: &Vec<u8> = match &bytes {
            Some(b) => b,
            None => bytes.insert(std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?),
        };
        let packed = match coding {
            Coding::Br => brotli(data),
            Coding::Gzip => gzip(data, 9),
        };
        std::fs::write(&out, packed).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let chrome = "gzip, deflate, br, zstd";
        assert!(accepts(chrome, Coding::Br) && accepts(chrome, Coding::Gzip));
        assert!(!accepts("gzip, deflate", Coding::Br));
        assert!(!accepts("br;q=0, gzip", Coding::Br) && accepts("br;q=0, gzip", Coding::Gzip));
        assert!(accepts("*", Coding::Br) && !accepts("", Coding::Gzip) && !accepts("identity", Coding::Gzip));
    }

    #[test]
    fn both_codings_round_trip_and_shrink_a_module() {
        use std::io::Read;
        let module: Vec<u8> = (0..200_000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        let br = brotli(&module);
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, module);
        let gz = gzip(&module, 9);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, module);
        assert!(br.len() < module.len() / 10 && gz.len() < module.len() / 10, "{} {}", br.len(), gz.len());
        assert!(compressible("application/wasm") && compressible("text/javascript; charset=utf-8") && !compressible("image/png"));
    }
}
