//! Compressed content on the web: each Draco primitive and meshopt view goes to the page's
//! decoder function (`Viewer::load`'s `decode`: www/features/decoders.js, a worker running the
//! decoder modules), all at once; the decoded bytes stay in JS memory until the loader reads them.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::{fetch, join_all, js_error};
use crate::gltf::{self as loader, Fetched};
use crate::render::blocks::{self, BlockFormat};
use crate::render::{Blocks, Texels};

/// Hands `source` to `decode` with `spec` (`{ extension, … }`) as its first argument.
fn start(decode: &js_sys::Function, spec: &[(&str, JsValue)], source: loader::Source) -> Result<JsFuture, String> {
    let source = match source {
        loader::Source::Slice(bytes, range) => fetch::js_array(bytes, range),
        loader::Source::Data(v) => js_sys::Uint8Array::from(&v[..]),
    };
    call(decode, spec, &source).map(JsFuture::from)
}

fn call(decode: &js_sys::Function, spec: &[(&str, JsValue)], source: &js_sys::Uint8Array) -> Result<js_sys::Promise, String> {
    let object = js_sys::Object::new();
    for (key, value) in spec {
        js_sys::Reflect::set(&object, &(*key).into(), value).map_err(|e| js_error(&e))?;
    }
    let promise = decode.call2(&JsValue::NULL, &object, source).map_err(|e| js_error(&e))?;
    promise.dyn_into::<js_sys::Promise>().map_err(|_| "the decoder did not return a promise".to_string())
}

/// Starts transcoding a KTX2 image (KHR_texture_basisu) with the Basis module behind `decode`,
/// asking for the first of `formats` (the GPU's block formats, best first): a promise of the
/// module's answer when it is block-compressed (see [`texels`]), else of its RGBA8 base level as
/// an ImageBitmap, which then goes the way of a decoded PNG. The texels stay in JS memory (the
/// answer is viewed, not copied into wasm).
pub fn start_ktx2(decode: Option<&js_sys::Function>, source: &js_sys::Uint8Array, formats: &[BlockFormat]) -> Result<js_sys::Promise, String> {
    let decode = decode.ok_or("a KTX2 image and no decoder was given")?;
    let codes: js_sys::Array = formats.iter().map(|f| JsValue::from(f.code())).collect();
    let transcoded = call(decode, &[("extension", "KHR_texture_basisu".into()), ("formats", codes.into())], source)?;
    let texels = wasm_bindgen_futures::future_to_promise(async move {
        let bytes: js_sys::Uint8Array = JsFuture::from(transcoded).await?.dyn_into().map_err(|_| JsValue::from("the Basis module returned no texels"))?;
        let answer = read(&bytes)?;
        if answer.format != blocks::RGBA8 {
            return Ok(bytes.into());
        }
        let r = &answer.levels[0];
        let texels = js_sys::Uint8ClampedArray::new_with_byte_offset_and_length(&bytes.buffer(), bytes.byte_offset() + r.start as u32, r.len() as u32);
        let image = web_sys::ImageData::new_with_js_u8_clamped_array_and_sh(&texels, answer.width, answer.height)?;
        JsFuture::from(fetch::bitmap_of(&image)?).await
    });
    Ok(fetch::timed(texels, 60_000))
}

/// The module's answer, its header checked against its length.
fn read(bytes: &js_sys::Uint8Array) -> Result<blocks::Answer, JsValue> {
    // The header: four words and at most 32 level lengths.
    let mut head = vec![0u8; bytes.length().min(16 + 4 * 32) as usize];
    bytes.subarray(0, head.len() as u32).copy_to(&mut head);
    blocks::read_answer(&head, bytes.length() as usize).map_err(JsValue::from)
}

/// What a started image decode (a browser decode or [`start_ktx2`]) gives the renderer.
pub async fn texels(started: js_sys::Promise) -> Result<Texels, String> {
    let done = JsFuture::from(started)
        .await
        .map_err(|e| if e.is_undefined() { "decoding took too long".to_string() } else { js_error(&e) })?;
    if let Some(bytes) = done.dyn_ref::<js_sys::Uint8Array>() {
        let a = read(bytes).map_err(|e| js_error(&e))?;
        let format = BlockFormat::from_code(a.format).ok_or("the Basis module answered no block format")?;
        let levels = a.levels.iter().map(|r| bytes.subarray(r.start as u32, r.end as u32)).collect();
        return Ok(Texels::Blocks(Blocks { format, width: a.width, height: a.height, levels }));
    }
    done.dyn_into().map(Texels::Bitmap).map_err(|_| "createImageBitmap returned no bitmap".to_string())
}

/// The decoded bytes of one job, or its failure named by `at` and the codec.
fn finish(result: Result<JsValue, JsValue>, at: &str, codec: &str) -> Result<Box<dyn loader::Bytes>, String> {
    let bytes = result.map_err(|e| format!("{at}: {codec}: {}", js_error(&e)))?;
    Ok(Box::new(fetch::JsBytes(bytes.dyn_into::<js_sys::Uint8Array>().map_err(|_| format!("{at}: the decoder returned no bytes"))?)))
}

pub async fn decode(parsed: &loader::Parsed, fetched: &mut Fetched, decode: Option<&js_sys::Function>) -> Result<(), String> {
    let (views, prims) = (parsed.view_jobs(), parsed.primitive_jobs());
    if views.is_empty() && prims.is_empty() {
        return Ok(());
    }
    let decode = decode.ok_or_else(|| format!("{} buffer views and {} primitives are compressed and no decoder was given", views.len(), prims.len()))?;
    let draco = [("extension", JsValue::from("KHR_draco_mesh_compression"))];
    let mut started = Vec::new();
    for job in &prims {
        started.push(start(decode, &draco, parsed.primitive_source(job, fetched).map_err(|e| e.to_string())?)?);
    }
    for job in &views {
        let c = &job.compression;
        let extension = if c.khr { "KHR_meshopt_compression" } else { "EXT_meshopt_compression" };
        let spec = [("extension", JsValue::from(extension)), ("mode", c.mode.as_str().into()), ("filter", c.filter.as_str().into()), ("count", c.count.into()), ("stride", c.stride.into())];
        started.push(start(decode, &spec, parsed.view_source(job, fetched).map_err(|e| e.to_string())?)?);
    }
    // Draco and meshopt jobs run together; results come back in the order started.
    let mut results = join_all(started).await.into_iter();
    for (job, result) in prims.iter().zip(results.by_ref()) {
        let bytes = finish(result, &format!("/meshes/{}/primitives/{}", job.mesh, job.primitive), "Draco")?;
        fetched.primitives.push(((job.mesh, job.primitive), bytes));
    }
    for (job, result) in views.iter().zip(results) {
        let bytes = finish(result, &parsed.document().view_user(job.view), "meshopt")?;
        fetched.views.push((job.view, bytes));
    }
    Ok(())
}
