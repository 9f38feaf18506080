//! A photogrammetry-like test model: a 400 m × 200 m hillside village as oblique photogrammetry
//! exports it (ContextCapture, RealityCapture): 8 tiles, each a dense mesh of its own with its
//! own 4096² JPEG "photo" (a ground texture with roofs, lanes, fields and noise at every scale);
//! houses melt into the ground as in a reconstruction. 3.0 million triangles and about 110 MB.
//! Made at test time (`cargo xtask content`, into target/test-content/photo), never committed.
//! Deterministic: the same bytes every run.

use serde_json::{Value, json};

/// Tiles across (x) and down (z).
pub const TILES: (usize, usize) = (4, 2);
/// Vertices along a tile's side: 2 · 434² = 376,712 triangles a tile, 3,013,696 in all.
pub const GRID: usize = 435;
/// Each tile's texture, square.
pub const TEXTURE: usize = 4096;
/// A tile's side in metres.
const TILE_M: f32 = 100.0;

/// A small integer hash to [0, 1).
fn hash(x: i32, y: i32, seed: u32) -> f32 {
    let mut h = (x as u32).wrapping_mul(0x8da6_b343) ^ (y as u32).wrapping_mul(0xd816_3841) ^ seed.wrapping_mul(0xcb1a_b31f);
    h ^= h >> 13;
    h = h.wrapping_mul(0x5bd1_e995);
    h ^= h >> 15;
    (h & 0xff_ffff) as f32 / 16_777_216.0
}

/// Value noise: smooth, in [0, 1), cells `scale` metres wide.
fn noise(x: f32, z: f32, scale: f32, seed: u32) -> f32 {
    let (fx, fz) = (x / scale, z / scale);
    let (ix, iz) = (fx.floor(), fz.floor());
    let (tx, tz) = (fx - ix, fz - iz);
    let (sx, sz) = (tx * tx * (3.0 - 2.0 * tx), tz * tz * (3.0 - 2.0 * tz));
    let (ix, iz) = (ix as i32, iz as i32);
    let a = hash(ix, iz, seed) + (hash(ix + 1, iz, seed) - hash(ix, iz, seed)) * sx;
    let b = hash(ix, iz + 1, seed) + (hash(ix + 1, iz + 1, seed) - hash(ix, iz + 1, seed)) * sx;
    a + (b - a) * sz
}

/// The house on the 14 m lot holding (x, z), if any: (roof height above the ground, roof tile).
fn house(x: f32, z: f32) -> Option<(f32, bool)> {
    let (lx, lz) = ((x / 14.0).floor() as i32, (z / 14.0).floor() as i32);
    // Some lots are fields.
    if hash(lx, lz, 7) < 0.35 {
        return None;
    }
    let (u, v) = (x - lx as f32 * 14.0 - 3.0, z - lz as f32 * 14.0 - 3.0);
    let (w, d) = (6.0 + 3.0 * hash(lx, lz, 8), 5.0 + 3.0 * hash(lx, lz, 9));
    if !(0.0..w).contains(&u) || !(0.0..d).contains(&v) {
        return None;
    }
    // A gabled roof along x: eaves at 4–7 m, the ridge 2 m above them.
    let eaves = 4.0 + 3.0 * hash(lx, lz, 10);
    let ridge = 1.0 - (2.0 * v / d - 1.0).abs();
    Some((eaves + 2.0 * ridge, hash(lx, lz, 11) < 0.6))
}

/// The ground: a hillside rising to the north, valleys, and centimetre roughness.
fn ground(x: f32, z: f32) -> f32 {
    0.08 * z + 6.0 * noise(x, z, 60.0, 1) + 2.0 * noise(x, z, 17.0, 2) + 0.05 * noise(x, z, 0.7, 3)
}

/// The reconstructed surface: ground, with the houses on it.
pub fn height(x: f32, z: f32) -> f32 {
    ground(x, z) + house(x, z).map_or(0.0, |(h, _)| h)
}

/// An aerial "photo" colour at (x, z), lit from the south-west as it was flown.
fn colour(x: f32, z: f32) -> [u8; 3] {
    let grain = noise(x, z, 0.15, 20) - 0.5;
    let fine = noise(x, z, 0.6, 21) - 0.5;
    let patch = noise(x, z, 5.0, 22);
    let (lx, lz) = ((x / 14.0).floor() as i32, (z / 14.0).floor() as i32);
    let lane = (x - lx as f32 * 14.0) < 1.8 || (z - lz as f32 * 14.0) < 1.8;
    let base: [f32; 3] = match house(x, z) {
        Some((_, true)) => [150.0 + 40.0 * patch, 70.0 + 20.0 * patch, 55.0],
        Some((_, false)) => [105.0 + 30.0 * patch, 108.0 + 30.0 * patch, 112.0 + 30.0 * patch],
        None if lane => [170.0 + 20.0 * patch, 160.0 + 20.0 * patch, 140.0 + 15.0 * patch],
        None if hash(lx, lz, 7) < 0.35 => {
            // Fields in rows.
            let row = ((z * 2.5).sin() * 0.5 + 0.5) * 25.0;
            [70.0 + 40.0 * patch + row, 110.0 + 30.0 * patch + row, 45.0 + 10.0 * patch]
        }
        None => [80.0 + 50.0 * patch, 100.0 + 40.0 * patch, 60.0 + 20.0 * patch],
    };
    // Shading from the slope (photogrammetry textures carry the day's light).
    let e = 0.25;
    let (dx, dz) = ((height(x + e, z) - height(x - e, z)) / (2.0 * e), (height(x, z + e) - height(x, z - e)) / (2.0 * e));
    let light = (1.0 - 0.35 * (dx + dz)).clamp(0.45, 1.25);
    let k = light * (1.0 + 0.35 * fine + 0.25 * grain);
    base.map(|c| (c * k).clamp(0.0, 255.0) as u8)
}

/// Tile (tx, tz)'s texture as RGB rows, north-west first.
pub fn texture(tx: usize, tz: usize) -> Vec<u8> {
    let mut rgb = vec![0u8; TEXTURE * TEXTURE * 3];
    let step = TILE_M / TEXTURE as f32;
    for (row, line) in rgb.chunks_exact_mut(TEXTURE * 3).enumerate() {
        let z = (tz as f32 + 1.0) * TILE_M - (row as f32 + 0.5) * step;
        for (col, px) in line.chunks_exact_mut(3).enumerate() {
            let x = tx as f32 * TILE_M + (col as f32 + 0.5) * step;
            px.copy_from_slice(&colour(x, z));
        }
    }
    rgb
}

/// Tile (tx, tz)'s texture as a JPEG (quality 85, as photogrammetry exports write them).
pub fn jpeg(tx: usize, tz: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder.encode(&texture(tx, tz), TEXTURE as u16, TEXTURE as u16, jpeg_encoder::ColorType::Rgb).expect("JPEG encoding into memory");
    out
}

struct Bin {
    bytes: Vec<u8>,
    views: Vec<Value>,
}

impl Bin {
    /// Appends `data` as a buffer view (4-byte aligned); returns its index.
    fn view(&mut self, data: &[u8], target: Option<u32>) -> usize {
        while self.bytes.len() % 4 != 0 {
            self.bytes.push(0);
        }
        let mut v = json!({"buffer": 0, "byteOffset": self.bytes.len(), "byteLength": data.len()});
        if let Some(t) = target {
            v["target"] = json!(t);
        }
        self.bytes.extend_from_slice(data);
        self.views.push(v);
        self.views.len() - 1
    }
}

fn bytes_of(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|f| f.to_le_bytes()).collect()
}

/// The model, its images given (`(bytes, mime)` per tile, x first): the JPEGs, or KTX2 versions
/// of them (`KHR_texture_basisu`).
pub fn glb(images: &[(Vec<u8>, &str)]) -> Vec<u8> {
    let mut bin = Bin { bytes: Vec::new(), views: Vec::new() };
    let (mut accessors, mut meshes, mut nodes, mut materials, mut textures, mut image_docs) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    let step = TILE_M / (GRID - 1) as f32;
    let mut indices = Vec::with_capacity((GRID - 1) * (GRID - 1) * 6);
    for j in 0..GRID - 1 {
        for i in 0..GRID - 1 {
            let a = (j * GRID + i) as u32;
            // Counter-clockwise seen from above (glTF's z runs south: row j + 1 is further north).
            let (b, c, d) = (a + 1, a + GRID as u32, a + GRID as u32 + 1);
            indices.extend([a, b, c, b, d, c]);
        }
    }
    let index_bytes: Vec<u8> = indices.iter().flat_map(|i| i.to_le_bytes()).collect();
    let ktx2 = images.iter().any(|(_, mime)| *mime == "image/ktx2");
    for tz in 0..TILES.1 {
        for tx in 0..TILES.0 {
            let (x0, z0) = (tx as f32 * TILE_M, tz as f32 * TILE_M);
            let (mut pos, mut nrm, mut uv) = (Vec::with_capacity(GRID * GRID * 3), Vec::with_capacity(GRID * GRID * 3), Vec::with_capacity(GRID * GRID * 2));
            let (mut min, mut max) = ([f32::MAX; 3], [f32::MIN; 3]);
            for j in 0..GRID {
                for i in 0..GRID {
                    let (x, z) = (x0 + i as f32 * step, z0 + j as f32 * step);
                    let y = height(x, z);
                    // glTF is y up with -z north: the village's z runs south here.
                    let p = [x, y, -z];
                    for k in 0..3 {
                        min[k] = min[k].min(p[k]);
                        max[k] = max[k].max(p[k]);
                    }
                    pos.extend(p);
                    let (dx, dz) = ((height(x + step, z) - height(x - step, z)) / (2.0 * step), (height(x, z + step) - height(x, z - step)) / (2.0 * step));
                    let l = (dx * dx + 1.0 + dz * dz).sqrt();
                    nrm.extend([-dx / l, 1.0 / l, dz / l]);
                    uv.extend([i as f32 / (GRID - 1) as f32, 1.0 - j as f32 / (GRID - 1) as f32]);
                }
            }
            let n = GRID * GRID;
            let first = accessors.len();
            let p = bin.view(&bytes_of(&pos), Some(34962));
            let nv = bin.view(&bytes_of(&nrm), Some(34962));
            let t = bin.view(&bytes_of(&uv), Some(34962));
            let ix = bin.view(&index_bytes, Some(34963));
            accessors.push(json!({"bufferView": p, "componentType": 5126, "count": n, "type": "VEC3", "min": min, "max": max}));
            accessors.push(json!({"bufferView": nv, "componentType": 5126, "count": n, "type": "VEC3"}));
            accessors.push(json!({"bufferView": t, "componentType": 5126, "count": n, "type": "VEC2"}));
            accessors.push(json!({"bufferView": ix, "componentType": 5125, "count": indices.len(), "type": "SCALAR"}));
            let tile = meshes.len();
            meshes.push(json!({"name": format!("Tile_{tx}_{tz}"), "primitives": [{"attributes": {"POSITION": first, "NORMAL": first + 1, "TEXCOORD_0": first + 2}, "indices": first + 3, "material": tile}]}));
            nodes.push(json!({"name": format!("Tile_{tx}_{tz}"), "mesh": tile}));
            materials.push(json!({"name": format!("Tile_{tx}_{tz}"), "pbrMetallicRoughness": {"baseColorTexture": {"index": tile}, "metallicFactor": 0.0, "roughnessFactor": 1.0}}));
            textures.push(if ktx2 { json!({"sampler": 0, "extensions": {"KHR_texture_basisu": {"source": tile}}}) } else { json!({"sampler": 0, "source": tile}) });
        }
    }
    for (bytes, mime) in images {
        let v = bin.view(bytes, None);
        image_docs.push(json!({"bufferView": v, "mimeType": mime}));
    }
    let mut doc = json!({
        "asset": {"version": "2.0", "generator": "Scenic xtask photo_gen (photogrammetry-like test model)"},
        "scene": 0,
        "scenes": [{"name": "Village", "nodes": (0..nodes.len()).collect::<Vec<_>>()}],
        "nodes": nodes,
        "meshes": meshes,
        "materials": materials,
        "textures": textures,
        "images": image_docs,
        "samplers": [{"magFilter": 9729, "minFilter": 9987, "wrapS": 33071, "wrapT": 33071}],
        "accessors": accessors,
        "bufferViews": bin.views,
        "buffers": [{"byteLength": bin.bytes.len()}],
    });
    if ktx2 {
        doc["extensionsUsed"] = json!(["KHR_texture_basisu"]);
        doc["extensionsRequired"] = json!(["KHR_texture_basisu"]);
    }
    crate::scene_gen::pack_glb(&doc, bin.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_is_photogrammetry_sized_and_reads_back() {
        // One small image stands for the eight: the geometry is what is checked here.
        let glb = glb(&vec![(vec![0xff, 0xd8, 0xff, 0xd9], "image/jpeg"); 8]);
        assert!(glb.len() > 80 << 20, "{} bytes of geometry", glb.len());
        let parsed = scenic::gltf::parse(&glb).unwrap();
        let doc = parsed.document();
        assert_eq!((doc.meshes.len(), doc.images.len()), (8, 8));
        let triangles: usize = (0..8).map(|m| doc.accessors[4 * m + 3].count / 3).sum();
        assert!(triangles >= 3_000_000, "{triangles} triangles");
        // Front faces up, as the normals are.
        let l = scenic::gltf::build(parsed, Default::default()).unwrap();
        let p = &l.scene.meshes[0].primitives[0];
        let ix = p.indices.as_ref().unwrap().to_u32();
        for t in ix.chunks_exact(3).step_by(9973) {
            let [a, b, c] = [0, 1, 2].map(|k| p.positions[t[k] as usize]);
            let (u, v) = ([b[0] - a[0], b[1] - a[1], b[2] - a[2]], [c[0] - a[0], c[1] - a[1], c[2] - a[2]]);
            let face = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
            let normal = p.normals[t[0] as usize];
            let dot = face[0] * normal[0] + face[1] * normal[1] + face[2] * normal[2];
            assert!(face[1] > 0.0 && dot > 0.0, "{face:?} against {normal:?}");
        }
    }

    #[test]
    fn textures_look_like_a_place_not_a_colour() {
        let rgb = texture(1, 0);
        assert_eq!(rgb.len(), TEXTURE * TEXTURE * 3);
        let mut seen: Vec<[u8; 3]> = rgb.chunks_exact(3).step_by(4099).map(|p| [p[0] >> 3, p[1] >> 3, p[2] >> 3]).collect();
        seen.sort_unstable();
        seen.dedup();
        assert!(seen.len() > 200, "{} distinct colours", seen.len());
    }
}
