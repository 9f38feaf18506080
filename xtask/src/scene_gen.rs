//! Generates the demo scene, assets/lakeside.glb: a stylised lakeside scenic area (terrain with
//! hills round a lake, water, a five-tier pagoda on a hill, a pavilion on an island, an arched
//! bridge to it, and trees). Deterministic: the same bytes every run, so a test can check that
//! the committed file is what this code makes.

use std::f32::consts::PI;

use serde_json::{Value, json};

#[derive(Default)]
struct Mesh {
    positions: Vec<[f32; 3]>,
    normals: Vec<[f32; 3]>,
    colors: Vec<[f32; 4]>,
    indices: Vec<u32>,
}

fn sub(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn cross(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}
fn norm(a: [f32; 3]) -> [f32; 3] {
    let l = (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt().max(1e-9);
    [a[0] / l, a[1] / l, a[2] / l]
}

impl Mesh {
    /// A flat-shaded convex polygon (counter-clockwise seen from outside), as a triangle fan.
    fn polygon(&mut self, pts: &[[f32; 3]], color: [f32; 4]) {
        let n = norm(cross(sub(pts[1], pts[0]), sub(pts[2], pts[0])));
        let base = self.positions.len() as u32;
        for &p in pts {
            self.positions.push(p);
            self.normals.push(n);
            self.colors.push(color);
        }
        for k in 1..pts.len() as u32 - 1 {
            self.indices.extend([base, base + k, base + k + 1]);
        }
    }

    fn quad(&mut self, q: [[f32; 3]; 4], color: [f32; 4]) {
        self.polygon(&q, color);
    }

    fn tri(&mut self, t: [[f32; 3]; 3], color: [f32; 4]) {
        self.polygon(&t, color);
    }

    /// A regular prism/frustum around +Y: `sides` faces from radius r0 at y0 to r1 at y1, capped.
    fn frustum(&mut self, sides: usize, r0: f32, r1: f32, y0: f32, y1: f32, rot: f32, color: [f32; 4]) {
        let at = |r: f32, i: usize, y: f32| {
            let a = rot + i as f32 * 2.0 * PI / sides as f32;
            [r * a.cos(), y, -r * a.sin()]
        };
        for i in 0..sides {
            let j = (i + 1) % sides;
            if r1 > 1e-4 {
                self.quad([at(r0, i, y0), at(r0, j, y0), at(r1, j, y1), at(r1, i, y1)], color);
            } else {
                self.tri([at(r0, i, y0), at(r0, j, y0), [0.0, y1, 0.0]], color);
            }
            self.tri([[0.0, y0, 0.0], at(r0, j, y0), at(r0, i, y0)], color);
            if r1 > 1e-4 {
                self.tri([[0.0, y1, 0.0], at(r1, i, y1), at(r1, j, y1)], color);
            }
        }
    }

    fn translated(mut self, d: [f32; 3]) -> Mesh {
        for p in &mut self.positions {
            *p = [p[0] + d[0], p[1] + d[1], p[2] + d[2]];
        }
        self
    }

    fn append(&mut self, other: Mesh) {
        let base = self.positions.len() as u32;
        self.positions.extend(other.positions);
        self.normals.extend(other.normals);
        self.colors.extend(other.colors);
        self.indices.extend(other.indices.into_iter().map(|i| i + base));
    }
}

/// Ground height: rolling hills, a basin holding the lake at y = 0, a hill for the pagoda.
pub fn height(x: f32, z: f32) -> f32 {
    let hills = 3.0 * (x * 0.045).sin() * (z * 0.038).cos() + 2.0 * ((x + z) * 0.02).sin();
    let basin = -9.0 * (-(x * x + (z * 1.4) * (z * 1.4)) / 2600.0).exp();
    let pagoda_hill = 11.0 * (-((x - 62.0).powi(2) + (z + 48.0).powi(2)) / 700.0).exp();
    let island = 7.0 * (-((x + 8.0).powi(2) + (z - 4.0).powi(2)) / 60.0).exp();
    2.5 + hills + basin + pagoda_hill + island
}

fn terrain() -> Mesh {
    let (n, size) = (80usize, 240.0f32);
    let mut m = Mesh::default();
    let at = |i: usize, j: usize| {
        let (x, z) = (-size / 2.0 + size * i as f32 / n as f32, -size / 2.0 + size * j as f32 / n as f32);
        [x, height(x, z), z]
    };
    for i in 0..=n {
        for j in 0..=n {
            let p = at(i, j);
            let e = 0.5;
            let nx = height(p[0] - e, p[2]) - height(p[0] + e, p[2]);
            let nz = height(p[0], p[2] - e) - height(p[0], p[2] + e);
            m.positions.push(p);
            m.normals.push(norm([nx, 2.0 * e, nz]));
            // Sand at the shore, grass above, darker on the heights.
            let c = if p[1] < 0.6 { [0.76, 0.7, 0.5, 1.0] } else if p[1] < 9.0 { [0.33, 0.55, 0.23, 1.0] } else { [0.25, 0.42, 0.2, 1.0] };
            m.colors.push(c);
        }
    }
    let w = (n + 1) as u32;
    for i in 0..n as u32 {
        for j in 0..n as u32 {
            let (a, b, c, d) = (i * w + j, (i + 1) * w + j, (i + 1) * w + j + 1, i * w + j + 1);
            m.indices.extend([a, d, c, a, c, b]);
        }
    }
    m
}

fn water() -> Mesh {
    let mut m = Mesh::default();
    let c = [1.0, 1.0, 1.0, 1.0];
    m.frustum(48, 70.0, 0.0, 0.0, 0.0, 0.0, c);
    // Keep only the upward-facing cap: the frustum helper's top face.
    let keep: Vec<usize> = (0..m.indices.len() / 3).filter(|t| m.normals[m.indices[t * 3] as usize][1] > 0.5).collect();
    let indices = keep.iter().flat_map(|t| m.indices[t * 3..t * 3 + 3].to_vec()).collect();
    m.indices = indices;
    m.translated([0.0, 0.05, 0.0])
}

const RED: [f32; 4] = [0.62, 0.12, 0.09, 1.0];
const ROOF: [f32; 4] = [0.16, 0.22, 0.24, 1.0];
const STONE: [f32; 4] = [0.62, 0.6, 0.56, 1.0];
const GOLD: [f32; 4] = [0.85, 0.65, 0.2, 1.0];

fn pagoda() -> Mesh {
    let mut m = Mesh::default();
    m.frustum(8, 7.0, 7.0, 0.0, 1.2, PI / 8.0, STONE);
    let mut y = 1.2;
    for tier in 0..5 {
        let r = 4.2 - tier as f32 * 0.55;
        let h = 3.2 - tier as f32 * 0.25;
        m.append(Mesh::default().tap(|t| t.frustum(8, r, r * 0.95, y, y + h, PI / 8.0, RED)));
        y += h;
        m.append(Mesh::default().tap(|t| t.frustum(8, r + 2.2, r * 0.7, y, y + 1.1, PI / 8.0, ROOF)));
        y += 1.1;
    }
    m.append(Mesh::default().tap(|t| t.frustum(8, 0.35, 0.0, y, y + 3.5, 0.0, GOLD)));
    m
}

fn pavilion() -> Mesh {
    let mut m = Mesh::default();
    m.frustum(6, 4.0, 4.0, 0.0, 0.6, 0.0, STONE);
    for i in 0..6 {
        let a = i as f32 * PI / 3.0;
        let p = Mesh::default().tap(|t| t.frustum(6, 0.25, 0.25, 0.6, 4.2, 0.0, RED));
        m.append(p.translated([3.2 * a.cos(), 0.0, -3.2 * a.sin()]));
    }
    m.append(Mesh::default().tap(|t| t.frustum(6, 5.6, 0.0, 4.2, 7.0, 0.0, ROOF)));
    m
}

/// An arched stone bridge along +X, `len` long, from x = 0.
fn bridge(len: f32) -> Mesh {
    let mut m = Mesh::default();
    let steps = 24;
    let w = 2.4;
    let arch = |x: f32| 3.2 * (PI * x / len).sin();
    for s in 0..steps {
        let (x0, x1) = (len * s as f32 / steps as f32, len * (s + 1) as f32 / steps as f32);
        let (y0, y1) = (arch(x0) + 0.6, arch(x1) + 0.6);
        let (b0, b1) = (arch(x0) - 0.2, arch(x1) - 0.2);
        m.quad([[x0, y0, w], [x1, y1, w], [x1, y1, -w], [x0, y0, -w]], STONE);
        m.quad([[x0, b0, -w], [x1, b1, -w], [x1, b1, w], [x0, b0, w]], STONE);
        m.quad([[x0, b0, w], [x1, b1, w], [x1, y1 + 0.9, w], [x0, y0 + 0.9, w]], STONE);
        m.quad([[x1, b1, -w], [x0, b0, -w], [x0, y0 + 0.9, -w], [x1, y1 + 0.9, -w]], STONE);
    }
    m
}

fn tree() -> Mesh {
    let mut m = Mesh::default();
    m.frustum(6, 0.35, 0.25, 0.0, 2.2, 0.0, [0.4, 0.26, 0.14, 1.0]);
    m.append(Mesh::default().tap(|t| t.frustum(8, 2.2, 0.0, 1.6, 5.5, 0.0, [0.16, 0.4, 0.18, 1.0])));
    m.append(Mesh::default().tap(|t| t.frustum(8, 1.6, 0.0, 3.6, 7.2, 0.3, [0.2, 0.47, 0.21, 1.0])));
    m
}

trait Tap: Sized {
    fn tap(self, f: impl FnOnce(&mut Self)) -> Self;
}
impl Tap for Mesh {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}

/// Small deterministic hash for scattering trees.
fn hash(i: u32) -> f32 {
    let mut x = i.wrapping_mul(0x9E37_79B9) ^ 0x85EB_CA6B;
    x ^= x >> 15;
    x = x.wrapping_mul(0x2C1B_3C6D);
    x ^= x >> 12;
    (x & 0xFFFF) as f32 / 65535.0
}

struct Builder {
    bin: Vec<u8>,
    views: Vec<Value>,
    accessors: Vec<Value>,
}

impl Builder {
    fn push(&mut self, bytes: &[u8], target: u32) -> usize {
        while self.bin.len() % 4 != 0 {
            self.bin.push(0);
        }
        self.views.push(json!({"buffer": 0, "byteOffset": self.bin.len(), "byteLength": bytes.len(), "target": target}));
        self.bin.extend_from_slice(bytes);
        self.views.len() - 1
    }

    fn floats<const N: usize>(&mut self, data: &[[f32; N]], ty: &str, bounds: bool) -> usize {
        let bytes: Vec<u8> = data.iter().flatten().flat_map(|f| f.to_le_bytes()).collect();
        let view = self.push(&bytes, 34962);
        let mut acc = json!({"bufferView": view, "componentType": 5126, "count": data.len(), "type": ty});
        if bounds {
            let min: Vec<f32> = (0..N).map(|k| data.iter().map(|v| v[k]).fold(f32::INFINITY, f32::min)).collect();
            let max: Vec<f32> = (0..N).map(|k| data.iter().map(|v| v[k]).fold(f32::NEG_INFINITY, f32::max)).collect();
            acc["min"] = json!(min);
            acc["max"] = json!(max);
        }
        self.accessors.push(acc);
        self.accessors.len() - 1
    }

    /// The GLB of `doc` (everything but the buffer tables, which come from this builder).
    fn finish(self, mut doc: Value) -> Vec<u8> {
        doc["accessors"] = json!(self.accessors);
        doc["bufferViews"] = json!(self.views);
        doc["buffers"] = json!([{"byteLength": self.bin.len()}]);
        pack_glb(&doc, self.bin)
    }

    fn mesh(&mut self, m: &Mesh, material: usize, name: &str) -> Value {
        let pos = self.floats(&m.positions, "VEC3", true);
        let nrm = self.floats(&m.normals, "VEC3", false);
        let col = self.floats(&m.colors, "VEC4", false);
        let bytes: Vec<u8> = m.indices.iter().flat_map(|i| i.to_le_bytes()).collect();
        let view = self.push(&bytes, 34963);
        self.accessors.push(json!({"bufferView": view, "componentType": 5125, "count": m.indices.len(), "type": "SCALAR"}));
        let idx = self.accessors.len() - 1;
        json!({"name": name, "primitives": [{"attributes": {"POSITION": pos, "NORMAL": nrm, "COLOR_0": col}, "indices": idx, "material": material}]})
    }
}

pub fn glb() -> Vec<u8> {
    let mut b = Builder { bin: Vec::new(), views: Vec::new(), accessors: Vec::new() };
    let materials = json!([
        {"name": "ground", "pbrMetallicRoughness": {"baseColorFactor": [1, 1, 1, 1], "metallicFactor": 0, "roughnessFactor": 0.95}},
        {"name": "water", "alphaMode": "BLEND", "doubleSided": true,
         "pbrMetallicRoughness": {"baseColorFactor": [0.12, 0.35, 0.45, 0.78], "metallicFactor": 0, "roughnessFactor": 0.08}},
        {"name": "painted wood and tile", "pbrMetallicRoughness": {"baseColorFactor": [1, 1, 1, 1], "metallicFactor": 0, "roughnessFactor": 0.7}},
        {"name": "foliage", "pbrMetallicRoughness": {"baseColorFactor": [1, 1, 1, 1], "metallicFactor": 0, "roughnessFactor": 0.85}}
    ]);
    let bridge_len = 34.0;
    let meshes = vec![
        b.mesh(&terrain(), 0, "terrain"),
        b.mesh(&water(), 1, "lake"),
        b.mesh(&pagoda(), 2, "pagoda"),
        b.mesh(&pavilion(), 2, "pavilion"),
        b.mesh(&bridge(bridge_len), 2, "bridge"),
        b.mesh(&tree(), 3, "tree"),
    ];
    let mut nodes = vec![
        json!({"name": "Terrain", "mesh": 0}),
        json!({"name": "Lake 湖", "mesh": 1}),
        json!({"name": "Pagoda 塔", "mesh": 2, "translation": [62.0, height(62.0, -48.0) - 0.5, -48.0]}),
        json!({"name": "Pavilion 亭", "mesh": 3, "translation": [-8.0, height(-8.0, 4.0) - 0.3, 4.0]}),
        json!({"name": "Bridge 桥", "mesh": 4, "translation": [-8.0 + 4.0, 0.0, 4.0]}),
    ];
    let mut trees = Vec::new();
    let mut i = 0u32;
    while trees.len() < 90 && i < 2000 {
        let (x, z) = (-110.0 + 220.0 * hash(i * 2), -110.0 + 220.0 * hash(i * 2 + 1));
        i += 1;
        let y = height(x, z);
        let near_pagoda = (x - 62.0).powi(2) + (z + 48.0).powi(2) < 120.0;
        if y < 1.2 || near_pagoda {
            continue;
        }
        let s = 0.8 + 0.6 * hash(i + 7000);
        trees.push(nodes.len() + 1 + trees.len());
        let yaw = hash(i + 9000) * PI;
        nodes.push(json!({"name": format!("Tree {}", trees.len()), "mesh": 5, "translation": [x, y - 0.2, z],
            "rotation": [0.0, (yaw / 2.0).sin(), 0.0, (yaw / 2.0).cos()], "scale": [s, s, s]}));
    }
    // Trees hang under one group node, so the file exercises a node hierarchy.
    let group = nodes.len();
    let children: Vec<usize> = (group - trees.len()..group).collect();
    nodes.push(json!({"name": "Trees", "children": children}));
    let doc = json!({
        "asset": {"version": "2.0", "generator": "Scenic xtask gen-scene", "copyright": "Scenic project, CC0"},
        "scene": 0,
        "scenes": [{"name": "Lakeside 湖畔", "nodes": [0, 1, 2, 3, 4, group]}],
        "nodes": nodes,
        "meshes": meshes,
        "materials": materials,
        "cameras": [{"name": "Overlook 观景台", "type": "perspective", "perspective": {"yfov": 0.8, "znear": 0.5, "zfar": 1000.0}}],
    });
    let mut doc = doc;
    // A viewpoint camera on the pagoda hill looking over the lake.
    let cam = doc["nodes"].as_array().unwrap().len();
    doc["nodes"].as_array_mut().unwrap().push(json!({"name": "Overlook 观景台", "camera": 0,
        "translation": [70.0, 40.0, -70.0], "rotation": quat_look(-0.75, 0.33)}));
    doc["scenes"][0]["nodes"].as_array_mut().unwrap().push(json!(cam));
    b.finish(doc)
}

/// A wall of `cols` × `rows` panels (alternating wall and window colours), from `a` along `u`
/// and up `v`; counter-clockwise seen from the side `u × v` points to.
fn panel_wall(m: &mut Mesh, a: [f32; 3], u: [f32; 3], v: [f32; 3], cols: usize, rows: usize, wall: [f32; 4], glass: [f32; 4]) {
    let at = |i: usize, j: usize| {
        let (fu, fv) = (i as f32 / cols as f32, j as f32 / rows as f32);
        [a[0] + u[0] * fu + v[0] * fv, a[1] + u[1] * fu + v[1] * fv, a[2] + u[2] * fu + v[2] * fv]
    };
    for j in 0..rows {
        for i in 0..cols {
            let c = if (i + j) % 2 == 1 && j > 0 { glass } else { wall };
            m.quad([at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)], c);
        }
    }
}

/// An office block: four panelled walls (`cols` × `rows` panels each) and a flat roof.
fn block(w: f32, d: f32, h: f32, cols: usize, rows: usize, wall: [f32; 4]) -> Mesh {
    let mut m = Mesh::default();
    let glass = [0.35, 0.5, 0.62, 1.0];
    let (x0, x1, z0, z1) = (-w / 2.0, w / 2.0, -d / 2.0, d / 2.0);
    let up = [0.0, h, 0.0];
    panel_wall(&mut m, [x0, 0.0, z1], [w, 0.0, 0.0], up, cols, rows, wall, glass);
    panel_wall(&mut m, [x1, 0.0, z1], [0.0, 0.0, -d], up, cols, rows, wall, glass);
    panel_wall(&mut m, [x1, 0.0, z0], [-w, 0.0, 0.0], up, cols, rows, wall, glass);
    panel_wall(&mut m, [x0, 0.0, z0], [0.0, 0.0, d], up, cols, rows, wall, glass);
    m.quad([[x0, h, z1], [x1, h, z1], [x1, h, z0], [x0, h, z0]], [0.45, 0.43, 0.4, 1.0]);
    m
}

/// A round-crowned tree: a trunk and a finely tessellated sphere (smooth normals).
fn round_tree(slices: usize, stacks: usize) -> Mesh {
    let mut m = Mesh::default();
    m.frustum(8, 0.4, 0.3, 0.0, 3.0, 0.0, [0.4, 0.26, 0.14, 1.0]);
    let (r, cy) = (2.6, 5.0);
    let base = m.positions.len() as u32;
    for j in 0..=stacks {
        let phi = PI * j as f32 / stacks as f32;
        for i in 0..=slices {
            let th = 2.0 * PI * i as f32 / slices as f32;
            let n = [phi.sin() * th.cos(), phi.cos(), -phi.sin() * th.sin()];
            m.positions.push([n[0] * r, cy + n[1] * r * 0.9, n[2] * r]);
            m.normals.push(n);
            m.colors.push([0.18, 0.42 + 0.08 * (j % 2) as f32, 0.2, 1.0]);
        }
    }
    let row = slices as u32 + 1;
    for j in 0..stacks as u32 {
        for i in 0..slices as u32 {
            let (a, b) = (base + j * row + i, base + (j + 1) * row + i);
            m.indices.extend([a, b, a + 1, a + 1, b, b + 1]);
        }
    }
    m
}

/// The benchmark's large scene: a town of 16 × 16 lots, each an office block or a tree (four
/// meshes of ~4,700 triangles, reused by 256 nodes) on a ground plane: about 1.2 million
/// triangles in 257 draws from a small file. Written by `cargo xtask bench` into target/bench/.
pub fn town_glb() -> Vec<u8> {
    let mut b = Builder { bin: Vec::new(), views: Vec::new(), accessors: Vec::new() };
    let materials = json!([
        {"name": "ground", "pbrMetallicRoughness": {"baseColorFactor": [1, 1, 1, 1], "metallicFactor": 0, "roughnessFactor": 0.95}},
        {"name": "facade", "pbrMetallicRoughness": {"baseColorFactor": [1, 1, 1, 1], "metallicFactor": 0.1, "roughnessFactor": 0.5}},
        {"name": "foliage", "pbrMetallicRoughness": {"baseColorFactor": [1, 1, 1, 1], "metallicFactor": 0, "roughnessFactor": 0.85}}
    ]);
    let lot = 24.0;
    let half = lot * 8.0;
    let mut ground = Mesh::default();
    ground.quad([[-half, 0.0, half], [half, 0.0, half], [half, 0.0, -half], [-half, 0.0, -half]], [0.42, 0.44, 0.4, 1.0]);
    let meshes = vec![
        b.mesh(&ground, 0, "ground"),
        b.mesh(&block(14.0, 12.0, 40.0, 20, 29, [0.75, 0.72, 0.66, 1.0]), 1, "tower"),
        b.mesh(&block(18.0, 16.0, 22.0, 24, 24, [0.7, 0.55, 0.45, 1.0]), 1, "block"),
        b.mesh(&round_tree(56, 40), 2, "tree"),
        b.mesh(&block(10.0, 10.0, 30.0, 17, 34, [0.6, 0.66, 0.72, 1.0]), 1, "slab"),
    ];
    let mut nodes = vec![json!({"name": "Ground", "mesh": 0})];
    for gz in 0..16u32 {
        for gx in 0..16u32 {
            let i = gz * 16 + gx;
            let (x, z) = (-half + lot * (gx as f32 + 0.5), -half + lot * (gz as f32 + 0.5));
            let mesh = 1 + (hash(i * 3 + 11) * 3.999) as usize % 4;
            let yaw = (hash(i * 3 + 12) * 4.0).floor() * PI / 2.0;
            nodes.push(json!({"name": format!("Lot {gx},{gz}"), "mesh": mesh, "translation": [x, 0.0, z],
                "rotation": [0.0, (yaw / 2.0).sin(), 0.0, (yaw / 2.0).cos()]}));
        }
    }
    let roots: Vec<usize> = (0..nodes.len()).collect();
    let doc = json!({
        "asset": {"version": "2.0", "generator": "Scenic xtask bench (town)", "copyright": "Scenic project, CC0"},
        "scene": 0,
        "scenes": [{"name": "Town", "nodes": roots}],
        "nodes": nodes,
        "meshes": meshes,
        "materials": materials,
    });
    b.finish(doc)
}

pub fn pack_glb(doc: &Value, bin: Vec<u8>) -> Vec<u8> {
    let mut json_bytes = serde_json::to_vec(doc).unwrap();
    while json_bytes.len() % 4 != 0 {
        json_bytes.push(b' ');
    }
    let mut bin = bin;
    while bin.len() % 4 != 0 {
        bin.push(0);
    }
    let total = 12 + 8 + json_bytes.len() + 8 + bin.len();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&(json_bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(&json_bytes);
    out.extend_from_slice(&(bin.len() as u32).to_le_bytes());
    out.extend_from_slice(b"BIN\0");
    out.extend_from_slice(&bin);
    out
}

/// A plain map of the Ningbo area for the city's real scenic spots: an 80 km ground square with
/// a 10 km checker for scale, geo-referenced at the city centre (121.55° E, 29.87° N) through
/// `extras.geoReference`, so POIs given in WGS84 land at their true relative places.
pub fn ningbo_glb() -> Vec<u8> {
    let mut b = Builder { bin: Vec::new(), views: Vec::new(), accessors: Vec::new() };
    let mut ground = Mesh::default();
    let (cells, size) = (8, 80_000.0f32);
    for i in 0..cells {
        for j in 0..cells {
            let (x0, z0) = (-size / 2.0 + size * i as f32 / cells as f32, -size / 2.0 + size * j as f32 / cells as f32);
            let (x1, z1) = (x0 + size / cells as f32, z0 + size / cells as f32);
            let c = if (i + j) % 2 == 0 { [0.55, 0.66, 0.45, 1.0] } else { [0.5, 0.62, 0.41, 1.0] };
            ground.quad([[x0, 0.0, z1], [x1, 0.0, z1], [x1, 0.0, z0], [x0, 0.0, z0]], c);
        }
    }
    let materials = json!([{"name": "ground", "pbrMetallicRoughness": {"baseColorFactor": [1, 1, 1, 1], "metallicFactor": 0, "roughnessFactor": 1}}]);
    let meshes = vec![b.mesh(&ground, 0, "ground")];
    let doc = json!({
        "asset": {"version": "2.0", "generator": "Scenic xtask gen-scene", "copyright": "Scenic project, CC0",
                  "extras": {"geoReference": {"longitude": 121.55, "latitude": 29.87, "height": 0.0, "heading": 0.0}}},
        "scene": 0,
        "scenes": [{"name": "Ningbo 宁波", "nodes": [0]}],
        "nodes": [{"name": "Ground", "mesh": 0}],
        "meshes": meshes,
        "materials": materials,
    });
    b.finish(doc)
}

/// The demo POIs (GeoJSON with scene positions), one or more of every category.
pub fn pois() -> Vec<u8> {
    let on_ground = |x: f32, z: f32, lift: f32| [x, height(x, z) + lift, z];
    let pagoda_top = 62.0f32;
    let spots: Vec<(&str, &str, &str, &str, [f32; 3], i32, &str)> = vec![
        ("pagoda", "湖心塔", "Lakeside Pagoda", "attraction", [pagoda_top, height(62.0, -48.0) + 27.0, -48.0], 10, "五层木塔，登顶可远眺全湖。Five-tier pagoda; the top floor looks over the whole lake."),
        ("pavilion", "湖心亭", "Island Pavilion", "attraction", on_ground(-8.0, 4.0, 7.5), 9, "湖中小岛上的六角亭。A hexagonal pavilion on the island."),
        ("bridge", "玉带桥", "Jade Belt Bridge", "attraction", [9.0, 4.5, 4.0], 8, "连接湖岸与小岛的石拱桥。Stone arch bridge to the island."),
        ("overlook", "观景台", "Hilltop Viewpoint", "viewpoint", on_ground(70.0, -70.0, 1.0), 7, "日出时分最佳。Best at sunrise."),
        ("museum", "湖区博物馆", "Lake Museum", "museum", on_ground(-60.0, 55.0, 3.0), 6, "介绍湖区历史与民俗。Local history and customs."),
        ("gallery", "山水画廊", "Landscape Gallery", "gallery", on_ground(-75.0, 40.0, 3.0), 4, "当代山水画展。Contemporary landscape painting."),
        ("crane", "鹤舞雕塑", "Dancing Cranes", "artwork", on_ground(40.0, 60.0, 2.0), 3, "湖畔铜雕。Bronze sculpture by the shore."),
        ("info", "游客中心", "Visitor Centre", "information", on_ground(-90.0, 80.0, 3.0), 5, "咨询、寄存、轮椅借用。Questions, lockers, wheelchairs."),
        ("wc-east", "东岸洗手间", "Toilets (east shore)", "toilets", on_ground(85.0, 20.0, 2.0), 2, ""),
        ("wc-west", "西岸洗手间", "Toilets (west shore)", "toilets", on_ground(-85.0, -20.0, 2.0), 2, ""),
        ("tickets", "售票处", "Ticket Office", "ticket_office", on_ground(-95.0, 95.0, 2.5), 6, "现场购票或扫码入园。Buy on site or scan to enter."),
        ("gate", "南大门", "South Gate", "entrance", on_ground(-100.0, 100.0, 3.0), 7, ""),
        ("parking", "停车场", "Car Park", "parking", on_ground(-105.0, 70.0, 1.5), 1, ""),
        ("teahouse", "湖畔茶馆", "Lakeside Teahouse", "food", on_ground(30.0, -70.0, 2.5), 4, "龙井茶与点心。Longjing tea and snacks."),
    ];
    let features: Vec<Value> = spots
        .into_iter()
        .map(|(id, zh, en, category, pos, priority, desc)| {
            let mut props = json!({"id": id, "name": {"zh": zh, "en": en}, "category": category, "priority": priority, "position": pos});
            if !desc.is_empty() {
                let (dzh, den) = desc.split_once('。').map_or((desc, desc), |(a, b)| (a, b.trim()));
                props["description"] = json!({"zh": format!("{dzh}。"), "en": den});
            }
            if category == "ticket_office" || id == "pagoda" {
                props["opening_hours"] = json!("08:00-17:30");
            }
            json!({"type": "Feature", "id": id, "geometry": null, "properties": props})
        })
        .collect();
    let mut out = serde_json::to_vec_pretty(&json!({"type": "FeatureCollection", "features": features})).unwrap();
    out.push(b'\n');
    out
}

/// The lakeside's guided tour, assets/lakeside-tour.jsonld: a schema.org TouristTrip whose
/// itinerary names the demo POIs by id, with narration in Chinese and English (JSON-LD
/// language-tagged values) and a view per stop.
pub fn tour() -> Vec<u8> {
    let lang = |zh: &str, en: &str| json!([{"@language": "zh", "@value": zh}, {"@language": "en", "@value": en}]);
    // (POI id, narration zh, narration en, pitch°, distance m)
    let stops = [
        ("gate", "欢迎来到湖区。从南大门出发，沿湖岸向北，先去游客中心。", "Welcome to the lake. From the South Gate the path follows the shore north, past the Visitor Centre.", 25.0, 45.0),
        ("museum", "湖区博物馆讲述千年水乡的历史与民俗。", "The Lake Museum tells the thousand-year story of the water town and its customs.", 20.0, 40.0),
        ("bridge", "玉带桥连接湖岸与小岛，桥拱倒映水中，宛如满月。", "The Jade Belt Bridge joins the shore to the island; its arch and reflection make a full moon.", 18.0, 35.0),
        ("pavilion", "湖心亭是赏湖的最佳位置，四面环水。", "The Island Pavilion stands with water on every side: the best seat on the lake.", 22.0, 35.0),
        ("pagoda", "湖心塔共五层，登顶可远眺全湖与群山。", "The Lakeside Pagoda has five tiers; from the top you see the whole lake and the hills.", 15.0, 70.0),
        ("overlook", "终点观景台，日出时分最美。感谢您的游览！", "The tour ends at the Hilltop Viewpoint, finest at sunrise. Thank you for visiting!", 30.0, 60.0),
    ];
    let pois: Value = serde_json::from_slice(&pois()).unwrap();
    let position = |id: &str| -> [f64; 3] {
        let f = pois["features"].as_array().unwrap().iter().find(|f| f["id"] == id).unwrap();
        let p = &f["properties"]["position"];
        [0, 1, 2].map(|i| p[i].as_f64().unwrap())
    };
    let items: Vec<Value> = stops
        .iter()
        .enumerate()
        .map(|(i, (id, zh, en, pitch, distance))| {
            // Look in towards the lake from the stop's outer side (yaw as `camera-orbit` has it).
            let [x, _, z] = position(id);
            let heading = (x.atan2(z).to_degrees().rem_euclid(360.0) * 10.0).round() / 10.0;
            json!({"@type": "ListItem", "position": i + 1, "item": {"@id": id}, "description": lang(zh, en), "heading": heading, "pitch": pitch, "distance": distance})
        })
        .collect();
    let trip = json!({
        "@context": "https://schema.org",
        "@type": "TouristTrip",
        "@id": "lakeside-classic",
        "name": lang("环湖经典游", "The classic lakeside walk"),
        "description": lang("六站，约一小时。", "Six stops, about an hour."),
        "touristType": ["Cultural tourism"],
        "itinerary": {"@type": "ItemList", "numberOfItems": items.len(), "itemListElement": items},
    });
    let mut out = serde_json::to_vec_pretty(&trip).unwrap();
    out.push(b'\n');
    out
}

/// Quaternion for a camera turned `yaw` about +Y, then pitched down by `pitch` (radians).
fn quat_look(yaw: f32, pitch: f32) -> [f32; 4] {
    let (sy, cy) = (yaw / 2.0).sin_cos();
    let (sp, cp) = (-pitch / 2.0).sin_cos();
    // q = q_yaw * q_pitch
    [cy * sp, sy * cp, -sy * sp, cy * cp]
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_demo_scene_is_what_the_generator_makes() {
        let committed = std::fs::read(crate::root().join("assets/lakeside.glb")).expect("assets/lakeside.glb");
        assert!(committed == super::glb(), "assets/lakeside.glb is stale: run `cargo xtask gen-scene`");
    }

    #[test]
    fn committed_demo_tour_is_what_the_generator_makes_and_visits_demo_pois() {
        let committed = std::fs::read(crate::root().join("assets/lakeside-tour.jsonld")).expect("assets/lakeside-tour.jsonld");
        assert!(committed == super::tour(), "assets/lakeside-tour.jsonld is stale: run `cargo xtask gen-scene`");
        let read = scenic::tour::parse(&committed, Default::default()).unwrap();
        assert!(read.skipped.is_empty(), "{:?}", read.skipped);
        let pois = scenic::poi::parse(&super::pois(), Default::default()).unwrap().pois;
        for stop in &read.tour.stops {
            assert!(pois.iter().any(|p| Some(&p.id) == stop.poi.as_ref()), "{:?}", stop.poi);
            assert!(stop.text.text("zh").is_some() && stop.text.text("en").is_some());
        }
    }

    #[test]
    fn committed_demo_pois_are_what_the_generator_makes_and_use_every_category() {
        let committed = std::fs::read(crate::root().join("assets/lakeside-pois.geojson")).expect("assets/lakeside-pois.geojson");
        assert!(committed == super::pois(), "assets/lakeside-pois.geojson is stale: run `cargo xtask gen-scene`");
        let page = scenic::poi::parse(&committed, Default::default()).unwrap();
        assert!(page.skipped.is_empty(), "{:?}", page.skipped);
        for c in scenic::poi::Category::ALL.iter().filter(|c| **c != scenic::poi::Category::Other) {
            assert!(page.pois.iter().any(|p| p.category == *c), "{c:?} unused");
        }
        assert!(page.pois.iter().all(|p| p.name.text("zh").is_some() && p.name.text("en").is_some()));
    }

    #[test]
    fn ningbo_map_is_current_and_geo_referenced() {
        let committed = std::fs::read(crate::root().join("assets/ningbo.glb")).expect("assets/ningbo.glb");
        assert!(committed == super::ningbo_glb(), "assets/ningbo.glb is stale: run `cargo xtask gen-scene`");
        let loaded = scenic::gltf::build(scenic::gltf::parse(&committed).unwrap(), Default::default()).unwrap();
        let g = loaded.scene.geo_reference.expect("geoReference");
        assert_eq!((g.lon, g.lat), (121.55, 29.87));
    }

    #[test]
    fn town_is_a_million_triangles_in_over_200_draws() {
        let loaded = scenic::gltf::build(scenic::gltf::parse(&super::town_glb()).unwrap(), Default::default()).unwrap();
        let scene = &loaded.scene;
        let (instances, _) = scene.flatten(0);
        let draws: usize = instances.iter().map(|i| scene.meshes[i.mesh].primitives.len()).sum();
        let triangles: usize = instances.iter().flat_map(|i| &scene.meshes[i.mesh].primitives).map(|p| p.indices.as_ref().map_or(p.positions.len(), scenic::scene::Indices::len) / 3).sum();
        assert!(draws > 200, "{draws} draws");
        assert!(triangles > 1_000_000, "{triangles} triangles");
    }

    #[test]
    fn demo_scene_loads_with_its_parts() {
        let parsed = scenic::gltf::parse(&super::glb()).unwrap();
        let loaded = scenic::gltf::build(parsed, Default::default()).unwrap();
        assert!(loaded.report.warnings.is_empty(), "{:?}", loaded.report.warnings);
        let s = &loaded.scene;
        let names: Vec<_> = s.nodes.iter().filter_map(|n| n.name.as_deref()).collect();
        for part in ["Lake 湖", "Pagoda 塔", "Pavilion 亭", "Bridge 桥", "Trees"] {
            assert!(names.contains(&part), "{part} missing");
        }
        let (instances, cameras) = s.flatten(0);
        assert!(instances.len() > 80, "{} instances", instances.len());
        assert_eq!(cameras.len(), 1);
        // The lake sits in the basin: water level 0, ground below it at the centre.
        assert!(super::height(0.0, 0.0) < 0.0 && super::height(62.0, -48.0) > 8.0);
        let b = s.bounds(0);
        assert!(b.max.x - b.min.x > 200.0 && b.max.y > 20.0, "{b:?}");
    }
}
