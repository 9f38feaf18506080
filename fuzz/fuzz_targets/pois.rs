//! A POI feed from an endpoint: GeoJSON, OGC API – Features or schema.org JSON-LD.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scenic::poi::{ReadOptions, parse};

fuzz_target!(|data: &[u8]| {
    let _ = parse(data, ReadOptions::default());
});
