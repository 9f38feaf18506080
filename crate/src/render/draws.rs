//! The draw list, shared by both backends: which primitive is drawn where, with which shader
//! variant and state, and in what order a frame draws them (culled to the view, opaque ones
//! grouped by pipeline and material, blended ones back to front). Pure: tested natively.

use glam::Mat4;

use super::uniforms::ObjectU;
use crate::geometry::{Aabb, Frustum};
use crate::scene::{AlphaMode, Scene, Topology};
use crate::shader::{INSTANCES_PER_DRAW, Variant};

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
    /// Index into `DrawList::blocks`: the object (or the copies) this draw places.
    pub object: u32,
    /// Copies drawn: 1, or up to `INSTANCES_PER_DRAW` with an instanced variant.
    pub instances: u32,
    /// Index into the content's materials: the scene's, then the glTF default material last.
    pub material: usize,
    pub key: PipelineKey,
    /// World-space bounds (of all its copies): for culling, and their centre for sorting blended
    /// draws.
    pub bounds: Aabb,
}

/// One glTF scene of a content, placed: its draws and the per-object uniforms they index.
#[derive(Debug, Default)]
pub struct DrawList {
    pub draws: Vec<Draw>,
    /// Per block, the uniforms of its object, or of an instanced draw's copies.
    pub blocks: Vec<Vec<ObjectU>>,
}

/// A primitive's material: its own, or the glTF default material (index `count`, after the
/// scene's) where it has none or names one that is not there.
pub fn material_index(material: Option<usize>, count: usize) -> usize {
    material.filter(|&m| m < count).unwrap_or(count)
}

impl DrawList {
    /// Places glTF scene `index` of `scene`; `mesh_prims` lists, per mesh, the indices in
    /// `prims` of its uploaded primitives. A node's EXT_mesh_gpu_instancing copies are drawn
    /// `INSTANCES_PER_DRAW` at a time where their material is opaque (one draw for a forest,
    /// not one per tree); blended ones stay one draw a copy, to be sorted back to front.
    pub fn build(scene: &Scene, index: usize, mesh_prims: &[Vec<usize>], prims: &[PrimInfo]) -> DrawList {
        let mut list = DrawList::default();
        let default = crate::scene::Material::default();
        let material = |p: &PrimInfo| {
            let i = material_index(p.material, scene.materials.len());
            (i, scene.materials.get(i).unwrap_or(&default))
        };
        let (placed, _) = scene.placements(index);
        for place in placed {
            let Some(ids) = mesh_prims.get(place.mesh) else { continue };
            if place.copies.is_empty() {
                list.place(ids, &[place.world], prims, &material);
                continue;
            }
            let worlds: Vec<Mat4> = place.copies.iter().map(|c| place.world * *c).collect();
            let (blended, opaque): (Vec<usize>, Vec<usize>) = ids.iter().partition(|&&id| material(&prims[id]).1.alpha_mode == AlphaMode::Blend);
            for w in &worlds {
                list.place(&blended, std::slice::from_ref(w), prims, &material);
            }
            // Copies in one draw share the winding: mirrored ones go in draws of their own.
            for mirrored in [false, true] {
                let alike: Vec<Mat4> = worlds.iter().copied().filter(|w| (w.determinant() < 0.0) == mirrored).collect();
                for chunk in alike.chunks(INSTANCES_PER_DRAW as usize) {
                    list.place(&opaque, chunk, prims, &material);
                }
            }
        }
        list
    }

    /// Draws primitives `ids` once per world in `worlds` (all mirrored alike), as one block.
    fn place<'m>(&mut self, ids: &[usize], worlds: &[Mat4], prims: &[PrimInfo], material: &impl Fn(&PrimInfo) -> (usize, &'m crate::scene::Material)) {
        if ids.is_empty() || worlds.is_empty() {
            return;
        }
        let object = self.blocks.len() as u32;
        self.blocks.push(worlds.iter().map(|&w| ObjectU::new(w)).collect());
        // A mirroring transform flips the winding of every triangle.
        let mirrored = worlds[0].determinant() < 0.0;
        for &id in ids {
            let p = &prims[id];
            let (index, m) = material(p);
            let variant = Variant { instanced: worlds.len() > 1, ..Variant::of(p.streams, m) };
            self.draws.push(Draw {
                prim: id,
                object,
                instances: worlds.len() as u32,
                material: index,
                key: PipelineKey { topology: p.topology, variant, cull: !m.double_sided, mirrored },
                bounds: worlds.iter().fold(Aabb::EMPTY, |b, &w| b.union(p.bounds.transformed(w))),
            });
        }
    }

    /// The object uniform buffer's bytes, and each block's offset in it. Every block starts at a
    /// multiple of `align` (the dynamic-offset / bind-range alignment); an instanced block is
    /// followed by room for a whole `Objects` array, the size its binding has.
    pub fn pack_objects(&self, align: u32) -> (Vec<u8>, Vec<u32>) {
        let align = align.max(16) as usize;
        let object = std::mem::size_of::<ObjectU>();
        let mut data = Vec::new();
        let mut offsets = Vec::with_capacity(self.blocks.len());
        for block in &self.blocks {
            offsets.push(data.len() as u32);
            let start = data.len();
            block.iter().for_each(|u| data.extend_from_slice(bytemuck::bytes_of(u)));
            if block.len() > 1 {
                data.resize(start + INSTANCES_PER_DRAW as usize * object, 0);
            }
            data.resize(data.len().div_ceil(align) * align, 0);
        }
        (data, offsets)
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
        let p = Primitive { topology: Topology::Triangles, positions: vec![], normals: vec![], tangents: None, uv0: None, uv1: None, colors: None, indices: None, material: None, bounds: Aabb::EMPTY, deform: None, drawn_triangles: None, in_file: Default::default() };
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
        assert_eq!(list.blocks.len(), 4);
        // By placement, nearest first (bounds in world space).
        let mut d: Vec<_> = list.draws.iter().map(|d| (-d.bounds.center().z as i32, d.prim, d.material, d.key.cull, d.key.mirrored, d.key.variant.blend)).collect();
        d.sort();
        assert_eq!(d, [(5, 0, 1, true, false, false), (10, 1, 0, false, false, true), (20, 1, 0, false, false, true), (40, 0, 1, true, true, false)]);
        assert!(list.draws.iter().all(|d| (list.blocks[d.object as usize][0].model[3][2] - d.bounds.center().z).abs() < 1e-6));
        assert!(list.draws.iter().all(|d| d.instances == 1 && !d.key.variant.instanced));
    }

    /// A node with 300 instancing copies (one mirrored) of a mesh with an opaque and a blended
    /// primitive.
    #[test]
    fn instancing_copies_are_drawn_in_blocks_and_blended_ones_one_by_one() {
        let mut s = scene();
        let blended = s.meshes[1].primitives[0].clone();
        s.meshes[0].primitives.push(blended);
        let mut copies: Vec<Mat4> = (0..300).map(|i| Mat4::from_translation(Vec3::new(i as f32 * 3.0, 0.0, 0.0))).collect();
        copies[7] = copies[7] * Mat4::from_scale(Vec3::new(-1.0, 1.0, 1.0));
        s.nodes[0].instances = copies;
        s.scenes[0].nodes = vec![0];
        let list = DrawList::build(&s, 0, &[vec![0, 1]], &[prim(None), prim(Some(0))]);
        let opaque: Vec<_> = list.draws.iter().filter(|d| d.prim == 0).collect();
        // 299 unmirrored copies in draws of 128, 128 and 43; the mirrored one alone.
        let mut counts: Vec<(u32, bool, bool)> = opaque.iter().map(|d| (d.instances, d.key.mirrored, d.key.variant.instanced)).collect();
        counts.sort();
        assert_eq!(counts, [(1, true, false), (43, false, true), (128, false, true), (128, false, true)]);
        // Each draw's bounds cover its copies: the first block (copies 0..=128 less the mirrored
        // 7th) spans x = -1 .. 3 * 128 + 1.
        let first = opaque.iter().find(|d| d.instances == 128 && list.blocks[d.object as usize][0].model[3][0] == 0.0).expect("first block");
        assert_eq!((first.bounds.min.x, first.bounds.max.x), (-1.0, 385.0));
        assert_eq!(list.blocks[first.object as usize][127].model[3][0], 384.0);
        // The blended primitive: one draw per copy, so each can be sorted.
        let blended: Vec<_> = list.draws.iter().filter(|d| d.prim == 1).collect();
        assert_eq!(blended.len(), 300);
        assert!(blended.iter().all(|d| d.instances == 1 && !d.key.variant.instanced && d.key.variant.blend));

        // Packed: every block at an aligned offset, an instanced one with a whole array after it.
        let (bytes, offsets) = list.pack_objects(256);
        let size = std::mem::size_of::<ObjectU>();
        for (i, (block, &at)) in list.blocks.iter().zip(&offsets).enumerate() {
            assert_eq!(at % 256, 0, "block {i}");
            let room = if block.len() > 1 { INSTANCES_PER_DRAW as usize * size } else { size };
            assert!(at as usize + room <= bytes.len(), "block {i}");
            let last = &bytes[at as usize + (block.len() - 1) * size..][..size];
            assert_eq!(last, bytemuck::bytes_of(block.last().unwrap()), "block {i}");
        }
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
