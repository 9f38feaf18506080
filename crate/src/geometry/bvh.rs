//! A bounding volume hierarchy over a scene's triangles, for line-of-sight tests (is a POI
//! hidden behind a hill or a wall?). Built once per scene; queried every frame.

use std::rc::Rc;

use glam::{Mat4, Vec3};

use super::Aabb;

#[derive(Debug, Clone, Copy)]
struct Node {
    bounds: Aabb,
    /// Leaf: first triangle and count. Inner: `first` is the left child (right = left + 1).
    first: u32,
    count: u32,
}

#[derive(Debug, Default)]
pub struct Bvh {
    nodes: Vec<Node>,
    tris: Vec<[Vec3; 3]>,
}

const LEAF: usize = 4;

impl Bvh {
    pub fn build(mut tris: Vec<[Vec3; 3]>) -> Bvh {
        tris.retain(|t| t.iter().all(|v| v.is_finite()));
        let mut bvh = Bvh { nodes: Vec::with_capacity(tris.len() / 2 + 1), tris };
        if bvh.tris.is_empty() {
            return bvh;
        }
        bvh.nodes.push(Node { bounds: Aabb::EMPTY, first: 0, count: bvh.tris.len() as u32 });
        // Iterative median split on the longest axis of the centroids.
        let mut todo = vec![0usize];
        while let Some(n) = todo.pop() {
            let (first, count) = (bvh.nodes[n].first as usize, bvh.nodes[n].count as usize);
            let slice = &mut bvh.tris[first..first + count];
            let bounds = slice.iter().fold(Aabb::EMPTY, |b, t| b.union(tri_bounds(t)));
            bvh.nodes[n].bounds = bounds;
            if count <= LEAF {
                continue;
            }
            let c = slice.iter().fold(Aabb::EMPTY, |b, t| b.union(Aabb { min: centroid(t), max: centroid(t) }));
            let ext = c.max - c.min;
            let axis = if ext.x >= ext.y && ext.x >= ext.z { 0 } else if ext.y >= ext.z { 1 } else { 2 };
            let mid = count / 2;
            slice.select_nth_unstable_by(mid, |a, b| centroid(a)[axis].total_cmp(&centroid(b)[axis]));
            let left = bvh.nodes.len();
            bvh.nodes.push(Node { bounds: Aabb::EMPTY, first: first as u32, count: mid as u32 });
            bvh.nodes.push(Node { bounds: Aabb::EMPTY, first: (first + mid) as u32, count: (count - mid) as u32 });
            bvh.nodes[n] = Node { bounds, first: left as u32, count: 0 };
            todo.push(left);
            todo.push(left + 1);
        }
        bvh
    }

    /// The bounds of all its triangles.
    pub fn bounds(&self) -> Aabb {
        self.nodes.first().map_or(Aabb::EMPTY, |n| n.bounds)
    }

    /// Whether any triangle crosses the segment from `a` to `b`, ignoring the last `margin`
    /// of its length (so a POI sitting on a surface does not hide itself).
    pub fn occluded(&self, a: Vec3, b: Vec3, margin: f32) -> bool {
        before_margin(a, b, margin).is_some_and(|t_max| self.crossed(a, b, t_max))
    }

    /// Whether any triangle crosses the segment from `a` to `b` before `t_max` (a fraction of
    /// its length; unchanged by an affine transform of the segment and the triangles).
    fn crossed(&self, a: Vec3, b: Vec3, t_max: f32) -> bool {
        if self.nodes.is_empty() {
            return false;
        }
        let d = b - a;
        let inv = safe_recip(d);
        let mut stack = [0u32; 64];
        let mut sp = 1;
        while sp > 0 {
            sp -= 1;
            let node = self.nodes[stack[sp] as usize];
            if !slab(node.bounds, a, inv, t_max) {
                continue;
            }
            if node.count > 0 {
                let tris = &self.tris[node.first as usize..(node.first + node.count) as usize];
                if tris.iter().any(|t| hit(t, a, d).is_some_and(|t| t > 1e-4 && t < t_max)) {
                    return true;
                }
            } else if sp + 2 <= stack.len() {
                stack[sp] = node.first;
                stack[sp + 1] = node.first + 1;
                sp += 2;
            }
        }
        false
    }
}

impl Bvh {
    /// Calls `f` with every triangle in a leaf whose bounds meet `area` (a superset of those
    /// inside it).
    fn each_near(&self, area: Aabb, f: &mut dyn FnMut(&[Vec3; 3])) {
        let mut stack = [0u32; 64];
        let mut sp = usize::from(!self.nodes.is_empty());
        while sp > 0 {
            sp -= 1;
            let node = self.nodes[stack[sp] as usize];
            if !meets(node.bounds, area) {
                continue;
            }
            if node.count > 0 {
                self.tris[node.first as usize..(node.first + node.count) as usize].iter().for_each(&mut *f);
            } else if sp + 2 <= stack.len() {
                stack[sp] = node.first;
                stack[sp + 1] = node.first + 1;
                sp += 2;
            }
        }
    }

    /// The nearest triangle the segment from `a` to `b` meets: its segment parameter (0..1) and
    /// unit normal (facing `a`). Walking uses it for the ground under the feet and walls ahead.
    fn first_hit(&self, a: Vec3, b: Vec3) -> Option<(f32, Vec3)> {
        let d = b - a;
        let inv = safe_recip(d);
        let mut best: Option<(f32, usize)> = None;
        let mut stack = [0u32; 64];
        let mut sp = usize::from(!self.nodes.is_empty());
        while sp > 0 {
            sp -= 1;
            let node = self.nodes[stack[sp] as usize];
            if !slab(node.bounds, a, inv, best.map_or(1.0, |b| b.0)) {
                continue;
            }
            if node.count > 0 {
                for i in node.first as usize..(node.first + node.count) as usize {
                    if let Some(t) = hit(&self.tris[i], a, d).filter(|t| *t > 1e-6 && *t <= best.map_or(1.0, |b| b.0)) {
                        best = Some((t, i));
                    }
                }
            } else if sp + 2 <= stack.len() {
                stack[sp] = node.first;
                stack[sp + 1] = node.first + 1;
                sp += 2;
            }
        }
        best.map(|(t, i)| {
            let tri = &self.tris[i];
            let n = (tri[1] - tri[0]).cross(tri[2] - tri[0]).normalize_or_zero();
            (t, if n.dot(d) > 0.0 { -n } else { n })
        })
    }
}

/// Line of sight over a scene that draws meshes as instances: one BVH per mesh in the mesh's own
/// space, and the segment taken into each instance's space. A town of 257 instances of 5 meshes
/// keeps 5 meshes' triangles (~0.8 MB), not the 1.2 million it shows (~43 MB in world space).
#[derive(Debug, Default)]
pub struct Occluders {
    /// Shared, so that a view joining several (`joined`) copies no triangles.
    meshes: Vec<Rc<Bvh>>,
    instances: Vec<Placed>,
}

#[derive(Debug, Clone, Copy)]
struct Placed {
    mesh: usize,
    to_local: Mat4,
    world: Mat4,
    /// The mesh's bounds in world space: most segments miss most instances here.
    bounds: Aabb,
}

impl Occluders {
    /// `meshes`: each mesh's triangles in its own space; `instances`: a mesh index and its
    /// world transform each. A degenerate transform (zero scale) hides nothing.
    pub fn new(meshes: Vec<Vec<[Vec3; 3]>>, instances: impl IntoIterator<Item = (usize, Mat4)>) -> Occluders {
        let meshes: Vec<Rc<Bvh>> = meshes.into_iter().map(|m| Rc::new(Bvh::build(m))).collect();
        let instances = instances
            .into_iter()
            .filter_map(|(mesh, world)| {
                let bvh = meshes.get(mesh).filter(|b| !b.nodes.is_empty())?;
                let to_local = world.inverse();
                (world.is_finite() && world.determinant().abs() > 1e-30 && to_local.is_finite()).then(|| Placed { mesh, to_local, world, bounds: bvh.bounds().transformed(world) })
            })
            .collect();
        Occluders { meshes, instances }
    }

    /// One line of sight over several (a model and the tiles drawn now), sharing their BVHs.
    pub fn joined<'a>(parts: impl IntoIterator<Item = &'a Occluders>) -> Occluders {
        let mut out = Occluders::default();
        for p in parts {
            let base = out.meshes.len();
            out.meshes.extend(p.meshes.iter().cloned());
            out.instances.extend(p.instances.iter().map(|i| Placed { mesh: i.mesh + base, ..*i }));
        }
        out
    }

    /// Triangles held (each mesh once, however many times it is placed).
    pub fn triangle_count(&self) -> usize {
        self.meshes.iter().map(|m| m.tris.len()).sum()
    }

    /// Bytes of wasm memory its triangles and nodes hold (a shared mesh counted by each holder).
    pub fn bytes(&self) -> u64 {
        let mesh = |m: &Bvh| m.tris.capacity() * std::mem::size_of::<[Vec3; 3]>() + m.nodes.capacity() * std::mem::size_of::<Node>();
        (self.meshes.iter().map(|m| mesh(m)).sum::<usize>() + self.instances.capacity() * std::mem::size_of::<Placed>()) as u64
    }

    /// Whether any instance's triangle crosses the segment from `a` to `b`, ignoring the last
    /// `margin` of its length (as [`Bvh::occluded`]).
    pub fn occluded(&self, a: Vec3, b: Vec3, margin: f32) -> bool {
        let Some(t_max) = before_margin(a, b, margin) else { return false };
        let inv = safe_recip(b - a);
        self.instances.iter().any(|i| {
            slab(i.bounds, a, inv, t_max) && self.meshes[i.mesh].crossed(i.to_local.transform_point3(a), i.to_local.transform_point3(b), t_max)
        })
    }
}

impl Occluders {
    /// The nearest triangle of any instance that the segment from `a` to `b` meets: its segment
    /// parameter and world-space unit normal facing `a` (as [`Bvh::first_hit`]).
    pub fn first_hit(&self, a: Vec3, b: Vec3) -> Option<(f32, Vec3)> {
        let inv = safe_recip(b - a);
        let mut best: Option<(f32, Vec3)> = None;
        for i in &self.instances {
            if !slab(i.bounds, a, inv, best.map_or(1.0, |b| b.0)) {
                continue;
            }
            // The parameter is the same in the instance's space (an affine map keeps it).
            if let Some((t, n)) = self.meshes[i.mesh].first_hit(i.to_local.transform_point3(a), i.to_local.transform_point3(b)) {
                if best.is_none_or(|b| t < b.0) {
                    let mut w = i.to_local.transpose().transform_vector3(n).normalize_or_zero();
                    if w.dot(b - a) > 0.0 {
                        w = -w;
                    }
                    best = Some((t, w));
                }
            }
        }
        best
    }
}

impl Occluders {
    /// Calls `f` with the world-space triangles near `area` (those of the leaves that meet it):
    /// what a body's shape is tested against.
    pub fn each_near(&self, area: Aabb, f: &mut dyn FnMut([Vec3; 3])) {
        for i in self.instances.iter().filter(|i| meets(i.bounds, area)) {
            self.meshes[i.mesh].each_near(area.transformed(i.to_local), &mut |t| f(t.map(|v| i.world.transform_point3(v))));
        }
    }
}

fn meets(a: Aabb, b: Aabb) -> bool {
    a.min.cmple(b.max).all() && b.min.cmple(a.max).all()
}

/// The fraction of the segment from `a` to `b` that comes before its last `margin` of length;
/// None when the segment is no longer than that (or not finite: a NaN length hides nothing).
fn before_margin(a: Vec3, b: Vec3, margin: f32) -> Option<f32> {
    let len = (b - a).length();
    (len > margin).then(|| 1.0 - margin / len)
}

/// 1 / d, where a zero component (which would give 0 * inf = NaN in the slab test) is nudged.
fn safe_recip(d: Vec3) -> Vec3 {
    Vec3::select(d.abs().cmplt(Vec3::splat(1e-30)), Vec3::splat(1e30), d.recip())
}

fn centroid(t: &[Vec3; 3]) -> Vec3 {
    (t[0] + t[1] + t[2]) / 3.0
}

fn tri_bounds(t: &[Vec3; 3]) -> Aabb {
    Aabb { min: t[0].min(t[1]).min(t[2]), max: t[0].max(t[1]).max(t[2]) }
}

fn slab(b: Aabb, o: Vec3, inv: Vec3, t_max: f32) -> bool {
    // Padded a little: a segment grazing a flat box's face (a wall's top edge, seen level)
    // still reaches the triangles, which count their edges as hits.
    let pad = Vec3::splat((b.max - b.min).max_element() * 1e-5 + 1e-6);
    let t1 = (b.min - pad - o) * inv;
    let t2 = (b.max + pad - o) * inv;
    let near = t1.min(t2).max_element().max(0.0);
    let far = t1.max(t2).min_element().min(t_max);
    near <= far
}

/// Möller–Trumbore: the segment parameter of the hit, both faces.
pub(crate) fn hit(t: &[Vec3; 3], o: Vec3, d: Vec3) -> Option<f32> {
    let e1 = t[1] - t[0];
    let e2 = t[2] - t[0];
    let p = d.cross(e2);
    let det = e1.dot(p);
    if det.abs() < 1e-12 {
        return None;
    }
    let inv = 1.0 / det;
    let s = o - t[0];
    let u = s.dot(p) * inv;
    if !(0.0..=1.0).contains(&u) {
        return None;
    }
    let q = s.cross(e1);
    let v = d.dot(q) * inv;
    if v < 0.0 || u + v > 1.0 {
        return None;
    }
    Some(e2.dot(q) * inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wall in the plane z = 0 spanning x, y in [-1, 1].
    fn wall() -> Vec<[Vec3; 3]> {
        vec![
            [Vec3::new(-1.0, -1.0, 0.0), Vec3::new(1.0, -1.0, 0.0), Vec3::new(1.0, 1.0, 0.0)],
            [Vec3::new(-1.0, -1.0, 0.0), Vec3::new(1.0, 1.0, 0.0), Vec3::new(-1.0, 1.0, 0.0)],
        ]
    }

    #[test]
    fn first_hit_is_the_nearest_with_its_normal_in_world_space() {
        // Two walls, at z = 0 and (placed by an instance 3 m back and turned round) z = -3.
        let occ = Occluders::new(vec![wall()], [(0, Mat4::IDENTITY), (0, Mat4::from_rotation_y(std::f32::consts::PI) * Mat4::from_translation(Vec3::new(0.0, 0.0, 3.0)))]);
        let (t, n) = occ.first_hit(Vec3::new(0.0, 0.0, 5.0), Vec3::new(0.0, 0.0, -5.0)).unwrap();
        assert!((t - 0.5).abs() < 1e-5 && (n - Vec3::Z).length() < 1e-5, "{t} {n}");
        let (t, n) = occ.first_hit(Vec3::new(0.0, 0.0, -1.0), Vec3::new(0.0, 0.0, -5.0)).unwrap();
        assert!((t - 0.5).abs() < 1e-5 && (n - Vec3::Z).length() < 1e-5, "{t} {n}");
        assert!(occ.first_hit(Vec3::new(3.0, 0.0, 5.0), Vec3::new(3.0, 0.0, -5.0)).is_none());
    }

    #[test]
    fn joined_sight_sees_every_part_and_shares_their_triangles() {
        // A model's wall at x = 0 and a tile's wall placed at x = 10: the joined view is hidden
        // behind either, and holds each part's triangles once (shared, not copied).
        let model = Occluders::new(vec![wall()], [(0, Mat4::IDENTITY)]);
        let tile = Occluders::new(vec![wall(), wall()], [(1, Mat4::from_translation(Vec3::new(10.0, 0.0, 0.0)))]);
        let both = Occluders::joined([&model, &tile]);
        for x in [0.0, 10.0] {
            assert!(both.occluded(Vec3::new(x, 0.0, 5.0), Vec3::new(x, 0.0, -5.0), 0.01), "behind the wall at x = {x}");
        }
        assert!(!both.occluded(Vec3::new(5.0, 0.0, 5.0), Vec3::new(5.0, 0.0, -5.0), 0.01));
        assert!(!model.occluded(Vec3::new(10.0, 0.0, 5.0), Vec3::new(10.0, 0.0, -5.0), 0.01));
        assert_eq!(both.triangle_count(), 6);
        assert!(Rc::ptr_eq(&both.meshes[2], &tile.meshes[1]));
    }

    #[test]
    fn wall_hides_what_is_behind_it() {
        let bvh = Bvh::build(wall());
        assert!(bvh.occluded(Vec3::new(0.0, 0.0, 5.0), Vec3::new(0.0, 0.0, -5.0), 0.01));
        assert!(!bvh.occluded(Vec3::new(3.0, 0.0, 5.0), Vec3::new(3.0, 0.0, -5.0), 0.01));
        // Ending on the wall itself is not hidden, thanks to the margin.
        assert!(!bvh.occluded(Vec3::new(0.0, 0.0, 5.0), Vec3::new(0.0, 0.0, 0.0), 0.01));
    }

    #[test]
    fn many_triangles_agree_with_brute_force() {
        // A field of small quads; compare against testing every triangle.
        let mut tris = Vec::new();
        for i in 0..40 {
            for j in 0..40 {
                let (x, z) = (i as f32 * 0.5, j as f32 * 0.5);
                let y = ((i * 7 + j * 13) % 5) as f32 * 0.3;
                tris.push([Vec3::new(x, y, z), Vec3::new(x + 0.4, y, z), Vec3::new(x, y + 0.4, z + 0.2)]);
            }
        }
        let bvh = Bvh::build(tris.clone());
        let mut seen = [0; 2];
        for k in 0..500 {
            let a = Vec3::new((k % 23) as f32, 3.0, (k % 17) as f32 * 1.3 - 2.0);
            let b = Vec3::new((k % 19) as f32 * 1.1, -0.5 + (k % 3) as f32, (k % 29) as f32 * 0.7);
            let len = (b - a).length();
            let brute = tris.iter().any(|t| hit(t, a, b - a).is_some_and(|t| t > 1e-4 && t < 1.0 - 0.01 / len));
            assert_eq!(bvh.occluded(a, b, 0.01), brute, "segment {k}");
            seen[brute as usize] += 1;
        }
        assert!(seen[0] > 20 && seen[1] > 20, "{seen:?}");
    }

    #[test]
    fn instances_agree_with_their_world_triangles() {
        // Two meshes placed five times: turned, scaled unevenly, mirrored, moved.
        let field: Vec<[Vec3; 3]> = (0..60)
            .map(|k| {
                let (x, z) = ((k % 8) as f32 * 0.6, (k / 8) as f32 * 0.6);
                [Vec3::new(x, 0.0, z), Vec3::new(x + 0.5, 0.2, z), Vec3::new(x, 0.4, z + 0.5)]
            })
            .collect();
        let meshes = vec![wall(), field];
        let placed = [
            (0, Mat4::IDENTITY),
            (1, Mat4::from_translation(Vec3::new(-3.0, 0.5, 1.0))),
            (0, Mat4::from_scale_rotation_translation(Vec3::new(2.0, 0.5, 1.0), glam::Quat::from_rotation_y(0.7), Vec3::new(4.0, 1.0, -2.0))),
            (1, Mat4::from_scale(Vec3::new(-1.0, 1.0, 1.0)) * Mat4::from_rotation_x(0.3)),
            (1, Mat4::from_scale(Vec3::ZERO)), // hides nothing
        ];
        let world: Vec<[Vec3; 3]> = placed
            .iter()
            .flat_map(|(m, w)| meshes[*m].iter().map(move |t| t.map(|v| w.transform_point3(v))))
            .collect();
        let occluders = Occluders::new(meshes, placed);
        assert_eq!(occluders.triangle_count(), 62);
        let mut seen = [0; 2];
        for k in 0..600 {
            let a = Vec3::new((k % 23) as f32 * 0.5 - 5.0, 3.0 - (k % 7) as f32, (k % 17) as f32 * 0.6 - 4.0);
            let b = Vec3::new((k % 19) as f32 * 0.55 - 4.0, -1.0 + (k % 5) as f32 * 0.5, (k % 29) as f32 * 0.3 - 3.0);
            let len = (b - a).length();
            let brute = world.iter().any(|t| hit(t, a, b - a).is_some_and(|t| t > 1e-4 && t < 1.0 - 0.01 / len));
            assert_eq!(occluders.occluded(a, b, 0.01), brute, "segment {k}");
            seen[brute as usize] += 1;
        }
        assert!(seen[0] > 30 && seen[1] > 30, "{seen:?}");
    }

    #[test]
    fn triangles_near_an_area_come_in_world_space_from_every_instance_there() {
        let tris: Vec<[Vec3; 3]> = (0..100).map(|i| {
            let x = i as f32;
            [Vec3::new(x, 0.0, 0.0), Vec3::new(x + 0.5, 0.0, 0.0), Vec3::new(x, 1.0, 0.0)]
        }).collect();
        let occ = Occluders::new(vec![tris], [(0, Mat4::IDENTITY), (0, Mat4::from_translation(Vec3::new(0.0, 0.0, 10.0)))]);
        let near = |min: Vec3, max: Vec3| {
            let mut got = Vec::new();
            occ.each_near(Aabb { min, max }, &mut |t| got.push(t));
            got
        };
        // Round x = 42 at z = 10: the second instance's triangle 42, moved there (a leaf may bring
        // neighbours; never one of the first instance).
        let got = near(Vec3::new(41.9, 0.0, 9.9), Vec3::new(42.1, 0.5, 10.1));
        assert!(got.iter().any(|t| t[0] == Vec3::new(42.0, 0.0, 10.0)), "{got:?}");
        assert!(got.len() <= 8 && got.iter().all(|t| t[0].z == 10.0), "{got:?}");
        assert!(near(Vec3::new(0.0, 5.0, 0.0), Vec3::new(100.0, 6.0, 10.0)).is_empty());
    }
}
