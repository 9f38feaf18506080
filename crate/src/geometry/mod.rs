//! Geometry helpers the loader, the camera and the renderer share: bounds, view frustums,
//! generated normals and tangents, and a BVH for line-of-sight tests.

pub mod bvh;
pub mod closest;
pub mod simplify;

use glam::{Mat4, Vec3, Vec4};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aabb {
    pub min: Vec3,
    pub max: Vec3,
}

impl Default for Aabb {
    fn default() -> Self {
        Aabb::EMPTY
    }
}

impl Aabb {
    pub const EMPTY: Aabb = Aabb { min: Vec3::splat(f32::INFINITY), max: Vec3::splat(f32::NEG_INFINITY) };

    pub fn from_points<'a>(points: impl IntoIterator<Item = &'a [f32; 3]>) -> Aabb {
        let mut b = Aabb::EMPTY;
        for p in points {
            let p = Vec3::from_array(*p);
            if p.is_finite() {
                b.min = b.min.min(p);
                b.max = b.max.max(p);
            }
        }
        b
    }

    pub fn is_empty(&self) -> bool {
        !(self.min.x <= self.max.x && self.min.y <= self.max.y && self.min.z <= self.max.z)
    }

    pub fn union(self, o: Aabb) -> Aabb {
        if o.is_empty() {
            return self;
        }
        if self.is_empty() {
            return o;
        }
        Aabb { min: self.min.min(o.min), max: self.max.max(o.max) }
    }

    pub fn center(&self) -> Vec3 {
        (self.min + self.max) * 0.5
    }

    pub fn radius(&self) -> f32 {
        (self.max - self.min).length() * 0.5
    }

    /// Bounds of the eight transformed corners.
    pub fn transformed(&self, m: Mat4) -> Aabb {
        if self.is_empty() {
            return *self;
        }
        let mut b = Aabb::EMPTY;
        for i in 0..8 {
            let c = Vec3::new(
                if i & 1 == 0 { self.min.x } else { self.max.x },
                if i & 2 == 0 { self.min.y } else { self.max.y },
                if i & 4 == 0 { self.min.z } else { self.max.z },
            );
            let p = m.transform_point3(c);
            b.min = b.min.min(p);
            b.max = b.max.max(p);
        }
        b
    }
}

/// The clip volume of a view-projection (WebGPU depth 0..1) as six planes, for skipping draws
/// wholly outside the view: roaming inside a large scene, most of it is behind or beside you.
pub struct Frustum([Vec4; 6]);

impl Frustum {
    pub fn new(view_proj: Mat4) -> Frustum {
        let r = |i| view_proj.row(i);
        // Gribb & Hartmann: left, right, bottom, top, near (z >= 0), far.
        Frustum([r(3) + r(0), r(3) - r(0), r(3) + r(1), r(3) - r(1), r(2), r(3) - r(2)])
    }

    /// False only when `b` lies wholly outside one plane (a box across a corner may still pass:
    /// it is then drawn, as before). Bounds that are not finite are kept.
    pub fn may_see(&self, b: &Aabb) -> bool {
        if !(b.min.is_finite() && b.max.is_finite()) {
            return !b.is_empty();
        }
        self.0.iter().all(|p| {
            let n = p.truncate();
            // The box's corner farthest along the plane's normal.
            let far = Vec3::select(n.cmpge(Vec3::ZERO), b.max, b.min);
            n.dot(far) + p.w >= 0.0
        })
    }
}

/// Flat normals, as the glTF spec asks when a primitive has none. Needs unindexed triangles.
pub fn flat_normals(positions: &[[f32; 3]]) -> Vec<[f32; 3]> {
    let mut out = vec![[0.0, 0.0, 1.0]; positions.len()];
    for (tri, n) in positions.chunks_exact(3).zip(out.chunks_exact_mut(3)) {
        let [a, b, c] = [0, 1, 2].map(|i| Vec3::from_array(tri[i]));
        let normal = (b - a).cross(c - a).normalize_or(Vec3::Z).to_array();
        n.fill(normal);
    }
    out
}

/// Expands indexed data to one vertex per index.
pub fn unweld<T: Copy>(data: &[T], indices: &[u32]) -> Vec<T> {
    indices.iter().map(|&i| data[i as usize]).collect()
}

/// MikkTSpace tangents (what the glTF spec asks for when a normal map comes without tangents),
/// one per triangle corner: per index when indexed, else per vertex. The code is its own crate
/// (decoders/mikktspace), which the web viewer fetches as a module of its own.
pub fn mikktspace_tangents(positions: &[[f32; 3]], normals: &[[f32; 3]], uvs: &[[f32; 2]], indices: Option<&[u32]>) -> Vec<[f32; 4]> {
    scenic_mikktspace::tangents(positions.as_flattened(), normals.as_flattened(), uvs.as_flattened(), indices)
}

/// One tangent per vertex from MikkTSpace's per-corner ones, keeping the mesh indexed. The
/// corners of a vertex agree except across a UV seam or a mirrored chart; only such a vertex is
/// copied (the returned list names the vertex each copy repeats, in order after the existing
/// ones) and the disagreeing corners point at the copy. Unwelding every corner instead tripled
/// DamagedHelmet's vertex buffer (14,556 → 46,356 vertices).
/// The indices are rewritten in place, 16-bit ones widened first only where copies could take
/// them past 65,536 vertices.
pub fn weld_tangents(corners: &[[f32; 4]], indices: &mut crate::scene::Indices, vertices: usize) -> (Vec<[f32; 4]>, Vec<u32>) {
    if vertices + indices.len() > 1 << 16 {
        indices.widen();
    }
    let mut tangents: Vec<Option<[f32; 4]>> = vec![None; vertices];
    let mut copies = Vec::new();
    let mut copy_of = std::collections::HashMap::new();
    for (k, t) in corners.iter().enumerate().take(indices.len()) {
        let ix = indices.at(k);
        let bits = t.map(f32::to_bits);
        match tangents[ix as usize] {
            None => tangents[ix as usize] = Some(*t),
            Some(have) if have.map(f32::to_bits) == bits => {}
            Some(_) => {
                let next = tangents.len() as u32;
                let copy = *copy_of.entry((ix, bits)).or_insert(next);
                if copy == next {
                    copies.push(ix);
                    tangents.push(Some(*t));
                }
                indices.set(k, copy);
            }
        }
    }
    (tangents.into_iter().map(|t| t.unwrap_or([1.0, 0.0, 0.0, 1.0])).collect(), copies)
}

/// Strips, loops and fans as plain lists, so the renderer has three topologies only.
pub fn unroll(mode: crate::scene::Mode, indices: Vec<u32>) -> Vec<u32> {
    use crate::scene::Mode::*;
    let n = indices.len();
    match mode {
        Points | Lines | Triangles => indices,
        LineStrip if n >= 2 => (0..n - 1).flat_map(|i| [indices[i], indices[i + 1]]).collect(),
        LineLoop if n >= 2 => (0..n).flat_map(|i| [indices[i], indices[(i + 1) % n]]).collect(),
        // Alternate winding so every triangle keeps the strip's orientation.
        TriangleStrip if n >= 3 => (0..n - 2)
            .flat_map(|i| if i % 2 == 0 { [indices[i], indices[i + 1], indices[i + 2]] } else { [indices[i + 1], indices[i], indices[i + 2]] })
            .collect(),
        TriangleFan if n >= 3 => (1..n - 1).flat_map(|i| [indices[0], indices[i], indices[i + 1]]).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::Mode;

    #[test]
    fn frustum_keeps_what_the_camera_may_see() {
        // At the origin looking down -Z, 90 degrees, near 1, far 100.
        let f = Frustum::new(Mat4::perspective_rh(std::f32::consts::FRAC_PI_2, 1.0, 1.0, 100.0));
        let cube = |x: f32, y: f32, z: f32| Aabb { min: Vec3::new(x - 0.5, y - 0.5, z - 0.5), max: Vec3::new(x + 0.5, y + 0.5, z + 0.5) };
        assert!(f.may_see(&cube(0.0, 0.0, -10.0)), "ahead");
        assert!(!f.may_see(&cube(0.0, 0.0, 10.0)), "behind");
        assert!(!f.may_see(&cube(-20.0, 0.0, -10.0)), "left, beyond 45 degrees");
        assert!(!f.may_see(&cube(0.0, 20.0, -10.0)), "above");
        assert!(f.may_see(&cube(-10.2, 0.0, -10.0)), "across the left edge");
        assert!(!f.may_see(&cube(0.0, 0.0, -200.0)), "beyond the far plane");
        assert!(!f.may_see(&cube(0.0, 0.0, -0.2)), "before the near plane");
        // Around the eye: partly in view.
        assert!(f.may_see(&Aabb { min: Vec3::splat(-50.0), max: Vec3::splat(50.0) }));
        // Turned and moved, through a view matrix: the camera at z = 30 looking back at the origin.
        let view = Mat4::look_at_rh(Vec3::new(0.0, 0.0, 30.0), Vec3::ZERO, Vec3::Y);
        let g = Frustum::new(Mat4::perspective_rh(std::f32::consts::FRAC_PI_2, 1.0, 1.0, 100.0) * view);
        assert!(g.may_see(&cube(0.0, 0.0, 0.0)) && !g.may_see(&cube(0.0, 0.0, 40.0)));
        assert!(!f.may_see(&Aabb::EMPTY));
    }

    #[test]
    fn unrolls_strips_loops_and_fans() {
        assert_eq!(unroll(Mode::LineStrip, vec![0, 1, 2]), vec![0, 1, 1, 2]);
        assert_eq!(unroll(Mode::LineLoop, vec![0, 1, 2]), vec![0, 1, 1, 2, 2, 0]);
        assert_eq!(unroll(Mode::TriangleStrip, vec![0, 1, 2, 3]), vec![0, 1, 2, 2, 1, 3]);
        assert_eq!(unroll(Mode::TriangleFan, vec![0, 1, 2, 3]), vec![0, 1, 2, 0, 2, 3]);
        assert!(unroll(Mode::TriangleFan, vec![0, 1]).is_empty());
    }

    #[test]
    fn flat_normal_of_ccw_triangle_faces_viewer() {
        let n = flat_normals(&[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]);
        assert_eq!(n, vec![[0.0, 0.0, 1.0]; 3]);
    }

    #[test]
    fn tangent_follows_u_direction() {
        let p = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]];
        let n = [[0.0, 0.0, 1.0]; 3];
        let uv = [[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]];
        let t = mikktspace_tangents(&p, &n, &uv, None);
        for t in t {
            assert!((t[0] - 1.0).abs() < 1e-4 && t[1].abs() < 1e-4, "{t:?}");
        }
    }

    #[test]
    fn welded_tangents_copy_only_seam_vertices() {
        // A quad of two triangles sharing the diagonal 1-2: the same chart, so no copies.
        let p = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]];
        let n = [[0.0, 0.0, 1.0]; 4];
        let uv = [[0.0, 1.0], [1.0, 1.0], [0.0, 0.0], [1.0, 0.0]];
        let mut ix = crate::scene::Indices::U16(vec![0, 1, 2, 2, 1, 3]);
        let corners = mikktspace_tangents(&p, &n, &uv, Some(&ix.to_u32()));
        let (t, copies) = weld_tangents(&corners, &mut ix, 4);
        assert_eq!((t.len(), copies.len(), ix.to_u32().to_vec()), (4, 0, vec![0, 1, 2, 2, 1, 3]));
        assert!(t.iter().all(|v| (v[0] - 1.0).abs() < 1e-4 && *v == t[0]), "{t:?}");
        // The second triangle's chart mirrored (tangent and sign flipped): the shared vertices 2
        // and 1 need a copy each; vertex 3 is only in that triangle and keeps its own.
        let corners = [[1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0], [-1.0, 0.0, 0.0, -1.0], [-1.0, 0.0, 0.0, -1.0], [-1.0, 0.0, 0.0, -1.0]];
        let mut ix = crate::scene::Indices::U16(vec![0, 1, 2, 2, 1, 3]);
        let (t, copies) = weld_tangents(&corners, &mut ix, 4);
        assert_eq!(copies, vec![2, 1]);
        assert_eq!(ix, crate::scene::Indices::U16(vec![0, 1, 2, 4, 5, 3]));
        // Near 65,536 vertices 16-bit indices widen before copies are numbered past them.
        let mut ix = crate::scene::Indices::U16(vec![0, 1, 2, 2, 1, 3]);
        let (_, copies) = weld_tangents(&corners, &mut ix, 65_532);
        assert_eq!((copies, ix), (vec![2, 1], crate::scene::Indices::U32(vec![0, 1, 2, 65_532, 65_533, 3])));
        assert_eq!((t.len(), t[3], t[4], t[5]), (6, [-1.0, 0.0, 0.0, -1.0], [-1.0, 0.0, 0.0, -1.0], [-1.0, 0.0, 0.0, -1.0]));
    }

    #[test]
    fn transformed_bounds_cover_rotated_box() {
        let b = Aabb { min: Vec3::splat(-1.0), max: Vec3::splat(1.0) };
        let r = b.transformed(Mat4::from_rotation_y(std::f32::consts::FRAC_PI_4));
        assert!((r.max.x - 2f32.sqrt()).abs() < 1e-5);
    }
}
