//! The draw list, shared by both backends: which primitive is drawn where, with which shader
//! variant and state, and in what order a frame draws them (culled to the view, opaque ones
//! grouped by pipeline and material, blended ones back to front). Pure: tested natively.

use glam::Mat4;

use super::uniforms::ObjectU;
use crate::geometry::{Aabb, Frustum};
use crate::scene::{Scene, Topology};
use crate::shader::Variant;

/// Everything that makes a pipeline (WebGPU) or a program plus fixed-function state (WebGL2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PipelineKey {
    pub topology: Topology,
    pub variant: Variant,
    pub cull: bool,
    pub mirrored: bool,
}

/// What the draw list needs of an uploaded primitive.
#[derive(Debug, Clone, Copy)]
pub struct PrimInfo {
    /// Which of `scene::STREAMS` it has.
    pub streams: [bool; 6],
    pub topology: Topology,
    pub material: Option<usize>,
    pub bounds: Aabb,
}

#[derive(Debug, Clone, Copy)]
pub struct Draw {
    /// Index of the primitive in the content's uploaded primitives.
    pub prim: usize,
    /// Index into `DrawList::objects`.
    pub object: u32,
    /// Index into the content's materials: the scene's, then the glTF default material last.
    pub material: usize,
    pub key: PipelineKey,
    /// World-space bounds: for culling, and their centre for sorting blended draws.
    pub bounds: Aabb,
}

/// One glTF scene of a content, placed: its draws and the per-object uniforms they index.
#[derive(Debug, Default)]
pub struct DrawList {
    pub draws: Vec<Draw>,
    pub objects: Vec<ObjectU>,
}

/// A primitive's material: its own, or the glTF default material (index `count`, after the
/// scene's) where it has none or names one that is not there.
pub fn material_index(material: Option<usize>, count: usize) -> usize {
    material.filter(|&m| m < count).unwrap_or(count)
}

impl DrawList {
    /// Places glTF scene `index` of `scene`; `mesh_prims` lists, per mesh, the indices in
    /// `prims` of its uploaded primitives.
    pub fn build(scene: &Scene, index: usize, mesh_prims: &[Vec<usize>], prims: &[PrimInfo]) -> DrawList {
        let mut list = DrawList::default();
        let default = crate::scene::Material::default();
        let (instances, _) = scene.flatten(index);
        for inst in instances {
            let Some(ids) = mesh_prims.get(inst.mesh) else { continue };
            let object = list.objects.len() as u32;
            list.objects.push(ObjectU::new(inst.world));
            // A mirroring transform flips the winding of every triangle.
            let mirrored = inst.world.determinant() < 0.0;
            for &id in ids {
                let p = &prims[id];
                let material = material_index(p.material, scene.materials.len());
                let m = scene.materials.get(material).unwrap_or(&default);
                list.draws.push(Draw {
                    prim: id,
                    object,
                    material,
                    key: PipelineKey { topology: p.topology, variant: Variant::of(p.streams, m), cull: !m.double_sided, mirrored },
                    bounds: p.bounds.transformed(inst.world),
                });
            }
        }
        list
    }
}

/// A frame's draws over several contents, as (content, draw): opaque ones first (grouped by
/// pipeline, content and material, so state changes least), then blended ones back to front.
/// Draws wholly outside the view are left out. Returns the list and where the blended ones start
/// (the sky is drawn between the two).
pub fn frame_order<'a>(lists: impl IntoIterator<Item = (usize, &'a DrawList)>, view: Mat4, proj: Mat4) -> (Vec<(usize, &'a Draw)>, usize) {
    let frustum = Frustum::new(proj * view);
    let mut opaque = Vec::new();
    let mut blend = Vec::new();
    for (c, list) in lists {
        for d in list.draws.iter().filter(|d| frustum.may_see(&d.bounds)) {
            if d.key.variant.blend {
                blend.push((view.transform_point3(d.bounds.center()).z, (c, d)));
            } else {
                opaque.push((c, d));
            }
        }
    }
    opaque.sort_by_key(|(c, d)| (d.key, *c, d.material));
    // View space looks down -z: the most negative z is farthest and goes first.
    blend.sort_by(|a, b| a.0.total_cmp(&b.0));
    let split = opaque.len();
    opaque.extend(blend.into_iter().map(|(_, cd)| cd));
    (opaque, split)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::{AlphaMode, Material, Mesh, Node, Primitive, SceneRoot};
    use glam::Vec3;

    fn prim(material: Option<usize>) -> PrimInfo {
        PrimInfo { streams: [true, true, false, false, false, false], topology: Topology::Triangles, material, bounds: Aabb { min: Vec3::splat(-1.0), max: Vec3::splat(1.0) } }
    }

    fn node(mesh: usize, at: Vec3, scale: f32) -> Node {
        Node { name: None, local: Mat4::from_translation(at) * Mat4::from_scale(Vec3::new(scale, 1.0, 1.0)), children: vec![], mesh: Some(mesh), camera: None, instances: vec![], rest: None, ..Default::default() }
    }

    /// Mesh 0 (opaque) at z = -5 and mirrored at z = -40, mesh 1 (blended) at z = -10 and -20.
    fn scene() -> Scene {
        let p = Primitive { topology: Topology::Triangles, positions: vec![], normals: vec![], tangents: None, uv0: None, uv1: None, colors: None, indices: None, material: None, bounds: Aabb::EMPTY, deform: None };
        let empty = || Mesh { primitives: vec![p.clone()] };
        Scene {
            meshes: vec![empty(), empty()],
            materials: vec![Material { alpha_mode: AlphaMode::Blend, double_sided: true, ..Default::default() }],
            nodes: vec![node(0, Vec3::new(0.0, 0.0, -5.0), 1.0), node(1, Vec3::new(0.0, 0.0, -10.0), 1.0), node(1, Vec3::new(0.0, 0.0, -20.0), 1.0), node(0, Vec3::new(0.0, 0.0, -40.0), -1.0)],
            scenes: vec![SceneRoot { name: None, nodes: vec![0, 1, 2, 3] }],
            ..Default::default()
        }
    }

    #[test]
    fn draws_carry_material_state_and_mirroring() {
        let s = scene();
        // Primitive 0 names a material that does not exist: the default (index 1) is used.
        let list = DrawList::build(&s, 0, &[vec![0], vec![1]], &[prim(Some(7)), prim(Some(0))]);
        assert_eq!(list.objects.len(), 4);
        // By placement, nearest first (bounds in world space).
        let mut d: Vec<_> = list.draws.iter().map(|d| (-d.bounds.center().z as i32, d.prim, d.material, d.key.cull, d.key.mirrored, d.key.variant.blend)).collect();
        d.sort();
        assert_eq!(d, [(5, 0, 1, true, false, false), (10, 1, 0, false, false, true), (20, 1, 0, false, false, true), (40, 0, 1, true, true, false)]);
        assert!(list.draws.iter().all(|d| (list.objects[d.object as usize].model[3][2] - d.bounds.center().z).abs() < 1e-6));
    }

    #[test]
    fn a_frame_draws_opaque_first_then_blended_back_to_front_and_culls() {
        let s = scene();
        let list = DrawList::build(&s, 0, &[vec![0], vec![1]], &[prim(None), prim(Some(0))]);
        let proj = Mat4::perspective_rh(1.0, 1.0, 0.1, 30.0);
        let (order, split) = frame_order([(0, &list)], Mat4::IDENTITY, proj);
        // The mirrored copy at z = -40 is beyond the far plane.
        assert_eq!(split, 1);
        let z: Vec<f32> = order.iter().map(|(_, d)| d.bounds.center().z).collect();
        assert_eq!(z, [-5.0, -20.0, -10.0]);
        // Two contents: both drawn, opaque ones grouped by pipeline then content.
        let (order, split) = frame_order([(0, &list), (1, &list)], Mat4::IDENTITY, proj);
        assert_eq!((order.len(), split), (6, 2));
        assert_eq!(order.iter().map(|(c, _)| *c).take(2).collect::<Vec<_>>(), [0, 1]);
    }
}
