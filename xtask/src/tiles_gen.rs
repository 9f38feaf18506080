//! Generates the 3D Tiles sample for tests and the tiles benchmark (issue 16): an 8 km square of
//! mountains round a valley with a town of ~900 buildings at its centre, as a six-level quadtree
//! (1,365 tiles, 1,024 leaves; 21M triangles at full detail) of GLB tiles with REPLACE
//! refinement. Every tile is the terrain at its own resolution (a 100 × 100 grid of cells, with
//! skirts that hide the cracks between neighbours of different levels) plus the buildings
//! standing in it. Local metres, z up, no geo-reference. Deterministic; made at test or benchmark
//! time into target/ (~420 MB), never committed.

use std::path::Path;

use serde_json::{Value, json};

use crate::Result;

/// Levels of the quadtree (root = 0), cells per tile side, side of the whole square in metres.
pub const LEVELS: u32 = 6;
const GRID: usize = 100;
pub const SIZE: f64 = 8192.0;
/// Written beside the tileset; a changed generator bumps it, so old output is made again.
const STAMP: &str = "terrain v2";

fn smoothstep(a: f64, b: f64, x: f64) -> f64 {
    let t = ((x - a) / (b - a)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Ground height: a flat town at the centre, mountains rising round it, detail down to ~7 m.
pub fn height(x: f64, y: f64) -> f64 {
    let r = (x * x + y * y).sqrt();
    let mut n = 0.0;
    for k in 0..11 {
        let (f, a, th) = (0.0009 * 2f64.powi(k), 150.0 / 1.9f64.powi(k), 0.7 * k as f64);
        n += a * (f * (x * th.cos() + y * th.sin()) + k as f64).sin() * (f * (y * th.cos() - x * th.sin()) + 0.5 * k as f64).cos();
    }
    let mountains = 380.0 * smoothstep(900.0, 3800.0, r) + n;
    20.0 + smoothstep(650.0, 1100.0, r) * (mountains + 150.0)
}

/// Small deterministic hash in [0, 1].
fn hash(i: u32) -> f64 {
    let mut x = i.wrapping_mul(0x9E37_79B9) ^ 0x85EB_CA6B;
    x ^= x >> 15;
    x = x.wrapping_mul(0x2C1B_3C6D);
    x ^= x >> 12;
    f64::from(x & 0xFFFF) / 65535.0
}

/// The town's buildings: (centre x, y, half width, half depth, height), on a 30 m street grid.
fn buildings() -> Vec<[f64; 5]> {
    let mut out = Vec::new();
    for bx in -20i32..20 {
        for by in -20i32..20 {
            let (x, y) = (f64::from(bx) * 30.0 + 15.0, f64::from(by) * 30.0 + 15.0);
            let i = ((bx + 20) * 40 + by + 20) as u32;
            if (x * x + y * y).sqrt() > 600.0 || hash(i) < 0.3 {
                continue;
            }
            let tall = 1.0 - (x * x + y * y).sqrt() / 600.0;
            out.push([x, y, 5.0 + 5.0 * hash(i + 5000), 5.0 + 5.0 * hash(i + 9000), 6.0 + (10.0 + 40.0 * tall) * hash(i + 13000)]);
        }
    }
    out
}

/// A tile's square: origin and side.
fn square(level: u32, x: u32, y: u32) -> (f64, f64, f64) {
    let s = SIZE / f64::from(1u32 << level);
    (-SIZE / 2.0 + f64::from(x) * s, -SIZE / 2.0 + f64::from(y) * s, s)
}

#[derive(Default)]
struct Mesh {
    /// World positions (z up) and normals, RGB colours.
    pos: Vec<[f64; 3]>,
    nrm: Vec<[f64; 3]>,
    col: Vec<[u8; 3]>,
    idx: Vec<u32>,
}

fn ground_colour(z: f64, nz: f64, r: f64) -> [u8; 3] {
    if r < 640.0 {
        [158, 152, 140]
    } else if z > 560.0 && nz > 0.75 {
        [235, 238, 242]
    } else if nz < 0.8 {
        [122, 114, 104]
    } else {
        [84 + (z / 12.0).min(40.0) as u8, 122, 62]
    }
}

fn tile_mesh(level: u32, x: u32, y: u32, town: &[[f64; 5]]) -> Mesh {
    let (x0, y0, s) = square(level, x, y);
    let step = s / GRID as f64;
    let n = GRID + 1;
    // Heights with a ring of one more sample round the grid, for central-difference normals.
    let h: Vec<f64> = (0..n + 2).flat_map(|j| (0..n + 2).map(move |i| (i, j))).map(|(i, j)| height(x0 + (i as f64 - 1.0) * step, y0 + (j as f64 - 1.0) * step)).collect();
    let at = |i: usize, j: usize| h[(j + 1) * (n + 2) + i + 1];
    let mut m = Mesh::default();
    for j in 0..n {
        for i in 0..n {
            let (px, py, pz) = (x0 + i as f64 * step, y0 + j as f64 * step, at(i, j));
            let (dx, dy) = ((h[(j + 1) * (n + 2) + i + 2] - h[(j + 1) * (n + 2) + i]) / (2.0 * step), (h[(j + 2) * (n + 2) + i + 1] - h[j * (n + 2) + i + 1]) / (2.0 * step));
            let l = (dx * dx + dy * dy + 1.0).sqrt();
            let nrm = [-dx / l, -dy / l, 1.0 / l];
            m.pos.push([px, py, pz]);
            m.nrm.push(nrm);
            m.col.push(ground_colour(pz, nrm[2], (px * px + py * py).sqrt()));
        }
    }
    for j in 0..GRID as u32 {
        for i in 0..GRID as u32 {
            let v = j * n as u32 + i;
            m.idx.extend([v, v + 1, v + n as u32, v + 1, v + n as u32 + 1, v + n as u32]);
        }
    }
    // Skirts: each edge again, hanging down, joined to the edge.
    let depth = step * 3.0;
    let edges: [Vec<u32>; 4] = [
        (0..n as u32).collect(),
        (0..n as u32).map(|i| (n as u32 - 1) * n as u32 + i).rev().collect(),
        (0..n as u32).map(|j| j * n as u32).rev().collect(),
        (0..n as u32).map(|j| j * n as u32 + n as u32 - 1).collect(),
    ];
    for (e, edge) in edges.iter().enumerate() {
        let base = m.pos.len() as u32;
        for &v in edge {
            let p = m.pos[v as usize];
            m.pos.push([p[0], p[1], p[2] - depth]);
            m.nrm.push(m.nrm[v as usize]);
            m.col.push(m.col[v as usize]);
        }
        for k in 0..edge.len() as u32 - 1 {
            let (a, b, c, d) = (edge[k as usize], edge[k as usize + 1], base + k, base + k + 1);
            // Wound to face out of the tile (edges 0 and 3 run one way, 1 and 2 the other).
            if e == 0 || e == 1 { m.idx.extend([a, c, b, b, c, d]) } else { m.idx.extend([a, b, c, b, d, c]) }
        }
    }
    for &[bx, by, hw, hd, bh] in town.iter().filter(|b| b[0] >= x0 && b[0] < x0 + s && b[1] >= y0 && b[1] < y0 + s) {
        let z0 = height(bx, by) - 2.0;
        let (wall, roof) = ([214, 204, 186], [150, 68, 52]);
        let c = |dx: f64, dy: f64, z: f64| [bx + dx * hw, by + dy * hd, z];
        let top = z0 + 2.0 + bh;
        let faces = [
            ([c(-1.0, -1.0, z0), c(1.0, -1.0, z0), c(1.0, -1.0, top), c(-1.0, -1.0, top)], [0.0, -1.0, 0.0], wall),
            ([c(1.0, -1.0, z0), c(1.0, 1.0, z0), c(1.0, 1.0, top), c(1.0, -1.0, top)], [1.0, 0.0, 0.0], wall),
            ([c(1.0, 1.0, z0), c(-1.0, 1.0, z0), c(-1.0, 1.0, top), c(1.0, 1.0, top)], [0.0, 1.0, 0.0], wall),
            ([c(-1.0, 1.0, z0), c(-1.0, -1.0, z0), c(-1.0, -1.0, top), c(-1.0, 1.0, top)], [-1.0, 0.0, 0.0], wall),
            ([c(-1.0, -1.0, top), c(1.0, -1.0, top), c(1.0, 1.0, top), c(-1.0, 1.0, top)], [0.0, 0.0, 1.0], roof),
        ];
        for (q, nrm, col) in faces {
            let base = m.pos.len() as u32;
            m.pos.extend(q);
            m.nrm.extend([nrm; 4]);
            m.col.extend([col; 4]);
            m.idx.extend([base, base + 1, base + 2, base, base + 2, base + 3]);
        }
    }
    m
}

fn srgb_to_linear(c: f64) -> f64 {
    if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
}

fn bounds(m: &Mesh) -> ([f64; 3], [f64; 3]) {
    let mut lo = [f64::INFINITY; 3];
    let mut hi = [f64::NEG_INFINITY; 3];
    for p in &m.pos {
        for k in 0..3 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    (lo, hi)
}

/// One tile's GLB (glTF is y up: a tile's (x, y, z) is written (x, z, −y), relative to its centre,
/// which is the node's translation) and its bounding box and triangle count.
fn tile_glb(m: &Mesh) -> Vec<u8> {
    let (lo, hi) = bounds(m);
    let c = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0, (lo[2] + hi[2]) / 2.0];
    let mut bin = Vec::new();
    let (mut pmin, mut pmax) = ([f32::INFINITY; 3], [f32::NEG_INFINITY; 3]);
    for p in &m.pos {
        let q = [(p[0] - c[0]) as f32, (p[2] - c[2]) as f32, (c[1] - p[1]) as f32];
        for k in 0..3 {
            pmin[k] = pmin[k].min(q[k]);
            pmax[k] = pmax[k].max(q[k]);
            bin.extend(q[k].to_le_bytes());
        }
    }
    let normals = bin.len();
    // KHR_mesh_quantization: normals as normalized bytes, colours as normalized unsigned bytes,
    // each padded to 4 bytes.
    for v in &m.nrm {
        bin.extend([v[0], v[2], -v[1]].map(|x| (x * 127.0).round() as i8 as u8));
        bin.push(0);
    }
    let colours = bin.len();
    // COLOR_0 is linear (glTF 2.0 §3.7.2.1): the colours above are sRGB, as a painter picks them.
    let linear: Vec<u8> = (0..=255u8).map(|v| (srgb_to_linear(f64::from(v) / 255.0) * 255.0).round() as u8).collect();
    for c in &m.col {
        bin.extend(c.map(|v| linear[usize::from(v)]));
        bin.push(255);
    }
    let indices = bin.len();
    let wide = m.pos.len() > usize::from(u16::MAX);
    for &i in &m.idx {
        if wide { bin.extend(i.to_le_bytes()) } else { bin.extend((i as u16).to_le_bytes()) }
    }
    while bin.len() % 4 != 0 {
        bin.push(0);
    }
    let count = m.pos.len();
    let doc = json!({
        "asset": {"version": "2.0", "generator": "Scenic xtask gen-tiles"},
        "extensionsUsed": ["KHR_mesh_quantization"],
        "extensionsRequired": ["KHR_mesh_quantization"],
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "translation": [c[0], c[2], -c[1]]}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1, "COLOR_0": 2}, "indices": 3, "material": 0}]}],
        "materials": [{"pbrMetallicRoughness": {"baseColorFactor": [1, 1, 1, 1], "metallicFactor": 0, "roughnessFactor": 0.95}}],
        "buffers": [{"byteLength": bin.len()}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": normals, "target": 34962},
            {"buffer": 0, "byteOffset": normals, "byteLength": colours - normals, "byteStride": 4, "target": 34962},
            {"buffer": 0, "byteOffset": colours, "byteLength": indices - colours, "byteStride": 4, "target": 34962},
            {"buffer": 0, "byteOffset": indices, "byteLength": m.idx.len() * if wide { 4 } else { 2 }, "target": 34963},
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": count, "type": "VEC3", "min": pmin, "max": pmax},
            {"bufferView": 1, "componentType": 5120, "normalized": true, "count": count, "type": "VEC3"},
            {"bufferView": 2, "componentType": 5121, "normalized": true, "count": count, "type": "VEC3"},
            {"bufferView": 3, "componentType": if wide { 5125 } else { 5123 }, "count": m.idx.len(), "type": "SCALAR"},
        ],
    });
    crate::scene_gen::pack_glb(&doc, bin)
}

fn uri(level: u32, x: u32, y: u32) -> String {
    format!("t/{level}/{x}_{y}.glb")
}

/// A tile's entry in tileset.json, its children below it (their boxes are computed from the
/// same meshes the contents are, so each box holds its content).
fn entry(level: u32, x: u32, y: u32, boxes: &dyn Fn(u32, u32, u32) -> ([f64; 3], [f64; 3])) -> Value {
    let (lo, hi) = boxes(level, x, y);
    let h = |k: usize| (hi[k] - lo[k]) / 2.0;
    let c = |k: usize| (hi[k] + lo[k]) / 2.0;
    let error = if level + 1 == LEVELS { 0.0 } else { square(level, x, y).2 / GRID as f64 * 2.0 };
    let mut tile = json!({
        "boundingVolume": {"box": [c(0), c(1), c(2), h(0), 0, 0, 0, h(1), 0, 0, 0, h(2)]},
        "geometricError": error,
        "content": {"uri": uri(level, x, y)},
    });
    if level == 0 {
        tile["refine"] = json!("REPLACE");
    }
    if level + 1 < LEVELS {
        tile["children"] = json!([(0, 0), (1, 0), (0, 1), (1, 1)].map(|(dx, dy)| entry(level + 1, 2 * x + dx, 2 * y + dy, boxes)));
    }
    tile
}

/// Every tile as (level, x, y).
fn all_tiles() -> Vec<(u32, u32, u32)> {
    (0..LEVELS).flat_map(|l| (0..1u32 << l).flat_map(move |x| (0..1u32 << l).map(move |y| (l, x, y)))).collect()
}

/// Writes the tileset into `dir` (tileset.json, t/<level>/<x>_<y>.glb), unless `dir` already
/// holds this generator's output. Returns the triangle count at full detail (the leaves').
pub fn write(dir: &Path) -> Result<u64> {
    let stamp = dir.join("stamp");
    if std::fs::read_to_string(&stamp).ok().is_some_and(|s| s.starts_with(STAMP)) {
        let s = std::fs::read_to_string(&stamp).unwrap_or_default();
        return Ok(s.rsplit(' ').next().and_then(|n| n.trim().parse().ok()).unwrap_or(0));
    }
    eprintln!("xtask: generating the 3D Tiles terrain into {} (~420 MB)", dir.display());
    let _ = std::fs::remove_dir_all(dir);
    let town = buildings();
    let tiles = all_tiles();
    // Two threads (this machine's cores), each writing its share; boxes and counts come back.
    let results: Vec<((u32, u32, u32), ([f64; 3], [f64; 3]), u64)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let (tiles, town) = (&tiles, &town);
                scope.spawn(move || -> Result<Vec<_>> {
                    let mut out = Vec::new();
                    for &(l, x, y) in tiles.iter().skip(w).step_by(2) {
                        let m = tile_mesh(l, x, y, town);
                        let path = dir.join(uri(l, x, y));
                        std::fs::create_dir_all(path.parent().unwrap_or(dir)).map_err(|e| e.to_string())?;
                        std::fs::write(&path, tile_glb(&m)).map_err(|e| format!("{}: {e}", path.display()))?;
                        out.push(((l, x, y), bounds(&m), m.idx.len() as u64 / 3));
                    }
                    Ok(out)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|_| Err("a generator thread panicked".into()))).collect::<Result<Vec<_>>>().map(|v| v.into_iter().flatten().collect())
    })?;
    let lookup: std::collections::HashMap<_, _> = results.iter().map(|(k, b, _)| (*k, *b)).collect();
    let full: u64 = results.iter().filter(|((l, _, _), _, _)| l + 1 == LEVELS).map(|r| r.2).sum();
    let root = entry(0, 0, 0, &|l, x, y| lookup[&(l, x, y)]);
    let doc = json!({
        "asset": {"version": "1.1", "generator": "Scenic xtask gen-tiles"},
        "geometricError": square(0, 0, 0).2 / GRID as f64 * 4.0,
        "root": root,
    });
    std::fs::write(dir.join("tileset.json"), serde_json::to_vec(&doc).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    std::fs::write(&stamp, format!("{STAMP} {full}")).map_err(|e| e.to_string())?;
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_are_read_by_the_viewer_and_hold_their_content() {
        // A few tiles through the viewer's own loader: the terrain and the town are there, each
        // inside the box the tileset gives it.
        let town = buildings();
        assert!(town.len() > 800, "{} buildings", town.len());
        for (l, x, y) in [(0, 0, 0), (3, 4, 4), (5, 16, 16), (5, 0, 31)] {
            let m = tile_mesh(l, x, y, &town);
            let glb = tile_glb(&m);
            let loaded = scenic::gltf::parse(&glb).and_then(|p| scenic::gltf::build(p, Default::default())).unwrap_or_else(|e| panic!("tile {l}/{x}/{y}: {e:?}"));
            let tris = loaded.scene.triangle_count();
            assert_eq!(tris, m.idx.len() / 3);
            assert!(tris >= GRID * GRID * 2);
            // The loaded bounds (y up) are the box's (z up), within the quantized normals' slack.
            let (lo, hi) = bounds(&m);
            let b = loaded.scene.bounds(0);
            assert!((f64::from(b.min.x) - lo[0]).abs() < 0.01 && (f64::from(b.max.y) - hi[2]).abs() < 0.01 && (f64::from(-b.min.z) - hi[1]).abs() < 0.01, "{b:?} {lo:?} {hi:?}");
        }
        // Full detail: 1,024 leaves of at least 20,000 triangles each.
        let leaf = tile_mesh(LEVELS - 1, 1, 1, &town).idx.len() / 3;
        assert!(1024 * leaf >= 20_000_000, "{leaf} a leaf");
        assert_eq!(all_tiles().len(), 1365);
    }
}
