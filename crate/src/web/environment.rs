//! `environment-image` and `skybox-image` (model-viewer's names and meaning): equirectangular
//! photos the element fetches and decodes (a Radiance .hdr is decoded here, anything else by the
//! browser), prefiltered here (crate::ibl) and handed to the renderer.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::{Viewer, to_js};
use crate::ibl::{self, Equirect, Prefiltered};

/// Level 0 of the lighting levels: as sharp as mirror reflections need (three.js's and
/// model-viewer's default environment is as fine), and ~0.2 s to prefilter natively.
const LIGHTING_WIDTH: u32 = 1024;
/// The skybox: one sharp level, at most this wide (16 MB as RGBA16F).
const SKYBOX_WIDTH: u32 = 2048;

#[derive(Default)]
pub struct EnvironmentImages {
    /// `environment-image`, prefiltered.
    environment: Option<Rc<Prefiltered>>,
    /// `skybox-image`: prefiltered (the lighting when no environment image is given) and sharp.
    skybox: Option<(Rc<Prefiltered>, Rc<Prefiltered>)>,
}

impl EnvironmentImages {
    fn lighting(&self) -> Option<Rc<Prefiltered>> {
        self.environment.clone().or_else(|| self.skybox.as_ref().map(|s| s.0.clone()))
    }
}

fn read(bytes: &[u8], width: u32, height: u32) -> Result<Equirect, String> {
    if ibl::hdr::is_hdr(bytes) {
        return ibl::hdr::decode(bytes);
    }
    Equirect::from_srgb8(width, height, bytes)
}

/// A photo made ready for `which`: its size, its lighting levels, and for the skybox its sharp
/// level. Made where the page likes: in a worker (`prefilterEnvironment`, whose memory goes with
/// it, with the main thread free meanwhile) or in the viewer (`setEnvironmentImage`).
struct Prepared {
    size: [u32; 2],
    lighting: Prefiltered,
    sharp: Option<Prefiltered>,
}

fn prepare(which: &str, bytes: &[u8], width: u32, height: u32) -> Result<Prepared, String> {
    if !matches!(which, "environment" | "skybox") {
        return Err(format!("\"{which}\" is not environment or skybox"));
    }
    let e = read(bytes, width, height)?;
    let sharp = (which == "skybox").then(|| Prefiltered::sharp(&e.resized(ibl::prefilter::fit_width(e.width, SKYBOX_WIDTH))));
    Ok(Prepared { size: [e.width, e.height], lighting: ibl::prefilter(&e, LIGHTING_WIDTH), sharp })
}

impl Prepared {
    /// As bytes: the photo's width and height (little-endian), the lighting levels, and the
    /// sharp level where there is one (`Prefiltered::write_to`).
    fn to_bytes(&self) -> Vec<u8> {
        let mut out: Vec<u8> = self.size.iter().flat_map(|n| n.to_le_bytes()).collect();
        self.lighting.write_to(&mut out);
        if let Some(sharp) = &self.sharp {
            sharp.write_to(&mut out);
        }
        out
    }

    /// What `to_bytes` wrote for `which`.
    fn from_bytes(which: &str, packed: &[u8]) -> Result<Prepared, String> {
        let size = [0, 1].map(|k| ibl::prefilter::le_u32(packed, k).unwrap_or(0));
        let (lighting, rest) = Prefiltered::read_from(packed.get(8..).unwrap_or_default())?;
        let sharp = if which == "skybox" { Some(Prefiltered::read_from(rest)?.0) } else { None };
        Ok(Prepared { size, lighting, sharp })
    }
}

/// `which`'s photo (as `setEnvironmentImage` takes it) prefiltered and packed as bytes for
/// `Viewer.setEnvironmentPrefiltered`: run by the page's worker (www/features/tangents-worker.js).
#[wasm_bindgen(js_name = prefilterEnvironment)]
pub fn prefilter_environment(which: &str, bytes: &[u8], width: u32, height: u32) -> Result<Vec<u8>, JsValue> {
    prepare(which, bytes, width, height).map(|p| p.to_bytes()).map_err(|e| to_js(format!("{which}-image: {e}")))
}

#[wasm_bindgen]
impl Viewer {
    /// Sets `which` ("environment" or "skybox") from a Radiance .hdr file's bytes, or from an
    /// image the page decoded: RGBA8 texels, `width` × `height`. No bytes clear it. Returns the
    /// environment's size; a bad image is refused with a message and the lighting stays as it was.
    #[wasm_bindgen(js_name = setEnvironmentImage)]
    pub fn set_environment_image(&self, which: &str, bytes: &[u8], width: u32, height: u32) -> Result<Vec<u32>, JsValue> {
        let prepared = if bytes.is_empty() { None } else { Some(prepare(which, bytes, width, height).map_err(|e| to_js(format!("{which}-image: {e}")))?) };
        self.set_prepared(which, prepared)
    }

    /// This viewer's compiled bundle, for the worker that prefilters photos with the same code:
    /// it instantiates this instead of fetching and compiling the bundle again.
    #[wasm_bindgen(getter, js_name = wasmModule)]
    pub fn wasm_module(&self) -> JsValue {
        wasm_bindgen::module()
    }

    /// Sets `which` from what `prefilterEnvironment` made of its photo. Returns the photo's size.
    #[wasm_bindgen(js_name = setEnvironmentPrefiltered)]
    pub fn set_environment_prefiltered(&self, which: &str, packed: &[u8]) -> Result<Vec<u32>, JsValue> {
        let prepared = Prepared::from_bytes(which, packed).map_err(|e| to_js(format!("{which}-image: {e}")))?;
        self.set_prepared(which, Some(prepared))
    }
}

impl Viewer {
    fn set_prepared(&self, which: &str, prepared: Option<Prepared>) -> Result<Vec<u32>, JsValue> {
        let size = prepared.as_ref().map_or(vec![0, 0], |p| p.size.to_vec());
        let mut s = self.state.borrow_mut();
        match which {
            "environment" => s.environment_images.environment = prepared.map(|p| Rc::new(p.lighting)),
            "skybox" => {
                s.environment_images.skybox = prepared.and_then(|p| Some((Rc::new(p.lighting), Rc::new(p.sharp?))));
            }
            other => return Err(to_js(format!("setEnvironmentImage: \"{other}\" is not environment or skybox"))),
        }
        let (lighting, skybox) = (s.environment_images.lighting(), s.environment_images.skybox.as_ref().map(|s| s.1.clone()));
        s.renderer.set_environment_images(lighting, skybox);
        s.dirty = true;
        Ok(size)
    }
}
