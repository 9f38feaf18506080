//! Rendering room: scene data → pixels, behind one interface ([`RenderBackend`]) with two
//! backends in their own folders: `webgpu/` (wgpu) and `webgl/` (WebGL2 written on web-sys, its
//! GLSL translated from the same WGSL by naga at build time, so neither wgpu-core nor a shader
//! compiler ships to a WebGL2 browser). What both need is pure and shared: the draw list
//! (`draws`), the uniform blocks (`uniforms`), the shader variants (`crate::shader`) and the
//! vertex streams (`crate::scene::STREAMS`).
//!
//! The web room hands a backend contents (a model now; tiles, panoramas, AR layers later) and
//! refers to them by [`ContentId`] alone: GPU handles never leave the backend.

pub mod blocks;
pub mod cache;
pub mod draws;
#[cfg(feature = "webgl")]
pub mod glsl;
pub mod lights;
pub mod uniforms;

#[cfg(target_arch = "wasm32")]
mod backend;
#[cfg(all(target_arch = "wasm32", feature = "webgl"))]
mod webgl;
#[cfg(all(target_arch = "wasm32", feature = "webgpu"))]
mod webgpu;

#[cfg(target_arch = "wasm32")]
pub use backend::*;

use glam::{Mat4, Vec3};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    WebGpu,
    WebGl2,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::WebGpu => "webgpu",
            Backend::WebGl2 => "webgl2",
        }
    }
}

/// What the camera sees this frame.
#[derive(Debug, Clone, Copy)]
pub struct View {
    pub view: Mat4,
    pub proj: Mat4,
    pub eye: Vec3,
    pub exposure: f32,
}

/// 4× multisampling, except on denser screens (devicePixelRatio 2 and up: most phones), whose
/// pixels are small enough that it costs more than it shows, and on an adapter that rasterises
/// on the CPU (SwiftShader, llvmpipe: a GPU the browser blocklisted, a VM, a remote desktop),
/// where it triples the time of a frame (measured in headless Chromium for three.js and Scenic
/// alike). One policy for both backends.
pub fn samples_for(device_pixel_ratio: f64, cpu_adapter: bool) -> u32 {
    if device_pixel_ratio >= 2.0 || cpu_adapter { 1 } else { 4 }
}

/// Whether a GPU's name says it rasterises on the CPU (WebGL's unmasked renderer string).
pub fn is_cpu_renderer(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["swiftshader", "llvmpipe", "softpipe", "software"].iter().any(|s| n.contains(s))
}

/// A content held by a backend (see the module comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentId(pub u32);

/// Contents of a backend: those being uploaded (primitives staged by mesh and index as the
/// loader decodes them) and those ready to draw. `P` is the backend's uploaded primitive, `S`
/// its uploaded scene. Pure bookkeeping shared by both backends.
pub struct Contents<P, S> {
    next: u32,
    staged: Vec<(ContentId, Vec<Vec<Option<P>>>)>,
    pub ready: Vec<(ContentId, S)>,
    /// Ready but not drawn (the model while a panorama is shown).
    hidden: Vec<ContentId>,
}

impl<P, S> Default for Contents<P, S> {
    fn default() -> Self {
        Contents { next: 0, staged: Vec::new(), ready: Vec::new(), hidden: Vec::new() }
    }
}

impl<P, S> Contents<P, S> {
    pub fn begin(&mut self) -> ContentId {
        self.next += 1;
        let id = ContentId(self.next);
        self.staged.push((id, Vec::new()));
        id
    }

    /// Keeps primitive `index` of mesh `mesh` of content `id` until the content is finished.
    pub fn stage(&mut self, id: ContentId, mesh: usize, index: usize, p: P) {
        if let Some((_, meshes)) = self.staged.iter_mut().find(|(c, _)| *c == id) {
            meshes.resize_with(meshes.len().max(mesh + 1), Vec::new);
            let slots = &mut meshes[mesh];
            slots.resize_with(slots.len().max(index + 1), || None);
            slots[index] = Some(p);
        }
    }

    /// The primitives staged for `id`, by mesh and index (empty for an unknown id).
    pub fn take_staged(&mut self, id: ContentId) -> Vec<Vec<Option<P>>> {
        match self.staged.iter().position(|(c, _)| *c == id) {
            Some(i) => self.staged.swap_remove(i).1,
            None => Vec::new(),
        }
    }

    pub fn insert(&mut self, id: ContentId, scene: S) {
        self.remove(id);
        self.ready.push((id, scene));
    }

    pub fn get_mut(&mut self, id: ContentId) -> Option<&mut S> {
        self.ready.iter_mut().find(|(c, _)| *c == id).map(|(_, s)| s)
    }

    /// Drops a content, staged or ready (its GPU memory goes with it).
    pub fn remove(&mut self, id: ContentId) {
        self.staged.retain(|(c, _)| *c != id);
        self.ready.retain(|(c, _)| *c != id);
        self.hidden.retain(|c| *c != id);
    }

    /// Keeps a content on the GPU but out of the frame, or brings it back.
    pub fn set_visible(&mut self, id: ContentId, visible: bool) {
        self.hidden.retain(|c| *c != id);
        if !visible {
            self.hidden.push(id);
        }
    }

    /// The ready contents a frame draws.
    pub fn shown(&self) -> impl Iterator<Item = &S> {
        self.ready.iter().filter(|(c, _)| !self.hidden.contains(c)).map(|(_, s)| s)
    }

    pub fn clear(&mut self) {
        self.staged.clear();
        self.ready.clear();
        self.hidden.clear();
    }
}

/// A scene's primitives on the GPU: those staged while it was built, the others uploaded now.
#[derive(Debug)]
pub struct Gathered<P> {
    pub prims: Vec<P>,
    /// Per mesh, the indices in `prims` of its primitives (one with nothing to draw has none).
    pub mesh_prims: Vec<Vec<usize>>,
    /// Per mesh and primitive, its index in `prims`, if uploaded (to update it in place).
    pub slots: Vec<Vec<Option<usize>>>,
}

pub fn gather<P>(scene: &crate::scene::Scene, mut staged: Vec<Vec<Option<P>>>, mut upload: impl FnMut(&crate::scene::Primitive) -> Option<P>) -> Gathered<P> {
    let mut g = Gathered { prims: Vec::new(), mesh_prims: Vec::new(), slots: Vec::new() };
    for (m, mesh) in scene.meshes.iter().enumerate() {
        let mut ids = Vec::new();
        let mut slots = Vec::new();
        for (i, p) in mesh.primitives.iter().enumerate() {
            let early = staged.get_mut(m).and_then(|u| u.get_mut(i)).and_then(Option::take);
            let Some(gp) = early.or_else(|| upload(p)) else {
                slots.push(None);
                continue;
            };
            slots.push(Some(g.prims.len()));
            ids.push(g.prims.len());
            g.prims.push(gp);
        }
        g.mesh_prims.push(ids);
        g.slots.push(slots);
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_stage_primitives_until_finished_and_drop_on_remove() {
        let mut c: Contents<&str, &str> = Contents::default();
        let a = c.begin();
        let b = c.begin();
        c.stage(a, 1, 2, "a12");
        c.stage(b, 0, 0, "b00");
        c.stage(ContentId(99), 0, 0, "nowhere");
        let staged = c.take_staged(a);
        assert_eq!(staged, vec![vec![], vec![None, None, Some("a12")]]);
        assert!(c.take_staged(a).is_empty());
        c.insert(a, "scene a");
        c.insert(a, "scene a again");
        assert_eq!(c.ready.len(), 1);
        assert_eq!(c.get_mut(a), Some(&mut "scene a again"));
        c.remove(b);
        assert!(c.take_staged(b).is_empty());
        c.remove(a);
        assert!(c.ready.is_empty());
    }

    #[test]
    fn gather_takes_staged_primitives_and_uploads_the_rest() {
        use crate::scene::{Mesh, Primitive, Scene, Topology};
        let prim = |n: usize| Primitive { topology: Topology::Triangles, positions: vec![[0.0; 3]; n], normals: vec![], tangents: None, uv0: None, uv1: None, colors: None, indices: None, material: None, bounds: crate::geometry::Aabb::EMPTY, deform: None, drawn_triangles: None, in_file: Default::default() };
        let scene = Scene { meshes: vec![Mesh { primitives: vec![prim(3), prim(6)] }, Mesh { primitives: vec![prim(0)] }], ..Default::default() };
        let staged = vec![vec![None, Some("staged")]];
        let g = gather(&scene, staged, |p| (!p.positions.is_empty()).then_some("now"));
        assert_eq!(g.prims, ["now", "staged"]);
        // The empty primitive has nothing to draw.
        assert_eq!(g.mesh_prims, vec![vec![0, 1], vec![]]);
        assert_eq!(g.slots, vec![vec![Some(0), Some(1)], vec![None]]);
    }

    #[test]
    fn multisampling_policy() {
        assert_eq!(samples_for(1.0, false), 4);
        assert_eq!(samples_for(2.0, false), 1);
        assert_eq!(samples_for(1.0, true), 1);
        assert!(is_cpu_renderer("ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)"));
        assert!(is_cpu_renderer("llvmpipe (LLVM 15.0.6, 256 bits)"));
        assert!(!is_cpu_renderer("ANGLE (Qualcomm, Adreno (TM) 650, OpenGL ES 3.2)"));
    }
}
