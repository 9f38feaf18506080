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

#[wasm_bindgen]
impl Viewer {
    /// Sets `which` ("environment" or "skybox") from a Radiance .hdr file's bytes, or from an
    /// image the page decoded: RGBA8 texels, `width` × `height`. No bytes clear it. Returns the
    /// environment's size; a bad image is refused with a message and the lighting stays as it was.
    #[wasm_bindgen(js_name = setEnvironmentImage)]
    pub fn set_environment_image(&self, which: &str, bytes: &[u8], width: u32, height: u32) -> Result<Vec<u32>, JsValue> {
        let image = if bytes.is_empty() { None } else { Some(read(bytes, width, height).map_err(|e| to_js(format!("{which}-image: {e}")))?) };
        let size = image.as_ref().map_or(vec![0, 0], |e| vec![e.width, e.height]);
        let mut s = self.state.borrow_mut();
        match which {
            "environment" => s.environment_images.environment = image.map(|e| Rc::new(ibl::prefilter(&e, LIGHTING_WIDTH))),
            "skybox" => {
                s.environment_images.skybox = image.map(|e| {
                    let sharp = e.resized(ibl::prefilter::fit_width(e.width, SKYBOX_WIDTH));
                    (Rc::new(ibl::prefilter(&e, LIGHTING_WIDTH)), Rc::new(ibl::Prefiltered::sharp(&sharp)))
                })
            }
            other => return Err(to_js(format!("setEnvironmentImage: \"{other}\" is not environment or skybox"))),
        }
        let (lighting, skybox) = (s.environment_images.lighting(), s.environment_images.skybox.as_ref().map(|s| s.1.clone()));
        s.renderer.set_environment_images(lighting, skybox);
        s.dirty = true;
        Ok(size)
    }
}
