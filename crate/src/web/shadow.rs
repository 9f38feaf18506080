//! `shadow-intensity` and `shadow-softness`: the contact shadow under the model (crate::shadow),
//! made again after each load (the page asks) and attribute change: the renderer's depth pass from below, read
//! back, turned into darkness and blurred here, then drawn as a content of its own.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::{State, Viewer, js_error};
use crate::render::{ContentId, Texels, View};

#[derive(Default)]
pub struct ShadowState {
    intensity: f32,
    softness: f32,
    /// The shadow's quad in the renderer.
    pub content: Option<ContentId>,
    /// Bumped by every request; an older one that finishes late is dropped.
    generation: u32,
}

#[wasm_bindgen]
impl Viewer {
    /// The contact shadow's darkness (0: none, model-viewer's default) and softness (0: sharp,
    /// 1: model-viewer's default), each 0..1. Resolves once the shadow for the model shown is
    /// made (draw a frame then); the page calls it again after each load.
    #[wasm_bindgen(js_name = setShadow)]
    pub fn set_shadow(&self, intensity: f32, softness: f32) -> js_sys::Promise {
        {
            let mut s = self.state.borrow_mut();
            let clamp = |v: f32, or: f32| if v.is_finite() { v.clamp(0.0, 1.0) } else { or };
            s.shadow.intensity = clamp(intensity, 0.0);
            s.shadow.softness = clamp(softness, 1.0);
        }
        let state = self.state.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            make(&state).await.map_err(|e| JsValue::from(format!("the model's shadow could not be made: {e}")))?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Whether a shadow is drawn now (tests; it arrives a frame or two after a load).
    #[wasm_bindgen(getter, js_name = hasShadow)]
    pub fn has_shadow(&self) -> bool {
        self.state.borrow().shadow.content.is_some()
    }
}

/// Makes the shadow for the model shown, or removes it (no model, or no intensity).
async fn make(state: &Rc<RefCell<State>>) -> Result<(), String> {
    let (pending, frame, generation) = {
        let mut s = state.borrow_mut();
        let s = &mut *s;
        s.shadow.generation += 1;
        if let Some(c) = s.shadow.content.take() {
            s.renderer.remove_content(c);
            s.dirty = true;
        }
        let Some(bounds) = s.model.as_ref().map(|m| m.bounds).filter(|b| b.min.is_finite() && b.max.is_finite() && b.max.cmpge(b.min).all()) else {
            return Ok(());
        };
        if s.shadow.intensity <= 0.0 {
            return Ok(());
        }
        let (w, h) = s.renderer.size();
        let f = crate::shadow::frame(bounds, w, h);
        (s.renderer.read_depth(&View { view: f.view, proj: f.proj, eye: f.eye, exposure: 1.0 }), f, s.shadow.generation)
    };
    let image = pending.await?;
    let (intensity, softness) = {
        let s = state.borrow();
        if s.shadow.generation != generation {
            return Ok(());
        }
        (s.shadow.intensity, s.shadow.softness)
    };
    let texels = crate::shadow::mask(&image.data, image.width, image.height, intensity, softness);
    let data = web_sys::ImageData::new_with_u8_clamped_array_and_sh(wasm_bindgen::Clamped(&texels), image.width, image.height).map_err(|e| js_error(&e))?;
    let promise = super::fetch::bitmap_of(&data).map_err(|e| js_error(&e))?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(promise).await.map_err(|e| js_error(&e))?.dyn_into().map_err(|_| "createImageBitmap returned no bitmap".to_string())?;
    let mut s = state.borrow_mut();
    if s.shadow.generation != generation || s.renderer.is_lost() {
        bitmap.close();
        return Ok(());
    }
    let content = s.renderer.begin_content();
    s.renderer.finish_content(content, &crate::shadow::scene(&frame), &[Some(Texels::Bitmap(bitmap.clone()))], 0);
    bitmap.close();
    // Not over a panorama (the model is hidden while one is shown).
    if super::panorama::shown(&s) {
        s.renderer.set_visible(content, false);
    }
    s.shadow.content = Some(content);
    s.dirty = true;
    Ok(())
}
