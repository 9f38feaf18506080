//! The meshopt decoder module: one compressed buffer view in, its bytes out. The viewer's loader
//! (crate/src/gltf/ext/meshopt.rs) reads the extension's fields and checks them against the view;
//! this decodes. On the web it is its own wasm bundle (www/pkg/meshopt), which the element fetches
//! only for a file that declares the extension and runs in a worker; natively the loader calls
//! [`decode`] directly.

use meshoptimizer_rs::codec::{self, Filter, Mode};
use meshoptimizer_rs::{Limits, Workspace};

// A call allocates its output and the codec's workspace and frees both: a free list does that in
// ~1 KB of code where std's dlmalloc is ~6.5 KB.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: the module runs on one thread (a worker or the page), never shared.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> = unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// Decoded views above this many bytes are refused: `count` and `byteStride` come from the file,
/// and a lying header must not size an allocation that takes the tab down.
pub const MAX_DECODED: usize = 1 << 29;

/// Which extension declared the view: KHR_meshopt_compression adds vertex codec version 1 and
/// the COLOR filter to EXT_meshopt_compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Ext,
    Khr,
}

/// Decodes one buffer view: `count` elements of `stride` bytes in `mode` ("ATTRIBUTES",
/// "TRIANGLES", "INDICES") with `filter` ("NONE", "OCTAHEDRAL", "QUATERNION", "EXPONENTIAL",
/// and for KHR "COLOR") from `source`. Errors are sentences for the page.
pub fn decode(version: Version, mode: &str, filter: &str, count: usize, stride: usize, source: &[u8]) -> Result<Vec<u8>, String> {
    // Quoted by hand: `{:?}` on a str links core's escaping and its Unicode tables (~4 KB).
    let bad = |what: &str, v: &str| format!("{what} \"{v}\" is not one meshopt defines");
    let mode = Mode::parse(mode).map_err(|_| bad("mode", mode))?;
    let color = version == Version::Khr && filter == "COLOR";
    let filter = if color { Filter::None } else { Filter::parse(filter).map_err(|_| bad("filter", filter))? };
    let bytes = count.checked_mul(stride).filter(|&b| b <= MAX_DECODED).ok_or_else(|| format!("{count} elements of {stride} bytes is more than Scenic decodes ({MAX_DECODED} bytes)"))?;
    let view = codec::BufferView::new(mode, filter, count, stride).map_err(|e| explain(e, count, stride))?;
    let mut work = Workspace::new(Limits::default());
    let mut out = vec![0u8; bytes];
    match version {
        Version::Ext => view.decode_into(&mut out, source, &mut work),
        // decode_buffer_view takes the vertex codec's version 0 only (EXT's rule); KHR also allows 1.
        Version::Khr => match mode {
            Mode::Attributes => codec::decode_vertex_buffer_into(&mut out, count, stride, source, &mut work).and_then(|()| match filter {
                Filter::None if color => codec::decode_filter_color(&mut out, count, stride, &mut work),
                Filter::None => Ok(()),
                Filter::Octahedral => codec::decode_filter_oct(&mut out, count, stride, &mut work),
                Filter::Quaternion => codec::decode_filter_quat(&mut out, count, stride, &mut work),
                Filter::Exponential => codec::decode_filter_exp(&mut out, count, stride, &mut work),
            }),
            _ => view.decode_into(&mut out, source, &mut work),
        },
    }
    .map_err(|e| explain(e, count, stride))?;
    Ok(out)
}

fn explain(e: meshoptimizer_rs::Error, count: usize, stride: usize) -> String {
    use meshoptimizer_rs::Error as E;
    match e {
        E::InvalidStream => format!("the compressed stream is truncated or corrupt ({count} elements of {stride} bytes expected)"),
        E::UnsupportedVersion => "the stream's codec version is newer than this decoder or not allowed by the extension".into(),
        E::InvalidLayout => format!("byteStride {stride} does not suit this mode and filter"),
        E::InvalidTopology => format!("TRIANGLES needs a multiple of 3 indices, not {count}"),
        other => other.to_string(),
    }
}

#[cfg(target_arch = "wasm32")]
mod web {
    use wasm_bindgen::prelude::*;

    /// `decode(khr, mode, filter, count, stride, source)` for the worker: the decoded bytes, or
    /// an exception with the reason.
    #[wasm_bindgen]
    pub fn decode(khr: bool, mode: &str, filter: &str, count: usize, stride: usize, source: &[u8]) -> Result<Vec<u8>, JsError> {
        let version = if khr { super::Version::Khr } else { super::Version::Ext };
        super::decode(version, mode, filter, count, stride, source).map_err(|e| JsError::new(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use meshoptimizer_rs::codec as c;

    fn encoded_vertices(data: &[u8], count: usize, stride: usize, version: u8) -> Vec<u8> {
        let mut out = vec![0; c::encode_vertex_buffer_bound(count, stride).unwrap()];
        let n = c::encode_vertex_buffer_into(&mut out, data, count, stride, c::VertexEncoding::new(version, 2).unwrap(), &mut Workspace::new(Limits::default())).unwrap();
        out.truncate(n);
        out
    }

    #[test]
    fn attributes_round_trip_and_truncation_is_an_error() {
        let data: Vec<u8> = (0..64 * 12).map(|i| (i * 7 % 251) as u8).collect();
        let enc = encoded_vertices(&data, 64, 12, 0);
        assert_eq!(decode(Version::Ext, "ATTRIBUTES", "NONE", 64, 12, &enc).unwrap(), data);
        assert_eq!(decode(Version::Khr, "ATTRIBUTES", "NONE", 64, 12, &enc).unwrap(), data);
        // Codec version 1 is KHR_meshopt_compression's only.
        let v1 = encoded_vertices(&data, 64, 12, 1);
        assert_eq!(decode(Version::Khr, "ATTRIBUTES", "NONE", 64, 12, &v1).unwrap(), data);
        assert!(decode(Version::Ext, "ATTRIBUTES", "NONE", 64, 12, &v1).unwrap_err().contains("version"));
        for cut in [0, 1, enc.len() / 2, enc.len() - 1] {
            let e = decode(Version::Ext, "ATTRIBUTES", "NONE", 64, 12, &enc[..cut]).unwrap_err();
            assert!(e.contains("truncated or corrupt"), "{cut}: {e}");
        }
    }

    #[test]
    fn lying_counts_and_bad_names_are_refused_before_allocating() {
        assert!(decode(Version::Ext, "ATTRIBUTES", "NONE", usize::MAX / 2, 16, &[0xa0; 64]).unwrap_err().contains("more than Scenic decodes"));
        assert!(decode(Version::Ext, "ATTRIBUTES", "NONE", 1 << 28, 16, &[0xa0; 64]).unwrap_err().contains("more than Scenic decodes"));
        assert!(decode(Version::Ext, "TRIANGLES", "NONE", 4, 4, &[0xe1; 64]).unwrap_err().contains("multiple of 3"));
        assert!(decode(Version::Ext, "ATTRIBUTES", "COLOR", 4, 4, &[0xa0; 64]).unwrap_err().contains("filter"));
        assert!(decode(Version::Ext, "STRIPS", "NONE", 4, 4, &[0xa0; 64]).unwrap_err().contains("mode"));
    }
}
