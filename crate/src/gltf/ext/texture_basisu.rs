//! KHR_texture_basisu: a texture's KTX2 (Basis Universal) image, used where no WebP or PNG/JPEG
//! alternative is named first. The loader hands KTX2 images on as "image/ktx2"; on the web the
//! Basis module (decoders/basis, fetched only then) transcodes them in the decoder worker.

use serde_json::Value;

use super::Extension;

pub struct TextureBasisu;

impl Extension for TextureBasisu {
    fn name(&self) -> &'static str {
        "KHR_texture_basisu"
    }

    fn texture_source(&self, ext: &Value) -> Option<Result<usize, String>> {
        super::image_source(ext)
    }
}
