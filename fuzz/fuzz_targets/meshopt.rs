//! A meshopt stream with the parameters a file declares (first 4 bytes: mode, filter, count and
//! stride selectors; the rest is the stream).
#![no_main]

use libfuzzer_sys::fuzz_target;
use scenic_meshopt::{Version, decode};

const MODES: [&str; 3] = ["ATTRIBUTES", "TRIANGLES", "INDICES"];
const FILTERS: [&str; 5] = ["NONE", "OCTAHEDRAL", "QUATERNION", "EXPONENTIAL", "COLOR"];

fuzz_target!(|data: &[u8]| {
    let [m, f, c, s, stream @ ..] = data else { return };
    let version = if m & 0x80 != 0 { Version::Khr } else { Version::Ext };
    let count = 1 + (usize::from(*c) << 4 | usize::from(s >> 4));
    let stride = 4 * (1 + usize::from(s & 0x0f));
    let _ = decode(version, MODES[usize::from(*m) % 3], FILTERS[usize::from(*f) % 5], count, stride, stream);
});
