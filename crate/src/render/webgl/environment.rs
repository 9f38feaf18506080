//! The environment on a WebGL2 context: prefiltered levels as an RGBA16F texture (filterable in
//! WebGL2 without extensions) at the units after the material's (see build.rs), and the split
//! sum's BRDF table (RGBA16F) after them.

use wasm_bindgen::JsCast;
use web_sys::{WebGl2RenderingContext as Gl, WebGlSampler, WebGlTexture};

use crate::ibl::Prefiltered;
use crate::render::lights::Lights;

/// The texture units of the lighting levels and of the skybox photo.
const LIGHTING_UNIT: u32 = crate::scene::TEXTURE_SLOTS as u32;
const SKYBOX_UNIT: u32 = LIGHTING_UNIT + 1;
const BRDF_UNIT: u32 = LIGHTING_UNIT + 2;

pub struct EnvTextures {
    pub version: u32,
    lighting: Option<WebGlTexture>,
    /// A skybox photo other than the lighting one.
    skybox: Option<WebGlTexture>,
    sampler: Option<WebGlSampler>,
    /// crate::ibl::brdf's table, made once; clamped, its own filtering.
    brdf: Option<WebGlTexture>,
    pub bytes: u64,
}

fn upload(gl: &Gl, p: &Prefiltered) -> Option<WebGlTexture> {
    let t = gl.create_texture()?;
    gl.bind_texture(Gl::TEXTURE_2D, Some(&t));
    for (k, level) in p.levels.iter().enumerate() {
        let (w, h) = p.level_size(k);
        let texels = js_sys::Uint16Array::from(level.as_slice());
        let _ = gl.tex_image_2d_with_i32_and_i32_and_i32_and_format_and_type_and_opt_array_buffer_view(
            Gl::TEXTURE_2D, k as i32, Gl::RGBA16F as i32, w as i32, h as i32, 0, Gl::RGBA, Gl::HALF_FLOAT, Some(texels.unchecked_ref()),
        );
    }
    // The chain stops at 8 × 4: the levels below are not there.
    gl.tex_parameteri(Gl::TEXTURE_2D, Gl::TEXTURE_MAX_LEVEL, p.levels.len() as i32 - 1);
    Some(t)
}

impl EnvTextures {
    pub fn new(gl: &Gl, lights: &Lights) -> EnvTextures {
        let sampler = gl.create_sampler();
        if let Some(s) = &sampler {
            // Around the horizon it wraps, over the poles it does not.
            gl.sampler_parameteri(s, Gl::TEXTURE_WRAP_S, Gl::REPEAT as i32);
            gl.sampler_parameteri(s, Gl::TEXTURE_WRAP_T, Gl::CLAMP_TO_EDGE as i32);
            gl.sampler_parameteri(s, Gl::TEXTURE_MAG_FILTER, Gl::LINEAR as i32);
            gl.sampler_parameteri(s, Gl::TEXTURE_MIN_FILTER, Gl::LINEAR_MIPMAP_LINEAR as i32);
        }
        gl.active_texture(Gl::TEXTURE0 + BRDF_UNIT);
        let brdf = gl.create_texture();
        gl.bind_texture(Gl::TEXTURE_2D, brdf.as_ref());
        let n = crate::ibl::brdf::SIZE as i32;
        let texels = js_sys::Uint16Array::from(crate::ibl::brdf::shared());
        let _ = gl.tex_image_2d_with_i32_and_i32_and_i32_and_format_and_type_and_opt_array_buffer_view(
            Gl::TEXTURE_2D, 0, Gl::RGBA16F as i32, n, n, 0, Gl::RGBA, Gl::HALF_FLOAT, Some(texels.unchecked_ref()),
        );
        for (k, v) in [(Gl::TEXTURE_WRAP_S, Gl::CLAMP_TO_EDGE), (Gl::TEXTURE_WRAP_T, Gl::CLAMP_TO_EDGE), (Gl::TEXTURE_MIN_FILTER, Gl::LINEAR), (Gl::TEXTURE_MAG_FILTER, Gl::LINEAR)] {
            gl.tex_parameteri(Gl::TEXTURE_2D, k, v as i32);
        }
        let mut e = EnvTextures { version: 0, lighting: None, skybox: None, sampler, brdf, bytes: 0 };
        e.sync(gl, lights);
        e
    }

    /// Uploads the environment again if it changed.
    pub fn sync(&mut self, gl: &Gl, lights: &Lights) {
        if self.version == lights.version {
            return;
        }
        self.delete_textures(gl);
        gl.active_texture(Gl::TEXTURE0 + LIGHTING_UNIT);
        self.lighting = upload(gl, lights.lighting());
        let other = lights.skybox().filter(|s| !std::rc::Rc::ptr_eq(s, lights.lighting()));
        self.skybox = other.and_then(|s| upload(gl, s));
        self.bytes = lights.lighting().bytes() + other.map_or(0, |s| s.bytes()) + crate::ibl::brdf::BYTES;
        self.version = lights.version;
    }

    /// Binds all three to their units for the frame.
    pub fn bind(&self, gl: &Gl) {
        for (unit, t) in [(LIGHTING_UNIT, self.lighting.as_ref()), (SKYBOX_UNIT, self.skybox.as_ref().or(self.lighting.as_ref()))] {
            gl.active_texture(Gl::TEXTURE0 + unit);
            gl.bind_texture(Gl::TEXTURE_2D, t);
            gl.bind_sampler(unit, self.sampler.as_ref());
        }
        gl.active_texture(Gl::TEXTURE0 + BRDF_UNIT);
        gl.bind_texture(Gl::TEXTURE_2D, self.brdf.as_ref());
    }

    fn delete_textures(&mut self, gl: &Gl) {
        gl.delete_texture(self.lighting.take().as_ref());
        gl.delete_texture(self.skybox.take().as_ref());
    }

    pub fn delete(&mut self, gl: &Gl) {
        self.delete_textures(gl);
        gl.delete_texture(self.brdf.take().as_ref());
        gl.delete_sampler(self.sampler.take().as_ref());
    }
}
