//! Image-based lighting: an environment (an `.hdr` or JPEG/PNG photo, or the procedural sky)
//! as an equirectangular image, prefiltered into what the shader reads: specular levels of
//! rising roughness (split sum) and diffuse irradiance (nine spherical-harmonic coefficients).
//! Pure logic, tested natively; the backends upload the result as they get it. Done in Rust,
//! not in GPU passes, so both renderers light from the same numbers, and tests can check them.
//!
//! Directions follow three.js (and so model-viewer): the photo's middle column faces +X, its
//! columns turn towards +Z, row 0 is the zenith. `u = atan2(z, x) / 2π + 0.5`, `v = acos(y) / π`.

pub mod brdf;
pub mod hdr;
pub mod prefilter;

pub use prefilter::{Prefiltered, prefilter, to_half};

use std::f32::consts::PI;

use glam::Vec3;

use crate::scene::environment::Environment;

/// Linear RGB radiance over all directions, rows from the zenith down.
#[derive(Debug, Clone, PartialEq)]
pub struct Equirect {
    pub width: u32,
    pub height: u32,
    pub texels: Vec<[f32; 3]>,
}

/// The direction through the middle of texel (x, y) of a `w` × `h` equirect.
pub fn texel_dir(x: u32, y: u32, w: u32, h: u32) -> Vec3 {
    let phi = ((x as f32 + 0.5) / w as f32 - 0.5) * 2.0 * PI;
    let theta = (y as f32 + 0.5) / h as f32 * PI;
    Vec3::new(theta.sin() * phi.cos(), theta.cos(), theta.sin() * phi.sin())
}

/// Where `dir` (unit length) falls in an equirect, in 0..1.
pub fn dir_uv(dir: Vec3) -> (f32, f32) {
    (dir.z.atan2(dir.x) / (2.0 * PI) + 0.5, dir.y.clamp(-1.0, 1.0).acos() / PI)
}

impl Equirect {
    /// Reads 8-bit RGBA rows (a decoded JPEG or PNG): sRGB-encoded, so linearised.
    pub fn from_srgb8(width: u32, height: u32, rgba: &[u8]) -> Result<Equirect, String> {
        check_size(width, height)?;
        if rgba.len() != width as usize * height as usize * 4 {
            return Err(format!("{} bytes are not {width} × {height} RGBA texels", rgba.len()));
        }
        let lut: Vec<f32> = (0..256).map(|i| srgb_to_linear(i as f32 / 255.0)).collect();
        let texels = rgba.chunks_exact(4).map(|p| [lut[p[0] as usize], lut[p[1] as usize], lut[p[2] as usize]]).collect();
        Ok(Equirect { width, height, texels })
    }

    fn at(&self, x: i64, y: i64) -> [f32; 3] {
        let (w, h) = (i64::from(self.width), i64::from(self.height));
        let x = x.rem_euclid(w); // around the horizon
        let y = y.clamp(0, h - 1); // not over the poles
        self.texels[(y * w + x) as usize]
    }

    /// Bilinear radiance in direction `dir`.
    pub fn sample(&self, dir: Vec3) -> Vec3 {
        let (u, v) = dir_uv(dir);
        self.sample_uv(u, v)
    }

    /// Bilinear radiance at (u, v) in 0..1 (wrapping around the horizon).
    pub fn sample_uv(&self, u: f32, v: f32) -> Vec3 {
        let (fx, fy) = (u * self.width as f32 - 0.5, v * self.height as f32 - 0.5);
        let (x0, y0) = (fx.floor(), fy.floor());
        let (tx, ty) = (fx - x0, fy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let p = |x, y| Vec3::from_array(self.at(x, y));
        let top = p(x0, y0).lerp(p(x0 + 1, y0), tx);
        let bottom = p(x0, y0 + 1).lerp(p(x0 + 1, y0 + 1), tx);
        top.lerp(bottom, ty)
    }

    /// Box-averaged to `width` × `width / 2` (each output texel the mean of the input texels it
    /// covers, or the bilinear sample where it covers less than one).
    pub fn resized(&self, width: u32) -> Equirect {
        let height = (width / 2).max(1);
        if (width, height) == (self.width, self.height) {
            return self.clone();
        }
        let (sx, sy) = (self.width as f32 / width as f32, self.height as f32 / height as f32);
        let mut texels = Vec::with_capacity(width as usize * height as usize);
        for y in 0..height {
            for x in 0..width {
                if sx <= 1.0 || sy <= 1.0 {
                    texels.push(self.sample(texel_dir(x, y, width, height)).to_array());
                    continue;
                }
                let (x0, x1) = ((x as f32 * sx) as u32, (((x + 1) as f32 * sx) as u32).min(self.width));
                let (y0, y1) = ((y as f32 * sy) as u32, (((y + 1) as f32 * sy) as u32).min(self.height));
                let mut sum = Vec3::ZERO;
                for yy in y0..y1.max(y0 + 1) {
                    for xx in x0..x1.max(x0 + 1) {
                        sum += Vec3::from_array(self.at(i64::from(xx), i64::from(yy)));
                    }
                }
                let n = ((y1.max(y0 + 1) - y0) * (x1.max(x0 + 1) - x0)) as f32;
                texels.push((sum / n).to_array());
            }
        }
        Equirect { width, height, texels }
    }

    /// Half the size, each texel the mean of four.
    fn halved(&self) -> Equirect {
        let (w, h) = ((self.width / 2).max(1), (self.height / 2).max(1));
        let mut texels = Vec::with_capacity(w as usize * h as usize);
        for y in 0..h {
            for x in 0..w {
                let (x2, y2) = (i64::from(x) * 2, i64::from(y) * 2);
                let s = [self.at(x2, y2), self.at(x2 + 1, y2), self.at(x2, y2 + 1), self.at(x2 + 1, y2 + 1)];
                texels.push(std::array::from_fn(|c| s.iter().map(|t| t[c]).sum::<f32>() * 0.25));
            }
        }
        Equirect { width: w, height: h, texels }
    }
}

/// Largest environment image taken (a 16K panorama is 16384 × 8192).
pub const MAX_SIDE: u32 = 16_384;

pub(crate) fn check_size(width: u32, height: u32) -> Result<(), String> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(format!("an environment image of {width} × {height} texels (at most {MAX_SIDE} a side)"));
    }
    Ok(())
}

fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
}

/// The procedural sky of `env` (what the shader's `sky()` draws behind the model, without the
/// sun's disc: the sun lights the scene directly), as an equirect `width` wide.
pub fn sky(env: &Environment, width: u32) -> Equirect {
    let height = width / 2;
    let (zenith, horizon, ground) = (Vec3::from(env.zenith), Vec3::from(env.horizon), Vec3::from(env.ground));
    let mut texels = Vec::with_capacity(width as usize * height as usize);
    for y in 0..height {
        let up = texel_dir(0, y, width, height).y;
        let c = if up >= 0.0 { horizon.lerp(zenith, up.sqrt()) } else { horizon.lerp(ground, (-up * 4.0).clamp(0.0, 1.0)) };
        texels.extend(std::iter::repeat_n(c.to_array(), width as usize));
    }
    Equirect { width, height, texels }
}

/// The procedural sky of `env`, prefiltered: what lights a scene without an environment image.
/// 64 texels around are plenty for a gradient (and take ~4 ms: it is made again per preset).
pub fn sky_lighting(env: &Environment) -> Prefiltered {
    prefilter(&sky(env, 64), 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_and_texels_agree() {
        let (u, v) = dir_uv(Vec3::X);
        assert!((u - 0.5).abs() < 1e-6 && (v - 0.5).abs() < 1e-6, "+X is the middle of the photo");
        let (u, _) = dir_uv(Vec3::Z);
        assert!((u - 0.75).abs() < 1e-6, "+Z a quarter to the right");
        assert!(dir_uv(Vec3::Y).1 < 1e-6 && (dir_uv(-Vec3::Y).1 - 1.0).abs() < 1e-6);
        for (x, y) in [(0, 0), (5, 3), (63, 31), (40, 16)] {
            let (u, v) = dir_uv(texel_dir(x, y, 64, 32));
            assert!(((u * 64.0 - 0.5) - x as f32).abs() < 1e-3 && ((v * 32.0 - 0.5) - y as f32).abs() < 1e-3, "{x},{y}");
        }
    }

    #[test]
    fn srgb_photos_are_linearised() {
        let e = Equirect::from_srgb8(2, 1, &[255, 128, 0, 255, 188, 188, 188, 255]).unwrap();
        assert_eq!(e.texels[0][0], 1.0);
        assert!((e.texels[0][1] - 0.2158).abs() < 1e-3);
        assert!((e.texels[1][0] - 0.5029).abs() < 1e-3);
        assert!(Equirect::from_srgb8(2, 2, &[0; 8]).unwrap_err().contains("8 bytes are not 2 × 2"));
        assert!(Equirect::from_srgb8(0, 2, &[]).is_err());
    }

    #[test]
    fn resizing_keeps_the_mean() {
        let texels = (0..64 * 32).map(|i| [(i % 7) as f32, 1.0, (i / 64) as f32]).collect();
        let e = Equirect { width: 64, height: 32, texels };
        let mean = |e: &Equirect| e.texels.iter().map(|t| Vec3::from_array(*t)).sum::<Vec3>() / e.texels.len() as f32;
        for w in [32, 16, 8] {
            let r = e.resized(w);
            assert_eq!((r.width, r.height), (w, w / 2));
            assert!((mean(&r) - mean(&e)).abs().max_element() < 0.1, "{w}: {} vs {}", mean(&r), mean(&e));
        }
        let h = e.halved();
        assert!((mean(&h) - mean(&e)).abs().max_element() < 1e-4);
    }

    #[test]
    fn the_sky_is_the_shaders_sky() {
        let env = Environment::DAYLIGHT;
        let s = sky(&env, 256);
        let top = s.sample(Vec3::Y);
        let horizon = s.sample(Vec3::new(1.0, 0.001, 0.0).normalize());
        let below = s.sample(-Vec3::Y);
        assert!((top - Vec3::from(env.zenith)).abs().max_element() < 0.05, "{top}");
        assert!((horizon - Vec3::from(env.horizon)).abs().max_element() < 0.06, "{horizon}");
        assert!((below - Vec3::from(env.ground)).abs().max_element() < 1e-4, "{below}");
    }
}
