// basisu keeps large tables and block buffers on the stack: wasm's default 1 MiB stack overflows
// (a "memory access out of bounds" in the browser), so the module gets 8 MiB.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg-cdylib=-zstack-size=8388608");
    }
}
