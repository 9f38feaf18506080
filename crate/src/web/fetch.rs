//! Fetching model files with byte progress, cancellable through an AbortSignal.

use std::borrow::Cow;
use std::ops::Range;

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::js_error;
use crate::gltf as loader;

/// Shared byte counters for one load; `report(loaded, total)` is called on every chunk. While a
/// response of unknown length is still arriving the total is reported as 0 (unknown).
pub struct Progress {
    pub loaded: std::cell::Cell<f64>,
    pub total: std::cell::Cell<f64>,
    /// Responses of unknown length still arriving.
    pub unknown: std::cell::Cell<u32>,
    pub report: Box<dyn Fn(f64, f64)>,
}

impl Progress {
    pub fn new(report: Box<dyn Fn(f64, f64)>) -> Progress {
        Progress { loaded: Default::default(), total: Default::default(), unknown: Default::default(), report }
    }

    fn add(&self, loaded: f64, total: f64) {
        self.loaded.set(self.loaded.get() + loaded);
        self.total.set(self.total.get() + total);
        let total = if self.unknown.get() > 0 { 0.0 } else { self.total.get().max(self.loaded.get()) };
        (self.report)(self.loaded.get(), total);
    }
}

/// A fetched file kept in the browser's memory, not in wasm memory: the loader copies out only
/// the ranges it reads (wasm memory never shrinks; a GLB copied in whole would stay as the
/// viewer's footprint), and images go from here to the decoder without entering wasm at all.
pub struct JsBytes(pub Uint8Array);

impl loader::Bytes for JsBytes {
    fn len(&self) -> usize {
        self.0.length() as usize
    }
    fn get(&self, range: Range<usize>) -> Option<Cow<'_, [u8]>> {
        if range.start > range.end {
            return None;
        }
        let mut out = vec![0; range.len()];
        self.read_into(range.start, &mut out).then_some(Cow::Owned(out))
    }
    fn read_into(&self, start: usize, out: &mut [u8]) -> bool {
        let end = start.saturating_add(out.len());
        if end > self.len() {
            return false;
        }
        self.0.subarray(start as u32, end as u32).copy_to(out);
        true
    }
    fn keep(self: Box<Self>, range: Range<usize>) -> Box<dyn loader::Bytes> {
        Box::new(JsBytes(self.0.subarray(range.start as u32, range.end as u32)))
    }
}

/// The bytes in `range` of `bytes` as a JS array: a view where they are in JS memory already.
pub fn js_array(bytes: &dyn loader::Bytes, range: Range<usize>) -> Uint8Array {
    match (bytes as &dyn std::any::Any).downcast_ref::<JsBytes>() {
        Some(js) => js.0.subarray(range.start as u32, range.end as u32),
        None => Uint8Array::from(bytes.get(range).as_deref().unwrap_or_default()),
    }
}

/// GETs `url` and returns its bytes, reporting progress as they arrive.
pub async fn fetch_bytes(url: &str, signal: &web_sys::AbortSignal, progress: &Progress) -> Result<JsBytes, String> {
    let init = web_sys::RequestInit::new();
    init.set_signal(Some(signal));
    let window = web_sys::window().ok_or("no window")?;
    read_response(window.fetch_with_str_and_init(url, &init), progress).await
}

/// Reads the body of a `fetch()` already under way (a promise of a Response), with progress.
/// The chunks stay in JS memory and are joined there.
pub async fn read_response(response: js_sys::Promise, progress: &Progress) -> Result<JsBytes, String> {
    let resp = JsFuture::from(response).await.map_err(|e| js_error(&e))?;
    let resp: web_sys::Response = resp.dyn_into().map_err(|_| "fetch returned something other than a Response".to_string())?;
    if !resp.ok() {
        return Err(format!("HTTP {} {}", resp.status(), resp.status_text()));
    }
    // A compressed response announces its compressed length, but the body arrives decompressed:
    // the total is then unknown (0) rather than a figure the bytes overrun at a third of the way.
    let header = |name: &str| resp.headers().get(name).ok().flatten();
    let encoded = header("content-encoding").is_some_and(|e| !e.trim().eq_ignore_ascii_case("identity"));
    let length = if encoded { None } else { header("content-length").and_then(|v| v.trim().parse::<u64>().ok()).map(|n| n as f64) };
    let Some(body) = resp.body() else { return Ok(JsBytes(Uint8Array::new_with_length(0))) };
    if length.is_none() {
        progress.unknown.set(progress.unknown.get() + 1);
    }
    progress.add(0.0, length.unwrap_or(0.0));
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut chunks = Vec::new();
    let mut total = 0u32;
    let read = async {
        loop {
            let chunk = JsFuture::from(reader.read()).await.map_err(|e| js_error(&e))?;
            if Reflect::get(&chunk, &JsValue::from_str("done")).map(|d| d.is_truthy()).unwrap_or(true) {
                return Ok(());
            }
            let value: Uint8Array = Reflect::get(&chunk, &JsValue::from_str("value")).map_err(|e| js_error(&e))?.unchecked_into();
            let start = total as f64;
            total = total.checked_add(value.length()).ok_or("the file is larger than 4 GB")?;
            // Bytes beyond an announced length still count (a server that announced too few).
            let extra = length.map_or(0.0, |l| (total as f64 - l).max(0.0) - (start - l).max(0.0));
            progress.add(value.length() as f64, extra);
            chunks.push(value);
        }
    };
    let result: Result<(), String> = read.await;
    if length.is_none() {
        // Now known: this response's bytes join the total.
        progress.unknown.set(progress.unknown.get() - 1);
        progress.add(0.0, total as f64);
    }
    result?;
    if chunks.len() == 1 {
        return Ok(JsBytes(chunks.pop().unwrap_or_default()));
    }
    let out = Uint8Array::new_with_length(total);
    let mut at = 0;
    for c in chunks {
        out.set(&c, at);
        at += c.length();
    }
    Ok(JsBytes(out))
}

/// Decodes an encoded image in the browser (not in wasm), as stored: no colour conversion,
/// no premultiplication, so texels reach the shader as authored.
/// Starts decoding now (the browser works on it off the main thread); await with `decoded`.
pub fn start_decode(array: &Uint8Array, mime: &str) -> Result<js_sys::Promise, String> {
    let parts = js_sys::Array::of1(array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(|e| js_error(&e))?;
    let window = web_sys::window().ok_or("no window")?;
    let promise = window.create_image_bitmap_with_blob_and_image_bitmap_options(&blob, &as_stored()).map_err(|e| js_error(&e))?;
    Ok(timed(promise, 15_000))
}

/// Starts making a bitmap of RGBA8 texels (a transcoded KTX2 level, the contact shadow), as stored.
pub fn bitmap_of(image: &web_sys::ImageData) -> Result<js_sys::Promise, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from("no window"))?;
    window.create_image_bitmap_with_image_data_and_image_bitmap_options(image, &as_stored())
}

/// Bitmap options that keep texels as authored: no colour conversion, no premultiplication.
pub fn as_stored() -> web_sys::ImageBitmapOptions {
    let opts = web_sys::ImageBitmapOptions::new();
    opts.set_premultiply_alpha(web_sys::PremultiplyAlpha::None);
    opts.set_color_space_conversion(web_sys::ColorSpaceConversion::None);
    opts
}

/// `promise`, rejected with undefined after `ms`: a decode that never settles must not hold the
/// whole model back (`decoded` reads the rejection as a time-out).
pub fn timed(promise: js_sys::Promise, ms: i32) -> js_sys::Promise {
    let timeout = js_sys::Promise::new(&mut |_, reject| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&reject, ms);
        }
    });
    js_sys::Promise::race(&js_sys::Array::of2(&promise, &timeout))
}

/// `bitmap` scaled down (keeping its aspect) so that neither side exceeds `max`, and the old one
/// closed; None when it fits already.
pub async fn fit(bitmap: &web_sys::ImageBitmap, max: u32) -> Result<Option<web_sys::ImageBitmap>, String> {
    let (w, h) = (bitmap.width(), bitmap.height());
    if w <= max && h <= max {
        return Ok(None);
    }
    let scale = f64::from(max) / f64::from(w.max(h));
    let (nw, nh) = (((f64::from(w) * scale).floor() as u32).clamp(1, max), ((f64::from(h) * scale).floor() as u32).clamp(1, max));
    let opts = as_stored();
    opts.set_resize_width(nw);
    opts.set_resize_height(nh);
    opts.set_resize_quality(web_sys::ResizeQuality::High);
    let window = web_sys::window().ok_or("no window")?;
    let promise = window.create_image_bitmap_with_image_bitmap_and_image_bitmap_options(bitmap, &opts).map_err(|e| js_error(&e))?;
    let smaller: web_sys::ImageBitmap = JsFuture::from(promise).await.map_err(|e| js_error(&e))?.dyn_into().map_err(|_| "createImageBitmap returned no bitmap".to_string())?;
    bitmap.close();
    Ok(Some(smaller))
}
