//! Split-sum prefiltering: level k of the specular chain is the environment convolved with the
//! GGX lobe of roughness k / (levels − 1), taken with filtered importance sampling (each sample
//! read from the box-filtered level whose texels match its share of the lobe, so few samples
//! give no noise); diffuse irradiance is the environment projected on nine spherical harmonics
//! and convolved with the cosine lobe (Ramamoorthi and Hanrahan).

use std::f32::consts::PI;

use glam::Vec3;

use super::{Equirect, texel_dir};

/// What the shader reads: the specular levels (RGBA half floats, level 0 `width` × `height`,
/// each next one half the size) and the irradiance coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct Prefiltered {
    pub width: u32,
    pub height: u32,
    pub levels: Vec<Vec<u16>>,
    /// `Globals.sh` in pbr.wgsl: irradiance / π (the light a white matte surface gives back)
    /// around a normal n is Σ sh[i] · term_i(n), term = [1, y, z, x, xy, yz, 3z² − 1, xz, x² − y²].
    pub sh: [[f32; 4]; 9],
}

/// The smallest level (texels around the horizon).
const SMALLEST: u32 = 8;

impl Prefiltered {
    pub fn level_size(&self, k: usize) -> (u32, u32) {
        ((self.width >> k).max(1), (self.height >> k).max(1))
    }

    /// The level that holds roughness 1.
    pub fn max_lod(&self) -> f32 {
        (self.levels.len() - 1) as f32
    }

    /// GPU bytes of the levels.
    pub fn bytes(&self) -> u64 {
        self.levels.iter().map(|l| l.len() as u64 * 2).sum()
    }

    /// Irradiance / π around normal `n`, as the shader evaluates it.
    pub fn diffuse(&self, n: Vec3) -> Vec3 {
        let t = terms(n);
        (0..9).map(|i| Vec3::new(self.sh[i][0], self.sh[i][1], self.sh[i][2]) * t[i]).sum()
    }

    /// The prefiltered radiance along `dir` at `roughness`, as the shader reads it (the two
    /// nearest levels blended; bilinear within them).
    pub fn specular(&self, dir: Vec3, roughness: f32) -> Vec3 {
        let lod = (roughness.clamp(0.0, 1.0) * self.max_lod()).min(self.max_lod());
        let k = lod.floor() as usize;
        let level = |k: usize| {
            let (w, h) = self.level_size(k);
            let texels = self.levels[k].chunks_exact(4).map(|p| [from_half(p[0]), from_half(p[1]), from_half(p[2])]).collect();
            Equirect { width: w, height: h, texels }.sample(dir)
        };
        if k + 1 >= self.levels.len() { level(k) } else { level(k).lerp(level(k + 1), lod - k as f32) }
    }
}

/// The nine polynomial terms of the real spherical harmonics up to band 2 (constants apart).
fn terms(d: Vec3) -> [f32; 9] {
    let (x, y, z) = (d.x, d.y, d.z);
    [1.0, y, z, x, x * y, y * z, 3.0 * z * z - 1.0, x * z, x * x - y * y]
}

/// Each term's constant in the orthonormal basis.
const BASIS: [f32; 9] = [0.282_095, 0.488_603, 0.488_603, 0.488_603, 1.092_548, 1.092_548, 0.315_392, 1.092_548, 0.546_274];
/// The cosine lobe's convolution per band, over π: 1, 2/3, 1/4.
const BAND: [f32; 9] = [1.0, 2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0, 0.25, 0.25, 0.25, 0.25, 0.25];

fn irradiance_sh(e: &Equirect) -> [[f32; 4]; 9] {
    let mut acc = [Vec3::ZERO; 9];
    let texel = (2.0 * PI / e.width as f32) * (PI / e.height as f32);
    for y in 0..e.height {
        for x in 0..e.width {
            let d = texel_dir(x, y, e.width, e.height);
            let weight = texel * (1.0 - d.y * d.y).max(0.0).sqrt(); // solid angle: sin θ
            let radiance = Vec3::from_array(e.texels[(y * e.width + x) as usize]) * weight;
            let t = terms(d);
            for i in 0..9 {
                acc[i] += radiance * (BASIS[i] * t[i]);
            }
        }
    }
    std::array::from_fn(|i| (acc[i] * BASIS[i] * BAND[i]).extend(0.0).to_array())
}

/// The i-th of `n` points of the Hammersley set.
pub(crate) fn hammersley(i: u32, n: u32) -> (f32, f32) {
    (i as f32 / n as f32, i.reverse_bits() as f32 * 2.328_306_4e-10)
}

/// The box-filtered levels of the environment, read at a fractional level.
struct Chain(Vec<Equirect>);

impl Chain {
    fn sample(&self, dir: Vec3, lod: f32) -> Vec3 {
        let lod = lod.clamp(0.0, (self.0.len() - 1) as f32);
        let k = lod.floor() as usize;
        let (u, v) = super::dir_uv(dir);
        if k + 1 >= self.0.len() {
            return self.0[k].sample_uv(u, v);
        }
        self.0[k].sample_uv(u, v).lerp(self.0[k + 1].sample_uv(u, v), lod - k as f32)
    }
}

/// The width of level 0 for a source `width` wide: a power of two at most `width` and
/// `max_width`, at least 16.
pub fn fit_width(width: u32, max_width: u32) -> u32 {
    (1u32 << (31 - width.max(1).leading_zeros())).clamp(16, max_width.max(16).next_power_of_two())
}

impl Prefiltered {
    /// One sharp level, no irradiance: a skybox photo (`src` as it is; a power of two wide for
    /// the GPU's sake is the caller's, see `fit_width`).
    pub fn sharp(src: &Equirect) -> Prefiltered {
        Prefiltered { width: src.width, height: src.height, levels: vec![pack(&src.texels)], sh: [[0.0; 4]; 9] }
    }

    /// Appends the levels to `out` as bytes (little-endian: width, height, level count, the
    /// harmonics, then each level's half floats), to cross from a worker to the viewer.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.reserve(PACKED_HEADER + self.bytes() as usize);
        for n in [self.width, self.height, self.levels.len() as u32] {
            out.extend(n.to_le_bytes());
        }
        out.extend(self.sh.iter().flatten().flat_map(|f| f.to_le_bytes()));
        out.extend(self.levels.iter().flatten().flat_map(|h| h.to_le_bytes()));
    }

    /// Reads what `write_to` wrote at the start of `bytes`; returns it and the bytes after it.
    pub fn read_from(bytes: &[u8]) -> Result<(Prefiltered, &[u8]), String> {
        let short = || "prefiltered levels: fewer bytes than their sizes say".to_string();
        let header = bytes.get(..PACKED_HEADER).ok_or_else(short)?;
        let word = |k: usize| le_u32(header, k).unwrap_or(0);
        let (width, height, count) = (word(0), word(1), word(2) as usize);
        if width == 0 || height == 0 || width > 16384 || height > 16384 || count == 0 || count > 16 {
            return Err(format!("prefiltered levels: {width} × {height}, {count} levels"));
        }
        let sh = std::array::from_fn(|i| std::array::from_fn(|c| f32::from_bits(word(3 + i * 4 + c))));
        let mut rest = &bytes[PACKED_HEADER..];
        let mut p = Prefiltered { width, height, levels: Vec::with_capacity(count), sh };
        for k in 0..count {
            let (w, h) = p.level_size(k);
            let n = (w * h * 4) as usize;
            let level = rest.get(..n * 2).ok_or_else(short)?;
            p.levels.push(level.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]])).collect());
            rest = &rest[n * 2..];
        }
        Ok((p, rest))
    }
}

/// Bytes before the levels in `Prefiltered::write_to`: width, height, level count, 9 × 4 harmonics.
const PACKED_HEADER: usize = (3 + 36) * 4;

/// The little-endian u32 at word `k` of `bytes`, if it has one.
pub(crate) fn le_u32(bytes: &[u8], k: usize) -> Option<u32> {
    bytes.get(k * 4..k * 4 + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The environment `src` prefiltered, its level 0 at most `max_width` texels around (a power of
/// two, at least 16).
pub fn prefilter(src: &Equirect, max_width: u32) -> Prefiltered {
    let fit = fit_width(src.width, max_width);
    let base = if (src.width, src.height) == (fit, fit / 2) { src.clone() } else { src.resized(fit) };
    let mut chain = vec![base];
    while chain.last().is_some_and(|l| l.width > SMALLEST) {
        let next = chain.last().map(Equirect::halved).unwrap_or_else(|| unreachable!());
        chain.push(next);
    }
    let chain = Chain(chain);
    let count = chain.0.len();
    let (w0, h0) = (chain.0[0].width, chain.0[0].height);
    let texel_angle = 4.0 * PI / (w0 as f32 * h0 as f32);
    let mut levels = vec![pack(&chain.0[0].texels)];
    for k in 1..count {
        let roughness = k as f32 / (count - 1) as f32;
        let a = roughness * roughness;
        let a2 = a * a;
        // Wide lobes need more samples. Narrow ones need few: each sample is read from a level
        // as blurred as its share of the lobe; and their levels are the large ones.
        let n = match chain.0[k].width {
            512.. => 8,
            256.. => 16,
            128.. => 32,
            _ => 64,
        };
        // In the lobe's frame (normal = view = reflection along +z): each sample's direction,
        // weight (n·l) and the level its share of the lobe's solid angle matches.
        let samples: Vec<(Vec3, f32, f32)> = (0..n)
            .filter_map(|i| {
                let (u, v) = hammersley(i, n);
                let phi = 2.0 * PI * u;
                let cos_t = ((1.0 - v) / (1.0 + (a2 - 1.0) * v)).sqrt();
                let sin_t = (1.0 - cos_t * cos_t).max(0.0).sqrt();
                let h = Vec3::new(sin_t * phi.cos(), sin_t * phi.sin(), cos_t);
                let l = 2.0 * cos_t * h - Vec3::Z;
                (l.z > 0.0).then(|| {
                    let dd = cos_t * cos_t * (a2 - 1.0) + 1.0;
                    let pdf = a2 / (PI * dd * dd) / 4.0;
                    let lod = (0.5 * (1.0 / (n as f32 * pdf * texel_angle)).log2() + 1.0).max(0.0);
                    (l, l.z, lod)
                })
            })
            .collect();
        let total: f32 = samples.iter().map(|s| s.1).sum();
        let (w, h) = (chain.0[k].width, chain.0[k].height);
        let mut out = Vec::with_capacity(w as usize * h as usize);
        for y in 0..h {
            for x in 0..w {
                let nrm = texel_dir(x, y, w, h);
                let up = if nrm.y.abs() < 0.999 { Vec3::Y } else { Vec3::X };
                let t = up.cross(nrm).normalize();
                let b = nrm.cross(t);
                let sum: Vec3 = samples.iter().map(|&(l, weight, lod)| chain.sample(t * l.x + b * l.y + nrm * l.z, lod) * weight).sum();
                out.push((sum / total).to_array());
            }
        }
        levels.push(pack(&out));
    }
    let sh_level = chain.0.iter().find(|l| l.width <= 64).unwrap_or(&chain.0[count - 1]);
    Prefiltered { width: w0, height: h0, levels, sh: irradiance_sh(sh_level) }
}

fn pack(texels: &[[f32; 3]]) -> Vec<u16> {
    texels.iter().flat_map(|t| [to_half(t[0]), to_half(t[1]), to_half(t[2]), to_half(1.0)]).collect()
}

/// An IEEE half float, rounded to nearest; negatives and NaN become 0 (radiance), beyond the
/// largest half the largest half.
pub fn to_half(f: f32) -> u16 {
    if f.is_nan() || f <= 0.0 {
        return 0;
    }
    if f >= 65_504.0 {
        return 0x7bff;
    }
    if f < 6.103_515_6e-5 {
        return (f / 5.960_464_5e-8).round() as u16; // subnormal: steps of 2^-24
    }
    let bits = f.to_bits();
    let exp = ((bits >> 23) & 0xff) as i32 - 127 + 15;
    let mant = bits & 0x7f_ffff;
    let v = ((exp as u32) << 10 | (mant >> 13)) + ((mant >> 12) & 1); // a carry raises the exponent
    v.min(0x7bff) as u16
}

pub(crate) fn from_half(h: u16) -> f32 {
    let exp = (h >> 10) & 0x1f;
    let mant = f32::from(h & 0x3ff);
    let v = if exp == 0 { mant * 5.960_464_5e-8 } else { (1.0 + mant / 1024.0) * 2f32.powi(i32::from(exp) - 15) };
    if h & 0x8000 != 0 { -v } else { v }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(width: u32, f: impl Fn(Vec3) -> Vec3) -> Equirect {
        let height = width / 2;
        let texels = (0..height).flat_map(|y| (0..width).map(move |x| (x, y))).map(|(x, y)| f(texel_dir(x, y, width, height)).to_array()).collect();
        Equirect { width, height, texels }
    }

    #[test]
    fn half_floats_round_trip() {
        for f in [0.0, 1.0, 0.5, 0.2158, 3.75, 1000.0, 65504.0, 1e-5, 6.2e-5] {
            let back = from_half(to_half(f));
            assert!((back - f).abs() <= f * 1e-3 + 1e-7, "{f} -> {back}");
        }
        assert_eq!(to_half(1.0), 0x3c00);
        assert_eq!(to_half(1e9), 0x7bff);
        assert_eq!(to_half(-2.0), 0);
        assert_eq!(to_half(f32::NAN), 0);
        assert_eq!(to_half(2047.9), 0x6800, "rounds up into the next exponent");
    }

    #[test]
    fn a_uniform_environment_stays_uniform() {
        let p = prefilter(&env(64, |_| Vec3::new(0.5, 1.0, 2.0)), 64);
        assert_eq!((p.width, p.height, p.levels.len()), (64, 32, 4), "64, 32, 16, 8 around");
        for (k, level) in p.levels.iter().enumerate() {
            let (w, h) = p.level_size(k);
            assert_eq!(level.len(), (w * h * 4) as usize);
        }
        for d in [Vec3::Y, -Vec3::Y, Vec3::X, Vec3::new(0.3, -0.5, 0.8).normalize()] {
            for r in [0.0, 0.3, 1.0] {
                let s = p.specular(d, r);
                assert!((s - Vec3::new(0.5, 1.0, 2.0)).abs().max_element() < 0.01, "{d} {r}: {s}");
            }
            // A white matte surface under a uniform sky gives back that sky.
            let e = p.diffuse(d);
            assert!((e - Vec3::new(0.5, 1.0, 2.0)).abs().max_element() < 0.02, "{d}: {e}");
        }
    }

    #[test]
    fn irradiance_is_the_cosine_weighted_mean() {
        // Bright above, black below: facing up a matte surface sees only the bright half, at
        // grazing half of it, facing down nothing.
        let p = prefilter(&env(128, |d| if d.y > 0.0 { Vec3::ONE } else { Vec3::ZERO }), 128);
        let up = p.diffuse(Vec3::Y).x;
        let side = p.diffuse(Vec3::Z).x;
        let down = p.diffuse(-Vec3::Y).x;
        // Exact: 1, 0.5, 0; nine harmonics ring a little at a hard edge.
        assert!((up - 1.0).abs() < 0.12, "{up}");
        assert!((side - 0.5).abs() < 0.02, "{side}");
        assert!(down.abs() < 0.12, "{down}");
    }

    #[test]
    fn rough_levels_blur_and_sharp_ones_mirror() {
        // A red cap within 30° of +X in a grey world.
        let cap = |d: Vec3| if d.x > 30f32.to_radians().cos() { Vec3::new(4.0, 0.0, 0.0) } else { Vec3::splat(0.2) };
        let p = prefilter(&env(256, cap), 256);
        assert_eq!(p.levels.len(), 6);
        let mirror = p.specular(Vec3::X, 0.0);
        assert!((mirror - Vec3::new(4.0, 0.0, 0.0)).abs().max_element() < 0.05, "{mirror}");
        let off = Vec3::new(0.0, 0.0, 1.0);
        assert!((p.specular(off, 0.0) - Vec3::splat(0.2)).abs().max_element() < 0.01);
        // Rougher: the centre dims and the red reaches further out, monotonically.
        let centre: Vec<f32> = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0].iter().map(|&r| p.specular(Vec3::X, r).x).collect();
        assert!(centre.windows(2).all(|w| w[1] <= w[0] + 1e-3), "{centre:?}");
        let near = Vec3::new(0.7, 0.0, 0.71).normalize(); // 45° from the cap's middle
        let reach: Vec<f32> = [0.0, 0.4, 0.8].iter().map(|&r| p.specular(near, r).x).collect();
        assert!(reach[0] < 0.21 && reach[1] > reach[0] + 0.05 && reach[2] > 0.25, "{reach:?}");
        // Energy is kept: a rough level's mean is the environment's mean
        let mean = |k: usize| {
            let (w, h) = p.level_size(k);
            let mut s = 0.0;
            let mut wsum = 0.0;
            for y in 0..h {
                for x in 0..w {
                    let d = texel_dir(x, y, w, h);
                    let sin = (1.0 - d.y * d.y).sqrt();
                    s += from_half(p.levels[k][((y * w + x) * 4) as usize]) * sin;
                    wsum += sin;
                }
            }
            s / wsum
        };
        // (within what 4 rows of 8 texels resolve of a 30° cap)
        for k in [3, 4, 5] {
            assert!((mean(k) - mean(0)).abs() < 0.08 * mean(0), "{k}: {} vs {}", mean(k), mean(0));
        }
    }

    #[test]
    fn levels_cross_as_bytes_unchanged_and_short_bytes_are_refused() {
        let p = prefilter(&env(64, |d| Vec3::new(d.x.max(0.0), 0.5, 1.0)), 64);
        let mut bytes = Vec::new();
        p.write_to(&mut bytes);
        Prefiltered::sharp(&env(16, |_| Vec3::ONE)).write_to(&mut bytes);
        let (back, rest) = Prefiltered::read_from(&bytes).unwrap();
        assert_eq!(back, p);
        let (sharp, rest) = Prefiltered::read_from(rest).unwrap();
        assert_eq!((sharp.width, sharp.levels.len(), rest.len()), (16, 1, 0));
        let mut p_bytes = Vec::new();
        p.write_to(&mut p_bytes);
        for cut in [0, 8, 100, p_bytes.len() - 1] {
            assert!(Prefiltered::read_from(&p_bytes[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn size_follows_the_source() {
        let p = prefilter(&env(3000, |_| Vec3::ONE), 1024);
        assert_eq!((p.width, p.height, p.levels.len()), (1024, 512, 8));
        let p = prefilter(&env(20, |_| Vec3::ONE), 1024);
        assert_eq!((p.width, p.height), (16, 8), "at least 16 around");
        assert_eq!(p.max_lod(), 1.0);
    }
}
