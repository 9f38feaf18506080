//! Browser tests of the render room (`wasm-pack test --headless --chrome` in crate/): an inline
//! glTF drawn on each backend and read back. One test binary: each links wgpu again.
#![cfg(target_arch = "wasm32")]

use scenic::camera::OrbitCamera;
use scenic::render::{self, Backend, View};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A unit quad facing +Z with an unlit material of the given colour, turned by `turn` radians
/// about Z.
fn quad(rgb: [f32; 3], turn: f32) -> String {
    format!(
        r#"{{"asset":{{"version":"2.0"}},"extensionsUsed":["KHR_materials_unlit"],"scene":0,"scenes":[{{"nodes":[0]}}],
        "nodes":[{{"mesh":0,"rotation":[0,0,{},{}]}}],"materials":[{{"pbrMetallicRoughness":{{"baseColorFactor":[{},{},{},1]}},"extensions":{{"KHR_materials_unlit":{{}}}}}}],
        "meshes":[{{"primitives":[{{"attributes":{{"POSITION":0}},"indices":1,"material":0}}]}}],
        "buffers":[{{"byteLength":60,"uri":"data:application/octet-stream;base64,AACAvwAAgL8AAAAAAACAPwAAgL8AAAAAAACAPwAAgD8AAAAAAACAvwAAgD8AAAAAAAABAAIAAAACAAMA"}}],
        "bufferViews":[{{"buffer":0,"byteLength":48}},{{"buffer":0,"byteOffset":48,"byteLength":12}}],
        "accessors":[{{"bufferView":0,"componentType":5126,"count":4,"type":"VEC3","min":[-1,-1,0],"max":[1,1,0]}},
                     {{"bufferView":1,"componentType":5123,"count":6,"type":"SCALAR"}}]}}"#,
        (turn / 2.0).sin(),
        (turn / 2.0).cos(),
        rgb[0],
        rgb[1],
        rgb[2]
    )
}

fn canvas(w: u32, h: u32) -> web_sys::HtmlCanvasElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let c: web_sys::HtmlCanvasElement = doc.create_element("canvas").unwrap().dyn_into().unwrap();
    c.set_width(w);
    c.set_height(h);
    doc.body().unwrap().append_child(&c).unwrap();
    c
}

/// Draws the quad and reads it back; `samples`, if given, overrides the renderer's choice.
async fn draw_quad(backend: Backend, rgb: [f32; 3], turn: f32, samples: Option<u32>) -> (u32, u32, Vec<u8>) {
    let mut r = render::open(canvas(64, 64), backend, None).await.expect("renderer");
    if let Some(n) = samples {
        r.set_samples(n);
        assert_eq!(r.samples(), n);
    }
    let parsed = scenic::gltf::parse(quad(rgb, turn).as_bytes()).unwrap();
    let scene = scenic::gltf::build(parsed, Default::default()).unwrap().scene;
    let content = r.begin_content();
    r.finish_content(content, &scene, &[], 0);
    let mut cam = OrbitCamera::default();
    cam.frame(scene.bounds(0));
    cam.orbit.pitch = 0.0;
    let view = View { view: cam.view(), proj: cam.projection(1.0), eye: cam.eye(), exposure: 1.0 };
    let img = r.read_pixels(&view).await.expect("readback");
    (img.width, img.height, img.data)
}

fn pixel(img: &(u32, u32, Vec<u8>), x: u32, y: u32) -> [u8; 4] {
    let i = ((y * img.0 + x) * 4) as usize;
    [img.2[i], img.2[i + 1], img.2[i + 2], img.2[i + 3]]
}

async fn check(backend: Backend) {
    // Unlit linear 0.2158 is sRGB 0.5 (128): the output transfer is checked, not only the hue.
    let img = draw_quad(backend, [1.0, 0.2158, 0.0], 0.0, None).await;
    assert_eq!((img.0, img.1), (64, 64));
    let c = pixel(&img, 32, 32);
    assert!(c[0] >= 250 && (125..=131).contains(&c[1]) && c[2] <= 3, "{backend:?} centre {c:?}");
    // The corner shows sky, not the quad.
    let k = pixel(&img, 1, 1);
    assert!(k[2] > k[0], "{backend:?} corner {k:?}");
}

#[wasm_bindgen_test]
async fn webgpu_draws_an_unlit_quad_with_exact_colour() {
    check(Backend::WebGpu).await;
}

#[wasm_bindgen_test]
async fn webgl2_draws_an_unlit_quad_with_exact_colour() {
    check(Backend::WebGl2).await;
}

/// 4× multisampling (what a GPU at devicePixelRatio < 2 gets; this machine's CPU adapter gets 1)
/// blends the edges of a turned quad and leaves the rest of the picture as it is.
async fn multisampling_blends_edges(backend: Backend) {
    let turn = 30f32.to_radians();
    let one = draw_quad(backend, [1.0, 0.2158, 0.0], turn, Some(1)).await;
    let four = draw_quad(backend, [1.0, 0.2158, 0.0], turn, Some(4)).await;
    let is_quad = |p: [u8; 4]| p[0] >= 250 && (122..=134).contains(&p[1]) && p[2] <= 6;
    let (mut quad_px, mut differ, mut between) = (0, 0, 0);
    for y in 0..64 {
        for x in 0..64 {
            let (a, b) = (pixel(&one, x, y), pixel(&four, x, y));
            quad_px += usize::from(is_quad(a));
            let d: i32 = (0..3).map(|c| (i32::from(a[c]) - i32::from(b[c])).abs()).sum();
            if d > 8 {
                differ += 1;
                // A blend of the quad's orange (blue 0) and the bluer sky: where one sample saw
                // the quad, some blue came in; where it saw sky, some went.
                between += usize::from(if is_quad(a) { b[2] > 4 } else { b[2] > 4 && b[2] < a[2] });
            }
        }
    }
    // The turned quad's outline is ~200 pixels long; its inside and the sky are the same.
    assert!(quad_px > 400, "{backend:?}: quad drawn ({quad_px} px)");
    assert!((60..600).contains(&differ), "{backend:?}: {differ} pixels changed by multisampling");
    assert!(between * 10 >= differ * 8, "{backend:?}: {between} of {differ} changed pixels are blends");
    assert_eq!(pixel(&one, 32, 32), pixel(&four, 32, 32), "{backend:?}: centre");
}

#[wasm_bindgen_test]
async fn webgpu_multisampling_blends_edges() {
    multisampling_blends_edges(Backend::WebGpu).await;
}

#[wasm_bindgen_test]
async fn webgl2_multisampling_blends_edges() {
    multisampling_blends_edges(Backend::WebGl2).await;
}
