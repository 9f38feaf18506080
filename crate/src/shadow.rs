//! The contact shadow under a model (`shadow-intensity`, `shadow-softness`, as model-viewer
//! draws it): the renderer sees the model from below with an orthographic camera whose depth
//! runs from the ground (0) to the model's top (1); here that depth becomes darkness (geometry
//! touching the ground darkest, the top none), blurred by the softness, and laid on a quad at the
//! model's feet, unlit and blended. Made once per model (and attribute change), not per frame.
//! Pure logic, tested natively.

use glam::{Mat4, Vec3, Vec4Swizzles};

use crate::geometry::Aabb;
use crate::scene::{self, AlphaMode, Material, Mesh, Node, Primitive, Sampler, Scene, SceneRoot, TexRef, Texture, Topology, Wrap};

/// Room around the model's footprint, as a share of its size, for the blur to fade out in.
const MARGIN: f32 = 0.35;

/// Where the shadow is seen from and lies: the camera below the model, looking up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub view: Mat4,
    pub proj: Mat4,
    pub eye: Vec3,
    /// The quad's corners on the ground, in the order of its UVs [(0,0), (1,0), (1,1), (0,1)].
    pub corners: [Vec3; 4],
}

/// The frame for a model within `bounds`, read back at `width` × `height` pixels (the ortho
/// frustum keeps that aspect, so the footprint is square in the picture).
pub fn frame(bounds: Aabb, width: u32, height: u32) -> Frame {
    let size = bounds.max - bounds.min;
    let centre = (bounds.min + bounds.max) * 0.5;
    let half = 0.5 * size.x.max(size.z).max(1e-3) * (1.0 + 2.0 * MARGIN);
    let aspect = width.max(1) as f32 / height.max(1) as f32;
    let (hw, hh) = if aspect >= 1.0 { (half * aspect, half) } else { (half, half / aspect) };
    // Just under the ground, looking up; screen up is -z (north), so screen right is -x.
    let eye = Vec3::new(centre.x, bounds.min.y - 1e-3 * size.y.max(1e-3), centre.z);
    let view = Mat4::look_at_rh(eye, eye + Vec3::Y, Vec3::NEG_Z);
    let proj = Mat4::orthographic_rh(-hw, hw, -hh, hh, 0.0, size.y.max(1e-3) * 1.001 + 2e-3 * size.y.max(1e-3));
    // The corners the picture's (u, v) = (0,0), (1,0), (1,1), (0,1) fall on, a hair above the
    // ground (so it is not lost in the depth of a floor there).
    let inverse = (proj * view).inverse();
    let lift = 1e-3 * size.y.max(1e-2);
    let corners = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)].map(|(u, v): (f32, f32)| {
        let p = inverse * glam::Vec4::new(u * 2.0 - 1.0, 1.0 - v * 2.0, 0.0, 1.0);
        let p = p.xyz() / p.w;
        Vec3::new(p.x, bounds.min.y + lift, p.z)
    });
    Frame { view, proj, eye, corners }
}

/// The shadow's texels (RGBA8, black, darkness in alpha) from the depth picture the renderer
/// read back (`depth`: RGBA8 rows, red = depth, 255 where nothing was drawn).
pub fn mask(depth: &[u8], width: u32, height: u32, intensity: f32, softness: f32) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let intensity = intensity.clamp(0.0, 1.0);
    let mut dark: Vec<f32> = depth.chunks_exact(4).take(w * h).map(|p| intensity * (1.0 - f32::from(p[0]) / 255.0)).collect();
    dark.resize(w * h, 0.0);
    // Three box blurs approach a Gaussian; the radius grows with the softness.
    let radius = (softness.clamp(0.0, 1.0) * 0.04 * w.max(h) as f32).round() as usize;
    if radius > 0 {
        for _ in 0..3 {
            blur(&mut dark, w, h, radius, 1, w);
            blur(&mut dark, h, w, radius, w, 1);
        }
    }
    dark.iter().flat_map(|&a| [0, 0, 0, (a.clamp(0.0, 1.0) * 255.0).round() as u8]).collect()
}

/// A running box mean of `radius` along lines of `len` values `step` apart; `lines` lines,
/// `stride` apart. Past the edges counts as no shadow.
fn blur(v: &mut [f32], len: usize, lines: usize, radius: usize, step: usize, stride: usize) {
    let mut line = vec![0.0; len];
    let n = (2 * radius + 1) as f32;
    for l in 0..lines {
        let at = |i: usize| l * stride + i * step;
        let mut sum: f32 = (0..=radius.min(len - 1)).map(|i| v[at(i)]).sum();
        for (i, out) in line.iter_mut().enumerate() {
            *out = sum / n;
            if i + radius + 1 < len {
                sum += v[at(i + radius + 1)];
            }
            if i >= radius {
                sum -= v[at(i - radius)];
            }
        }
        for (i, x) in line.iter().enumerate() {
            v[at(i)] = *x;
        }
    }
}

/// The quad that carries the shadow: one primitive, unlit black, its alpha from image 0.
pub fn scene(f: &Frame) -> Scene {
    let positions: Vec<[f32; 3]> = f.corners.iter().map(|c| c.to_array()).collect();
    let (min, max) = f.corners.iter().fold((Vec3::splat(f32::MAX), Vec3::splat(f32::MIN)), |(a, b), c| (a.min(*c), b.max(*c)));
    let primitive = Primitive {
        topology: Topology::Triangles,
        positions,
        normals: vec![[0.0, 1.0, 0.0]; 4],
        tangents: None,
        uv0: Some(vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]),
        uv1: None,
        colors: None,
        indices: Some(vec![0, 1, 2, 0, 2, 3].into()),
        material: Some(0),
        bounds: Aabb { min, max },
        deform: None,
        drawn_triangles: None,
        in_file: Default::default(),
    };
    let sampler = Sampler { mag_linear: true, min_linear: true, mipmap: Some(true), wrap_s: Wrap::ClampToEdge, wrap_t: Wrap::ClampToEdge };
    let material = Material {
        name: Some("shadow".into()),
        base_color: [0.0, 0.0, 0.0, 1.0],
        base_color_texture: Some(TexRef::new(0, 0)),
        unlit: true,
        double_sided: true,
        alpha_mode: AlphaMode::Blend,
        ..Material::default()
    };
    Scene {
        meshes: vec![Mesh { primitives: vec![primitive] }],
        materials: vec![material],
        textures: vec![Some(Texture { image: 0, sampler })],
        images: vec![scene::Image { name: Some("shadow".into()), mime: "image/png".into(), bytes: Vec::new() }],
        nodes: vec![Node { name: Some("shadow".into()), mesh: Some(0), ..Default::default() }],
        scenes: vec![SceneRoot { name: None, nodes: vec![0] }],
        ..Scene::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds() -> Aabb {
        Aabb { min: Vec3::new(-1.0, 2.0, -3.0), max: Vec3::new(3.0, 4.0, 1.0) }
    }

    #[test]
    fn the_camera_looks_up_from_the_ground_and_depth_runs_to_the_top() {
        let f = frame(bounds(), 200, 100);
        let vp = f.proj * f.view;
        let depth = |p: Vec3| vp.project_point3(p).z;
        assert!(depth(Vec3::new(1.0, 2.0, -1.0)).abs() < 0.01, "the ground is depth 0");
        assert!((depth(Vec3::new(1.0, 4.0, -1.0)) - 1.0).abs() < 0.01, "the top is depth 1");
        // The footprint is inside the picture, square on screen.
        for (x, z) in [(-1.0, -3.0), (3.0, 1.0), (-1.0, 1.0), (3.0, -3.0)] {
            let p = vp.project_point3(Vec3::new(x, 3.0, z));
            assert!(p.x.abs() < 0.6 && p.y.abs() < 0.9, "{x},{z}: {p}");
        }
        let a = vp.project_point3(Vec3::new(-1.0, 3.0, -3.0));
        let b = vp.project_point3(Vec3::new(3.0, 3.0, 1.0));
        assert!(((a.x - b.x).abs() * 200.0 - (a.y - b.y).abs() * 100.0).abs() < 1e-2, "square in pixels");
    }

    #[test]
    fn the_quads_uvs_land_where_the_camera_saw() {
        let f = frame(bounds(), 160, 120);
        let vp = f.proj * f.view;
        for (c, (u, v)) in f.corners.iter().zip([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]) {
            let p = vp.project_point3(*c);
            assert!((p.x - (u * 2.0 - 1.0)).abs() < 1e-3 && (p.y - (1.0 - v * 2.0)).abs() < 1e-3, "{c} -> {p}");
            assert!((c.y - 2.0).abs() < 0.01, "on the ground");
        }
        let s = scene(&f);
        assert_eq!(s.materials[0].alpha_mode, AlphaMode::Blend);
        assert!(s.materials[0].unlit && s.meshes[0].primitives[0].triangle_count() == 2);
    }

    #[test]
    fn low_geometry_is_darkest_and_softness_spreads_it() {
        let (w, h) = (40, 40);
        // Nothing drawn (255) but a 10 × 10 block at depth 0 (on the ground) and one at depth
        // 204 (80 % up).
        let mut depth = vec![255u8; w * h * 4];
        for y in 5..15 {
            for x in 5..15 {
                depth[(y * w + x) * 4] = 0;
                depth[(y * w + x + 20) * 4] = 204;
            }
        }
        let alpha = |m: &[u8], x: usize, y: usize| m[(y * w + x) * 4 + 3];
        let sharp = mask(&depth, w as u32, h as u32, 1.0, 0.0);
        assert_eq!((alpha(&sharp, 10, 10), alpha(&sharp, 30, 10), alpha(&sharp, 10, 30)), (255, 51, 0));
        assert!(sharp.chunks_exact(4).all(|p| p[..3] == [0, 0, 0]), "black, darkness in alpha");
        let half = mask(&depth, w as u32, h as u32, 0.5, 0.0);
        assert_eq!(alpha(&half, 10, 10), 128, "intensity scales it");
        let soft = mask(&depth, w as u32, h as u32, 1.0, 1.0);
        assert!(alpha(&soft, 10, 10) < 255 && alpha(&soft, 10, 10) > 150, "the middle stays dark: {}", alpha(&soft, 10, 10));
        assert!(alpha(&soft, 10, 16) > 0 && alpha(&sharp, 10, 16) == 0, "the edge spreads out");
        let total = |m: &[u8]| m.chunks_exact(4).map(|p| u32::from(p[3])).sum::<u32>();
        assert!((total(&soft) as f32 - total(&sharp) as f32).abs() < 0.08 * total(&sharp) as f32, "blurring keeps the darkness");
    }
}
