//! Bounding volumes of 3D Tiles: `box` (a centre and three half-axes), `sphere`, and `region`
//! (west, south, east, north radians, min and max height on WGS84), all held in world space: a
//! box or sphere with the tile's transform applied, a region (which no transform moves) as the
//! box round it in its own east-north-up frame.

use glam::{DMat4, DVec3, DVec4};
use serde_json::Value;

use crate::poi::geo::ecef;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Volume {
    Box { centre: DVec3, half: [DVec3; 3] },
    Sphere { centre: DVec3, radius: f64 },
}

fn numbers(v: &Value, n: usize, what: &str) -> Result<Vec<f64>, String> {
    let a = v.as_array().filter(|a| a.len() == n).ok_or_else(|| format!("{what}: {n} numbers are needed"))?;
    a.iter().map(|x| x.as_f64().filter(|x| x.is_finite()).ok_or_else(|| format!("{what}: {n} numbers are needed"))).collect()
}

impl Volume {
    /// Reads a `boundingVolume` object; `transform` is the tile's (to world).
    pub fn read(v: &Value, transform: DMat4) -> Result<Volume, String> {
        if let Some(b) = v.get("box") {
            let b = numbers(b, 12, "box")?;
            let axis = |i: usize| transform.transform_vector3(DVec3::new(b[i], b[i + 1], b[i + 2]));
            return Ok(Volume::Box { centre: transform.transform_point3(DVec3::new(b[0], b[1], b[2])), half: [axis(3), axis(6), axis(9)] });
        }
        if let Some(s) = v.get("sphere") {
            let s = numbers(s, 4, "sphere")?;
            if s[3] < 0.0 {
                return Err("sphere: a negative radius".into());
            }
            // A sphere scaled unevenly: the largest scale keeps it bounding.
            let scale = [DVec3::X, DVec3::Y, DVec3::Z].map(|a| transform.transform_vector3(a).length()).into_iter().fold(0.0, f64::max);
            return Ok(Volume::Sphere { centre: transform.transform_point3(DVec3::new(s[0], s[1], s[2])), radius: s[3] * scale });
        }
        if let Some(r) = v.get("region") {
            let r = numbers(r, 6, "region")?;
            let (w, s, e, n, lo, hi) = (r[0], r[1], r[2], r[3], r[4], r[5]);
            let pi = std::f64::consts::PI;
            if !(-pi..=pi).contains(&w) || !(-pi..=pi).contains(&e) || !(-pi / 2.0..=pi / 2.0).contains(&s) || !(-pi / 2.0..=pi / 2.0).contains(&n) || s > n || lo > hi {
                return Err("region: west, south, east, north in radians (south ≤ north) and min ≤ max height".into());
            }
            return Ok(region_box(w, s, if e < w { e + 2.0 * pi } else { e }, n, lo, hi));
        }
        Err("a box, sphere or region is needed".into())
    }

    pub fn centre(&self) -> DVec3 {
        match *self {
            Volume::Box { centre, .. } | Volume::Sphere { centre, .. } => centre,
        }
    }

    /// Metres from `p` to the volume (0 inside).
    pub fn distance(&self, p: DVec3) -> f64 {
        match *self {
            Volume::Sphere { centre, radius } => ((p - centre).length() - radius).max(0.0),
            Volume::Box { centre, half } => {
                let d = p - centre;
                half.iter()
                    .map(|a| {
                        let len = a.length();
                        if len < 1e-300 {
                            return 0.0;
                        }
                        let excess = (d.dot(*a) / len).abs() - len;
                        excess.max(0.0).powi(2)
                    })
                    .sum::<f64>()
                    .sqrt()
            }
        }
    }

    /// Whether the volume lies wholly on the negative side of `plane` (xyz · p + w < 0).
    pub fn outside(&self, plane: DVec4) -> bool {
        let n = plane.truncate();
        match *self {
            Volume::Sphere { centre, radius } => n.dot(centre) + plane.w < -radius * n.length(),
            Volume::Box { centre, half } => n.dot(centre) + plane.w < -half.iter().map(|a| n.dot(*a).abs()).sum::<f64>(),
        }
    }

    /// Whether `p` is inside (for `viewerRequestVolume`).
    pub fn contains(&self, p: DVec3) -> bool {
        self.distance(p) == 0.0
    }
}

/// The box round a region, axes east, north and up at its middle.
fn region_box(w: f64, s: f64, e: f64, n: f64, lo: f64, hi: f64) -> Volume {
    let (lon, lat) = ((w + e) / 2.0, (s + n) / 2.0);
    let (so, co) = lon.sin_cos();
    let (sl, cl) = lat.sin_cos();
    let east = DVec3::new(-so, co, 0.0);
    let north = DVec3::new(-sl * co, -sl * so, cl);
    let up = DVec3::new(cl * co, cl * so, sl);
    let origin = ecef(lon.to_degrees(), lat.to_degrees(), lo);
    // The region's extreme points lie on its edges: sample them (corners, edge middles, and the
    // bulge of the top surface in the middle).
    let (mut min, mut max) = (DVec3::splat(f64::INFINITY), DVec3::splat(f64::NEG_INFINITY));
    for i in 0..=4 {
        for j in 0..=4 {
            for h in [lo, hi] {
                let p = ecef((w + (e - w) * i as f64 / 4.0).to_degrees(), (s + (n - s) * j as f64 / 4.0).to_degrees(), h) - origin;
                let local = DVec3::new(p.dot(east), p.dot(north), p.dot(up));
                min = min.min(local);
                max = max.max(local);
            }
        }
    }
    let mid = (min + max) / 2.0;
    let half = (max - min) / 2.0;
    Volume::Box { centre: origin + east * mid.x + north * mid.y + up * mid.z, half: [east * half.x, north * half.y, up * half.z] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn boxes_spheres_and_regions() {
        let b = Volume::read(&json!({"box": [1, 2, 3, 2, 0, 0, 0, 1, 0, 0, 0, 0.5]}), DMat4::IDENTITY).unwrap();
        assert_eq!(b.distance(DVec3::new(1.0, 2.0, 3.0)), 0.0);
        assert!((b.distance(DVec3::new(6.0, 2.0, 3.0)) - 3.0).abs() < 1e-12);
        assert!((b.distance(DVec3::new(4.0, 5.0, 3.0)) - (1.0f64 + 4.0).sqrt()).abs() < 1e-12);
        // A transform scales and moves it.
        let t = DMat4::from_translation(DVec3::new(100.0, 0.0, 0.0)) * DMat4::from_scale(DVec3::splat(2.0));
        let s = Volume::read(&json!({"sphere": [1, 0, 0, 3]}), t).unwrap();
        assert_eq!(s, Volume::Sphere { centre: DVec3::new(102.0, 0.0, 0.0), radius: 6.0 });
        assert!(s.outside(DVec4::new(1.0, 0.0, 0.0, -109.0)) && !s.outside(DVec4::new(1.0, 0.0, 0.0, -107.0)));
        assert!(b.outside(DVec4::new(0.0, 0.0, 1.0, -3.6)) && !b.outside(DVec4::new(0.0, 0.0, 1.0, -3.4)));
        // A region of about 1 km at 30° N: a box of that size, its points on the earth there.
        let (w, s2) = (121.5f64.to_radians(), 29.8f64.to_radians());
        let r = Volume::read(&json!({"region": [w, s2, w + 0.01f64.to_radians(), s2 + 0.01f64.to_radians(), 0, 100]}), t).unwrap();
        let Volume::Box { half, .. } = r else { panic!() };
        assert!((half[0].length() * 2.0 - 966.0).abs() < 10.0 && (half[1].length() * 2.0 - 1109.0).abs() < 10.0 && (half[2].length() * 2.0 - 100.0).abs() < 1.0, "{half:?}");
        let inside = ecef(121.505, 29.805, 50.0);
        assert_eq!(r.distance(inside), 0.0, "the transform does not move a region");
        assert!((r.distance(ecef(121.505, 29.805, 1100.0)) - 1000.0).abs() < 1.0);
        for bad in [json!({"region": [0, 1, 0, 0, 0, 1]}), json!({"sphere": [0, 0, 0, -1]}), json!({"box": [0, 0]}), json!({"cone": []})] {
            assert!(Volume::read(&bad, DMat4::IDENTITY).is_err(), "{bad}");
        }
    }
}
