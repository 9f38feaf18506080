//! The camera-orbit and camera-target attributes, as a page writes them (split at the first NUL).
#![no_main]

use libfuzzer_sys::fuzz_target;
use scenic::camera::CameraSpec;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (orbit, target) = text.split_once('\0').unwrap_or((&text, ""));
    let _ = CameraSpec::parse(orbit, target);
});
