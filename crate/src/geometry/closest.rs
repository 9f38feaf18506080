//! Closest points between a segment and a triangle (Ericson, Real-Time Collision Detection,
//! 5.1.5 and 5.1.9): what a capsule — a walker's body — is tested with against the scene.

use glam::Vec3;

/// The point of triangle `t` nearest `p`.
pub fn point_triangle(p: Vec3, [a, b, c]: [Vec3; 3]) -> Vec3 {
    let (ab, ac, ap) = (b - a, c - a, p - a);
    let (d1, d2) = (ab.dot(ap), ac.dot(ap));
    if d1 <= 0.0 && d2 <= 0.0 {
        return a;
    }
    let bp = p - b;
    let (d3, d4) = (ab.dot(bp), ac.dot(bp));
    if d3 >= 0.0 && d4 <= d3 {
        return b;
    }
    let vc = d1 * d4 - d3 * d2;
    if vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0 {
        return a + ab * (d1 / (d1 - d3));
    }
    let cp = p - c;
    let (d5, d6) = (ab.dot(cp), ac.dot(cp));
    if d6 >= 0.0 && d5 <= d6 {
        return c;
    }
    let vb = d5 * d2 - d1 * d6;
    if vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0 {
        return a + ac * (d2 / (d2 - d6));
    }
    let va = d3 * d6 - d5 * d4;
    if va <= 0.0 && d4 - d3 >= 0.0 && d5 - d6 >= 0.0 {
        return b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)));
    }
    let denom = 1.0 / (va + vb + vc);
    let q = a + ab * (vb * denom) + ac * (vc * denom);
    // A degenerate triangle (a line or a point) divides by zero: its first corner stands in.
    if q.is_finite() { q } else { a }
}

/// The closest points of segments `p1 q1` and `p2 q2`, one on each.
pub fn segment_segment(p1: Vec3, q1: Vec3, p2: Vec3, q2: Vec3) -> (Vec3, Vec3) {
    const EPS: f32 = 1e-12;
    let (d1, d2, r) = (q1 - p1, q2 - p2, p1 - p2);
    let (a, e, f) = (d1.dot(d1), d2.dot(d2), d2.dot(r));
    let (s, t) = if a <= EPS && e <= EPS {
        (0.0, 0.0)
    } else if a <= EPS {
        (0.0, (f / e).clamp(0.0, 1.0))
    } else {
        let c = d1.dot(r);
        if e <= EPS {
            ((-c / a).clamp(0.0, 1.0), 0.0)
        } else {
            let b = d1.dot(d2);
            let denom = a * e - b * b;
            let s = if denom > EPS { ((b * f - c * e) / denom).clamp(0.0, 1.0) } else { 0.0 };
            let t = (b * s + f) / e;
            if t < 0.0 {
                ((-c / a).clamp(0.0, 1.0), 0.0)
            } else if t > 1.0 {
                (((b - c) / a).clamp(0.0, 1.0), 1.0)
            } else {
                (s, t)
            }
        }
    };
    (p1 + d1 * s, p2 + d2 * t)
}

/// The closest points of segment `p q` and triangle `t`: (on the segment, on the triangle). Where
/// the segment crosses the triangle both are the crossing.
pub fn segment_triangle(p: Vec3, q: Vec3, t: [Vec3; 3]) -> (Vec3, Vec3) {
    if let Some(s) = super::bvh::hit(&t, p, q - p).filter(|s| (0.0..=1.0).contains(s)) {
        let x = p + (q - p) * s;
        return (x, x);
    }
    // Otherwise the nearest pair has an end of the segment or a point of an edge in it.
    let candidates = [(p, point_triangle(p, t)), (q, point_triangle(q, t)), segment_segment(p, q, t[0], t[1]), segment_segment(p, q, t[1], t[2]), segment_segment(p, q, t[2], t[0])];
    candidates.into_iter().min_by(|a, b| (a.0 - a.1).length_squared().total_cmp(&(b.0 - b.1).length_squared())).unwrap_or((p, t[0]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_points_agree_with_a_dense_search() {
        // Against sampling both shapes finely: never farther than the samples' best.
        let tris = [
            [Vec3::new(0.0, 0.0, 0.0), Vec3::new(2.0, 0.0, 0.0), Vec3::new(0.0, 2.0, 0.0)],
            [Vec3::new(-1.0, 0.5, 1.0), Vec3::new(1.0, 0.2, -1.0), Vec3::new(0.3, 2.0, 0.4)],
            [Vec3::new(0.0, 0.0, 0.0), Vec3::new(1.0, 1.0, 1.0), Vec3::new(2.0, 2.0, 2.0)],
        ];
        let segments = [(Vec3::new(0.5, 0.5, 1.0), Vec3::new(0.5, 0.5, 3.0)), (Vec3::new(-1.0, -1.0, -1.0), Vec3::new(3.0, -1.0, 0.5)), (Vec3::new(0.2, 0.3, -1.0), Vec3::new(0.2, 0.3, 1.0)), (Vec3::new(3.0, 3.0, 0.0), Vec3::new(3.0, 3.0, 0.0))];
        for t in tris {
            for (p, q) in segments {
                let (a, b) = segment_triangle(p, q, t);
                let got = (a - b).length();
                let mut best = f32::INFINITY;
                for i in 0..=60 {
                    let s = p + (q - p) * (i as f32 / 60.0);
                    for u in 0..=60 {
                        for v in 0..=(60 - u) {
                            let x = t[0] + (t[1] - t[0]) * (u as f32 / 60.0) + (t[2] - t[0]) * (v as f32 / 60.0);
                            best = best.min((s - x).length());
                        }
                    }
                }
                assert!(got <= best + 1e-4 && got >= best - 0.06, "{t:?} {p} {q}: {got} vs sampled {best}");
            }
        }
        // A crossing is distance zero at the crossing.
        let (a, b) = segment_triangle(Vec3::new(0.5, 0.5, 1.0), Vec3::new(0.5, 0.5, -1.0), tris[0]);
        assert!(a == b && (a - Vec3::new(0.5, 0.5, 0.0)).length() < 1e-6);
    }
}
