//! EXT_texture_webp: a texture's WebP image, preferred to its `source` (every browser Scenic runs
//! in decodes WebP itself), and the only image where a file requires the extension.

use serde_json::Value;

use super::Extension;

pub struct TextureWebp;

impl Extension for TextureWebp {
    fn name(&self) -> &'static str {
        "EXT_texture_webp"
    }

    fn texture_source(&self, ext: &Value) -> Option<Result<usize, String>> {
        super::image_source(ext)
    }
}
