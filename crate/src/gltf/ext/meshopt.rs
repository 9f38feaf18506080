//! EXT_meshopt_compression and KHR_meshopt_compression: a buffer view whose bytes are a meshopt
//! stream in another buffer. Read here; decoded by the meshopt module (decoders/meshopt), which the
//! web room runs in a worker and native loads call directly; the decoded bytes then stand in for
//! the view (see `gltf::build_with`), so accessors read them as any other view.

use serde_json::Value;

use super::Extension;
use crate::gltf::doc::Compression;

/// Which of the two: KHR adds vertex codec version 1 and the COLOR filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meshopt {
    Ext,
    Khr,
}

pub static EXT: Meshopt = Meshopt::Ext;
pub static KHR: Meshopt = Meshopt::Khr;

impl Extension for Meshopt {
    fn name(&self) -> &'static str {
        match self {
            Meshopt::Ext => "EXT_meshopt_compression",
            Meshopt::Khr => "KHR_meshopt_compression",
        }
    }

    fn buffer_view(&self, ext: &Value) -> Option<Result<Compression, String>> {
        Some(read(*self, ext))
    }
}

fn read(version: Meshopt, ext: &Value) -> Result<Compression, String> {
    let uint = |key: &str, required: bool| -> Result<Option<usize>, String> {
        match ext.get(key) {
            None if required => Err(format!("{key} is missing")),
            None => Ok(None),
            Some(v) => v.as_u64().and_then(|n| usize::try_from(n).ok()).map(Some).ok_or_else(|| format!("{key}: {} is not a non-negative integer", crate::error::Shown(v))),
        }
    };
    let name = |key: &str, default: Option<&str>, allowed: &[&str]| -> Result<String, String> {
        let v = match ext.get(key) {
            None => default.ok_or_else(|| format!("{key} is missing"))?,
            Some(v) => v.as_str().ok_or_else(|| format!("{key}: {} is not a string", crate::error::Shown(v)))?,
        };
        if allowed.contains(&v) { Ok(v.to_owned()) } else { Err(format!("{key} {v:?} is not one of {}", allowed.join(", "))) }
    };
    let filters: &[&str] = match version {
        Meshopt::Ext => &["NONE", "OCTAHEDRAL", "QUATERNION", "EXPONENTIAL"],
        Meshopt::Khr => &["NONE", "OCTAHEDRAL", "QUATERNION", "EXPONENTIAL", "COLOR"],
    };
    let c = Compression {
        khr: version == Meshopt::Khr,
        buffer: uint("buffer", true)?.unwrap_or(0),
        offset: uint("byteOffset", false)?.unwrap_or(0),
        length: uint("byteLength", true)?.unwrap_or(0),
        stride: uint("byteStride", true)?.unwrap_or(0),
        count: uint("count", true)?.unwrap_or(0),
        mode: name("mode", None, &["ATTRIBUTES", "TRIANGLES", "INDICES"])?,
        filter: name("filter", Some("NONE"), filters)?,
    };
    if c.count == 0 {
        return Err("count must be at least 1".into());
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_and_checked() {
        let ok = serde_json::json!({"buffer": 1, "byteOffset": 8, "byteLength": 100, "byteStride": 12, "count": 30, "mode": "ATTRIBUTES"});
        let c = read(Meshopt::Ext, &ok).unwrap();
        assert_eq!((c.buffer, c.offset, c.length, c.stride, c.count, c.mode.as_str(), c.filter.as_str(), c.khr), (1, 8, 100, 12, 30, "ATTRIBUTES", "NONE", false));
        let color = serde_json::json!({"buffer": 0, "byteLength": 4, "byteStride": 4, "count": 1, "mode": "ATTRIBUTES", "filter": "COLOR"});
        assert!(read(Meshopt::Khr, &color).is_ok());
        assert!(read(Meshopt::Ext, &color).unwrap_err().contains("filter \"COLOR\""));
        let no_count = serde_json::json!({"buffer": 0, "byteLength": 4, "byteStride": 4, "mode": "TRIANGLES"});
        assert!(read(Meshopt::Ext, &no_count).unwrap_err().contains("count is missing"));
        let negative = serde_json::json!({"buffer": -1, "byteLength": 4, "byteStride": 4, "count": 1, "mode": "TRIANGLES"});
        assert!(read(Meshopt::Ext, &negative).unwrap_err().contains("buffer: -1"));
    }
}
