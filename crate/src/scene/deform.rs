//! Skinning and morph targets, applied on the CPU: each frame that poses a deformable mesh
//! rewrites its position, normal and tangent streams from the bind pose it keeps. On the CPU,
//! any number of joints and targets works the same on both renderers, with no shader variant
//! per count and no WebGL2 uniform or attribute limit; a scenic model's animated parts (a
//! guide, flags, a water wheel) are a few thousand vertices, well within a frame.
//!
//! Pure: the web room hands the rewritten streams to the renderer.

use glam::{Mat3, Mat4, Vec3, Vec4};

use super::{Primitive, Scene};
use crate::geometry::{Aabb, flat_normals};

/// A glTF skin: its joint nodes and their inverse bind matrices (identity where the file has none).
#[derive(Debug, Clone, Default)]
pub struct Skin {
    pub joints: Vec<usize>,
    pub inverse_bind: Vec<Mat4>,
}

/// One morph target's displacements, one per vertex of its primitive.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub positions: Option<Vec<[f32; 3]>>,
    pub normals: Option<Vec<[f32; 3]>>,
    pub tangents: Option<Vec<[f32; 3]>>,
}

/// What a deformable primitive keeps besides its streams: per vertex (after the loader's
/// unwelding and tangent copies, so indices into the streams), joints and weights, targets,
/// and the bind pose the deformation starts from each time.
#[derive(Debug, Clone, Default)]
pub struct Deform {
    /// JOINTS_0 (indices into the skin's joints) and WEIGHTS_0; empty when not skinned.
    pub joints: Vec<[u16; 4]>,
    pub weights: Vec<[f32; 4]>,
    pub targets: Vec<Target>,
    /// The file had no normals: flat ones are computed again from the deformed triangles.
    pub flat: bool,
    /// The bind pose, taken from the streams before their first deformation.
    pub bind: Option<Bind>,
}

#[derive(Debug, Clone, Default)]
pub struct Bind {
    pub positions: Vec<[f32; 3]>,
    pub normals: Vec<[f32; 3]>,
    pub tangents: Option<Vec<[f32; 4]>>,
}

impl Deform {
    /// Keeps the streams as the bind pose (once).
    pub fn keep_bind(&mut self, positions: &[[f32; 3]], normals: &[[f32; 3]], tangents: Option<&[[f32; 4]]>) {
        if self.bind.is_none() {
            self.bind = Some(Bind { positions: positions.to_vec(), normals: normals.to_vec(), tangents: tangents.map(<[_]>::to_vec) });
        }
    }

    /// One vertex per index, as the loader unwelds a primitive for flat normals.
    pub fn unweld(&mut self, indices: &[u32]) {
        self.each(|v| *v = crate::geometry::unweld(v, indices), |v| *v = crate::geometry::unweld(v, indices), |v| *v = crate::geometry::unweld(v, indices));
    }

    pub fn truncate(&mut self, n: usize) {
        self.each(|v| v.truncate(n), |v| v.truncate(n), |v| v.truncate(n));
    }

    /// Repeats per-vertex data for vertices the loader appended as copies of `copies`.
    pub fn extend_copies(&mut self, copies: &[u32]) {
        fn copy<T: Copy>(v: &mut Vec<T>, copies: &[u32]) {
            let extra = crate::geometry::unweld(v, copies);
            v.extend(extra);
        }
        self.each(|v| copy(v, copies), |v| copy(v, copies), |v| copy(v, copies));
    }

    fn each(&mut self, mut joints: impl FnMut(&mut Vec<[u16; 4]>), mut weights: impl FnMut(&mut Vec<[f32; 4]>), mut vec3: impl FnMut(&mut Vec<[f32; 3]>)) {
        if !self.joints.is_empty() {
            joints(&mut self.joints);
            weights(&mut self.weights);
        }
        for t in &mut self.targets {
            for v in [t.positions.as_mut(), t.normals.as_mut(), t.tangents.as_mut()].into_iter().flatten() {
                vec3(v);
            }
        }
    }
}

/// Poses `p` from its bind pose: morph `weights` first, then `joints` (each joint's matrix
/// taking the bind pose to the mesh node's space), and updates its bounds. False when there is
/// nothing to do (not deformable, or per-vertex data of the wrong length).
pub fn pose_primitive(p: &mut Primitive, weights: &[f32], joints: Option<&[Mat4]>) -> bool {
    let Some(d) = p.deform.as_deref_mut() else { return false };
    if d.bind.is_none() {
        d.keep_bind(&p.positions, &p.normals, p.tangents.as_deref());
    }
    let d = &*d;
    let Some(bind) = d.bind.as_ref() else { return false };
    let n = bind.positions.len();
    let lengths_agree = d.targets.iter().all(|t| [t.positions.as_ref().map(Vec::len), t.normals.as_ref().map(Vec::len), t.tangents.as_ref().map(Vec::len)].iter().all(|l| l.is_none_or(|l| l == n)))
        && (d.joints.is_empty() || (d.joints.len() == n && d.weights.len() == n))
        && (d.flat || bind.normals.len() == n);
    if !lengths_agree {
        return false;
    }
    let mut positions = bind.positions.clone();
    let mut normals = if d.flat { Vec::new() } else { bind.normals.clone() };
    let mut tangents = bind.tangents.clone();
    for (t, &w) in d.targets.iter().zip(weights) {
        if w == 0.0 {
            continue;
        }
        let add = |out: &mut [[f32; 3]], by: &[[f32; 3]]| out.iter_mut().zip(by).for_each(|(o, b)| (0..3).for_each(|i| o[i] += w * b[i]));
        if let Some(v) = &t.positions {
            add(&mut positions, v);
        }
        if let (Some(v), false) = (&t.normals, d.flat) {
            add(&mut normals, v);
        }
        if let (Some(v), Some(out)) = (&t.tangents, tangents.as_mut()) {
            out.iter_mut().zip(v).for_each(|(o, b)| (0..3).for_each(|i| o[i] += w * b[i]));
        }
    }
    if let Some(joints) = joints.filter(|_| !d.joints.is_empty()) {
        for v in 0..n {
            let mut m = Mat4::ZERO;
            for k in 0..4 {
                let w = d.weights[v][k];
                // A joint index past the skin is left out rather than trusted.
                if let (true, Some(j)) = (w != 0.0, joints.get(usize::from(d.joints[v][k]))) {
                    m += *j * w;
                }
            }
            if m == Mat4::ZERO {
                continue;
            }
            positions[v] = m.transform_point3(Vec3::from(positions[v])).to_array();
            let r = Mat3::from_mat4(m);
            if let Some(nv) = normals.get_mut(v) {
                *nv = (r * Vec3::from(*nv)).normalize_or_zero().to_array();
            }
            if let Some(t) = tangents.as_mut().and_then(|t| t.get_mut(v)) {
                let xyz = (r * Vec3::new(t[0], t[1], t[2])).normalize_or_zero();
                *t = Vec4::from((xyz, t[3])).to_array();
            }
        }
    } else {
        for nv in &mut normals {
            *nv = Vec3::from(*nv).normalize_or_zero().to_array();
        }
    }
    if d.flat {
        normals = flat_normals(&positions);
    }
    p.bounds = Aabb::from_points(&positions);
    p.positions = positions;
    p.normals = normals;
    if p.tangents.is_some() || tangents.is_some() {
        p.tangents = tangents;
    }
    true
}

impl Scene {
    /// Every node's world matrix, whether or not a scene places it (joints may sit outside
    /// the scene shown). Node cycles are refused at load.
    pub fn node_worlds(&self) -> Vec<Mat4> {
        let mut parent = vec![None; self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            for &c in &n.children {
                if let Some(p) = parent.get_mut(c) {
                    *p = Some(i);
                }
            }
        }
        let mut world = vec![Mat4::IDENTITY; self.nodes.len()];
        let mut stack: Vec<(usize, Mat4)> = (0..self.nodes.len()).filter(|&i| parent[i].is_none()).map(|i| (i, Mat4::IDENTITY)).collect();
        while let Some((n, up)) = stack.pop() {
            world[n] = up * self.nodes[n].local;
            stack.extend(self.nodes[n].children.iter().filter(|&&c| c < self.nodes.len()).map(|&c| (c, world[n])));
        }
        world
    }

    /// The meshes that deform, with the node whose skin and weights drive each (the loader
    /// gives each such node a mesh of its own).
    pub fn deformed_meshes(&self) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            let Some(m) = n.mesh else { continue };
            let deforms = self.meshes.get(m).is_some_and(|mesh| mesh.primitives.iter().any(|p| p.deform.is_some()));
            if deforms && !out.iter().any(|&(mm, _)| mm == m) {
                out.push((m, i));
            }
        }
        out
    }

    /// Poses every deformable mesh from the nodes' current transforms and weights; returns
    /// the (mesh, primitive) pairs rewritten, for the renderer to upload again.
    pub fn deform(&mut self) -> Vec<(usize, usize)> {
        let driven = self.deformed_meshes();
        if driven.is_empty() {
            return Vec::new();
        }
        let worlds = self.node_worlds();
        let mut changed = Vec::new();
        for (m, node) in driven {
            let n = &self.nodes[node];
            let joints: Option<Vec<Mat4>> = n.skin.and_then(|s| self.skins.get(s)).map(|skin| {
                // Vertices end in the mesh node's space, which the renderer then places.
                let to_mesh = worlds[node].inverse();
                skin.joints.iter().enumerate().map(|(j, &jn)| to_mesh * worlds.get(jn).copied().unwrap_or(Mat4::IDENTITY) * skin.inverse_bind.get(j).copied().unwrap_or(Mat4::IDENTITY)).collect()
            });
            let weights = n.weights.clone();
            for (i, p) in self.meshes[m].primitives.iter_mut().enumerate() {
                if pose_primitive(p, &weights, joints.as_deref()) {
                    changed.push((m, i));
                }
            }
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::{Mesh, Node, SceneRoot, Topology};

    fn quad() -> Primitive {
        Primitive {
            topology: Topology::Triangles,
            positions: vec![[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 2.0, 0.0]],
            normals: vec![[0.0, 0.0, 1.0]; 4],
            indices: Some(vec![0, 1, 2, 2, 1, 3].into()),
            ..Default::default()
        }
    }

    #[test]
    fn morph_weights_add_their_displacements_and_normals_stay_unit() {
        let mut p = quad();
        let up = Target { positions: Some(vec![[0.0, 1.0, 0.0]; 4]), normals: Some(vec![[0.0, 1.0, 0.0]; 4]), tangents: None };
        let out = Target { positions: Some(vec![[0.0, 0.0, 2.0]; 4]), ..Default::default() };
        p.deform = Some(Box::new(Deform { targets: vec![up, out], ..Default::default() }));
        assert!(pose_primitive(&mut p, &[0.5, 0.25], None));
        assert_eq!(p.positions[3], [1.0, 2.5, 0.5]);
        let n = Vec3::from(p.normals[0]);
        assert!((n - Vec3::new(0.0, 0.5, 1.0).normalize()).length() < 1e-6, "{n}");
        assert_eq!((p.bounds.min.y, p.bounds.max.y), (0.5, 2.5));
        // From the bind pose each time, not from the last pose.
        assert!(pose_primitive(&mut p, &[0.0, 0.0], None));
        assert_eq!(p.positions[3], [1.0, 2.0, 0.0]);
    }

    /// Two joints: the root at the origin, the second at y = 1 bent a quarter turn about z.
    /// The quad's top vertices belong to the second joint and swing round it.
    #[test]
    fn skinning_follows_the_joints_and_blends_by_weight() {
        let bend = Mat4::from_rotation_z(std::f32::consts::FRAC_PI_2);
        let node = |local: Mat4, children: Vec<usize>, mesh: Option<usize>, skin: Option<usize>| Node { local, children, mesh, skin, ..Default::default() };
        let mut p = quad();
        p.deform = Some(Box::new(Deform {
            joints: vec![[0, 0, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]],
            weights: vec![[1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]],
            ..Default::default()
        }));
        let mut scene = Scene {
            meshes: vec![Mesh { primitives: vec![p] }],
            // The mesh node is moved away: a skinned mesh's own transform must not count twice.
            nodes: vec![node(Mat4::from_translation(Vec3::new(5.0, 0.0, 0.0)), vec![], Some(0), Some(0)), node(Mat4::IDENTITY, vec![2], None, None), node(Mat4::from_translation(Vec3::Y) * bend, vec![], None, None)],
            scenes: vec![SceneRoot { name: None, nodes: vec![0, 1] }],
            skins: vec![Skin { joints: vec![1, 2], inverse_bind: vec![Mat4::IDENTITY, Mat4::from_translation(-Vec3::Y)] }],
            ..Default::default()
        };
        assert_eq!(scene.deform(), vec![(0, 0)]);
        let world = scene.node_worlds()[0];
        let at = |v: usize| world.transform_point3(Vec3::from(scene.meshes[0].primitives[0].positions[v]));
        // (0, 2) is one above the bent joint: now one to its left.
        assert!((at(2) - Vec3::new(-1.0, 1.0, 0.0)).length() < 1e-5, "{}", at(2));
        assert!((at(3) - Vec3::new(-1.0, 2.0, 0.0)).length() < 1e-5, "{}", at(3));
        // On the root only: where it was.
        assert!((at(0) - Vec3::ZERO).length() < 1e-5, "{}", at(0));
        // Half on each: the mean of (1, 0) and of (1, 0) bent round (0, 1), which is (1, 2).
        assert!((at(1) - Vec3::new(1.0, 1.0, 0.0)).length() < 1e-5, "{}", at(1));
        // Normals turn with the top joint (about z they stay +z).
        assert!((Vec3::from(scene.meshes[0].primitives[0].normals[2]) - Vec3::Z).length() < 1e-5);
    }

    /// A skin of 300 joints (past the 256 a uniform-array GPU skinner often stops at), each
    /// vertex on its own joint, and eight morph targets active at once.
    #[test]
    fn hundreds_of_joints_and_eight_targets_at_once() {
        let n = 300;
        let mut p = Primitive { topology: crate::scene::Topology::Points, positions: vec![[0.0; 3]; n], normals: vec![[0.0, 0.0, 1.0]; n], ..Default::default() };
        let targets = (0..8).map(|t| Target { positions: Some(vec![[0.0, 0.0, (1 << t) as f32]; n]), ..Default::default() }).collect();
        p.deform = Some(Box::new(Deform { joints: (0..n as u16).map(|j| [j, 0, 0, 0]).collect(), weights: vec![[1.0, 0.0, 0.0, 0.0]; n], targets, ..Default::default() }));
        // Joint j moves its vertex j metres along x.
        let joints: Vec<Mat4> = (0..n).map(|j| Mat4::from_translation(Vec3::new(j as f32, 0.0, 0.0))).collect();
        // Every target at weight 1: z = 1 + 2 + … + 128.
        assert!(pose_primitive(&mut p, &[1.0; 8], Some(&joints)));
        for (j, v) in p.positions.iter().enumerate() {
            assert_eq!(*v, [j as f32, 0.0, 255.0], "vertex {j}");
        }
    }

    #[test]
    fn lengths_that_disagree_are_left_in_the_bind_pose() {
        let mut p = quad();
        p.deform = Some(Box::new(Deform { targets: vec![Target { positions: Some(vec![[0.0, 1.0, 0.0]; 3]), ..Default::default() }], ..Default::default() }));
        assert!(!pose_primitive(&mut p, &[1.0], None));
        assert_eq!(p.positions, quad().positions);
        // Joint indices past the skin are left out, not read out of bounds.
        let mut p = quad();
        p.deform = Some(Box::new(Deform { joints: vec![[9, 0, 0, 0]; 4], weights: vec![[1.0, 0.0, 0.0, 0.0]; 4], ..Default::default() }));
        assert!(pose_primitive(&mut p, &[], Some(&[Mat4::IDENTITY])));
        assert_eq!(p.positions, quad().positions);
    }
}
