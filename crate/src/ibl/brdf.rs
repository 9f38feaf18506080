//! The split sum's second factor: the GGX specular BRDF integrated over the hemisphere, per view
//! angle and roughness, as a scale (A) and bias (B) of the reflectance at normal incidence:
//! `∫ brdf · n·l = f0 · A + f90 · B` (Karis 2013). Made once, the same for every environment, and
//! read by the shader as a small table, as the Khronos sample renderer reads its lut_ggx.
//! Same model as the sun's lobe in pbr.wgsl: α = roughness², Smith-GGX correlated visibility.
//! Its third channel is the sheen layer's directional albedo (KHR_materials_sheen, [`sheen`]),
//! which scales the sheen's environment light and what it takes from the layer beneath.

use std::f32::consts::PI;

use glam::Vec3;

use super::prefilter::{hammersley, to_half};

/// Texels per side: x is n·v, y is the perceptual roughness, each at texel centres.
pub const SIZE: u32 = 32;
/// Samples per texel: with 128 the table strays 0.02 from the brute-force integral (test below).
/// The whole table takes about 12 ms natively (`cargo bench -p scenic --bench ibl`), once per page
/// (`shared`), while the model downloads.
const SAMPLES: u32 = 256;
/// Its size on the GPU (RGBA16F; the fourth channel is unused: WebGPU has no RGB16F).
pub const BYTES: u64 = (SIZE * SIZE * 8) as u64;

/// (A, B) for one view angle (n·v) and roughness.
pub fn integrate(nv: f32, roughness: f32) -> (f32, f32) {
    let nv = nv.max(1e-4);
    let a = roughness * roughness;
    let a2 = a * a;
    let v = Vec3::new((1.0 - nv * nv).max(0.0).sqrt(), 0.0, nv);
    let (mut sa, mut sb) = (0.0, 0.0);
    for i in 0..SAMPLES {
        let (u, w) = hammersley(i, SAMPLES);
        let phi = 2.0 * PI * u;
        let cos_t = ((1.0 - w) / (1.0 + (a2 - 1.0) * w)).sqrt();
        let sin_t = (1.0 - cos_t * cos_t).max(0.0).sqrt();
        let h = Vec3::new(sin_t * phi.cos(), sin_t * phi.sin(), cos_t);
        let vh = v.dot(h);
        let l = 2.0 * vh * h - v;
        let (nl, nh) = (l.z, h.z);
        if nl <= 0.0 || vh <= 0.0 {
            continue;
        }
        // Smith-GGX correlated visibility; brdf · n·l / pdf with pdf = D · n·h / (4 v·h).
        let vis = 0.5 / (nl * (nv * nv * (1.0 - a2) + a2).sqrt() + nv * (nl * nl * (1.0 - a2) + a2).sqrt());
        let weight = 4.0 * vis * nl * vh / nh;
        let fc = (1.0 - vh).powi(5);
        sa += (1.0 - fc) * weight;
        sb += fc * weight;
    }
    (sa / SAMPLES as f32, sb / SAMPLES as f32)
}

/// The sheen's directional albedo: how much a white sheen layer of `roughness` reflects in all,
/// seen at `nv`, with the Charlie distribution (Estevez and Kulla 2017) and Neubelt and
/// Pettineo's visibility, as pbr.wgsl's sun lobe. Importance sampled: sin θh = u^(α / (2α + 1)).
pub fn sheen(nv: f32, roughness: f32) -> f32 {
    let nv = nv.max(1e-4);
    let a = (roughness * roughness).max(1e-4);
    let v = Vec3::new((1.0 - nv * nv).max(0.0).sqrt(), 0.0, nv);
    let mut sum = 0.0;
    for i in 0..SAMPLES {
        let (u, w) = hammersley(i, SAMPLES);
        let phi = 2.0 * PI * u;
        let sin_t = w.powf(a / (2.0 * a + 1.0));
        let cos_t = (1.0 - sin_t * sin_t).max(0.0).sqrt();
        let h = Vec3::new(sin_t * phi.cos(), sin_t * phi.sin(), cos_t);
        let vh = v.dot(h);
        let l = 2.0 * vh * h - v;
        let (nl, nh) = (l.z, h.z);
        if nl <= 0.0 || vh <= 0.0 || nh <= 0.0 {
            continue;
        }
        // D · V · n·l / pdf, with pdf = D · n·h / (4 v·h) and V = 1 / (4 (n·l + n·v − n·l n·v)).
        sum += nl * vh / (nh * (nl + nv - nl * nv));
    }
    (sum / SAMPLES as f32).min(1.0)
}

/// The table, made on first use and kept: every renderer on the page (several viewers, one
/// rebuilt after a lost context or a change of backend) uploads the same numbers.
pub fn shared() -> &'static [u16] {
    static TABLE: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();
    TABLE.get_or_init(table)
}

/// The table as RGBA half floats (A, B, sheen albedo, 0), rows of rising roughness.
pub fn table() -> Vec<u16> {
    let at = |i: u32| (i as f32 + 0.5) / SIZE as f32;
    (0..SIZE * SIZE)
        .flat_map(|k| {
            let (nv, r) = (at(k % SIZE), at(k / SIZE));
            let (a, b) = integrate(nv, r);
            [to_half(a), to_half(b), to_half(sheen(nv, r)), 0]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Σ f(n·l, n·h, v·h) · dω over a fine grid of light directions above the surface, seen at
    /// `nv`: brute force, no importance sampling.
    fn over_lights(nv: f32, f: impl Fn(f64, f64, f64) -> (f64, f64)) -> (f64, f64) {
        let nv = f64::from(nv);
        let v = [(1.0 - nv * nv).sqrt(), 0.0, nv];
        let (n_t, n_p) = (600, 600);
        let (mut sa, mut sb) = (0.0, 0.0);
        for i in 0..n_t {
            let t = (i as f64 + 0.5) / n_t as f64 * std::f64::consts::FRAC_PI_2;
            for j in 0..n_p {
                let p = (j as f64 + 0.5) / n_p as f64 * 2.0 * std::f64::consts::PI;
                let l = [t.sin() * p.cos(), t.sin() * p.sin(), t.cos()];
                let h = [l[0] + v[0], l[1] + v[1], l[2] + v[2]];
                let len = (h[0] * h[0] + h[1] * h[1] + h[2] * h[2]).sqrt();
                let dw = t.sin() * (std::f64::consts::FRAC_PI_2 / n_t as f64) * (2.0 * std::f64::consts::PI / n_p as f64);
                let (a, b) = f(l[2], h[2] / len, (h[0] * v[0] + h[2] * v[2]) / len);
                sa += a * dw;
                sb += b * dw;
            }
        }
        (sa, sb)
    }

    /// The split sum's integral: D · Vis · n·l, split by Fresnel.
    fn brute(nv: f32, roughness: f32) -> (f64, f64) {
        let a2 = f64::from(roughness).powi(4);
        let v = f64::from(nv);
        over_lights(nv, |nl, nh, vh| {
            let d = a2 / (std::f64::consts::PI * (nh * nh * (a2 - 1.0) + 1.0).powi(2));
            let vis = 0.5 / (nl * (v * v * (1.0 - a2) + a2).sqrt() + v * (nl * nl * (1.0 - a2) + a2).sqrt());
            let fc = (1.0 - vh).powi(5);
            (d * vis * nl * (1.0 - fc), d * vis * nl * fc)
        })
    }

    #[test]
    fn a_smooth_surface_reflects_everything_and_rough_ones_lose_energy() {
        // A mirror seen head on: all of f0, none of f90.
        let (a, b) = integrate(1.0, 0.0);
        assert!((a - 1.0).abs() < 0.01 && b < 0.01, "{a} {b}");
        // Single-scattering GGX loses energy as roughness grows.
        let total = |nv, r| {
            let (a, b) = integrate(nv, r);
            a + b
        };
        assert!(total(0.5, 1.0) < total(0.5, 0.5) && total(0.5, 0.5) <= total(0.5, 0.1) + 0.01);
        for nv in [0.1, 0.5, 0.9] {
            for r in [0.0, 0.3, 0.7, 1.0] {
                let (a, b) = integrate(nv, r);
                assert!(a >= 0.0 && b >= 0.0 && a + b <= 1.01, "{nv} {r}: {a} {b}");
            }
        }
    }

    #[test]
    fn importance_sampling_matches_brute_force() {
        for (nv, r) in [(0.9, 0.4), (0.5, 0.5), (0.2, 0.6), (0.5, 0.8), (0.1, 1.0), (0.7, 1.0)] {
            let (a, b) = integrate(nv, r);
            let (ba, bb) = brute(nv, r);
            assert!((f64::from(a) - ba).abs() < 0.02 && (f64::from(b) - bb).abs() < 0.01, "n·v {nv}, roughness {r}: {a}/{b} against {ba:.3}/{bb:.3}");
        }
    }

    #[test]
    fn the_table_holds_the_integrals_at_texel_centres() {
        let t = table();
        assert_eq!(t.len() as u64 * 2, BYTES);
        let half = |k: usize| super::super::prefilter::from_half(t[k]);
        for (i, j) in [(0, 0), (5, 20), (31, 31), (16, 8)] {
            let (nv, r) = ((i as f32 + 0.5) / SIZE as f32, (j as f32 + 0.5) / SIZE as f32);
            let (a, b) = integrate(nv, r);
            let k = ((j * SIZE + i) * 4) as usize;
            assert!((half(k) - a).abs() < 2e-3 && (half(k + 1) - b).abs() < 2e-3, "texel {i}, {j}");
            assert!((half(k + 2) - sheen(nv, r)).abs() < 2e-3, "texel {i}, {j}: sheen");
        }
    }

    /// The sheen lobe by brute force over light directions: D_Charlie · V · n·l.
    fn sheen_brute(nv: f32, roughness: f32) -> f64 {
        let a = f64::from(roughness).powi(2);
        let v = f64::from(nv);
        over_lights(nv, |nl, nh, _| {
            let d = (2.0 + 1.0 / a) * (1.0 - nh * nh).powf(0.5 / a) / (2.0 * std::f64::consts::PI);
            (d / (4.0 * (nl + v - nl * v)) * nl, 0.0)
        })
        .0
    }

    #[test]
    fn the_sheen_albedo_matches_brute_force_and_grows_with_roughness() {
        for (nv, r) in [(0.9, 0.3), (0.5, 0.5), (0.2, 0.7), (0.5, 1.0), (0.1, 1.0), (0.8, 0.9)] {
            let (e, b) = (sheen(nv, r), sheen_brute(nv, r));
            assert!((f64::from(e) - b).abs() < 0.015, "n·v {nv}, roughness {r}: {e} against {b:.3}");
        }
        // Fine fibres reflect little; rough ones most, at grazing angles most of all.
        assert!(sheen(0.5, 0.1) < 0.05, "{}", sheen(0.5, 0.1));
        assert!(sheen(0.5, 0.3) < sheen(0.5, 0.6) && sheen(0.5, 0.6) < sheen(0.5, 1.0));
        assert!(sheen(0.1, 1.0) > sheen(0.9, 1.0));
    }
}
