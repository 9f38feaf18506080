//! The lakeside's panoramas (assets/pano-*.png, `cargo xtask gen-scene`): equirectangular views
//! from two viewpoints, ray-marched through the same height field, lake, pagoda and pavilion the
//! demo scene is built from (scene_gen.rs), so what a panorama shows is where the 3D scene has
//! it. Photo-like enough to step into; no trees or bridge (they are the model's detail).

use std::io::Write;

use crate::scene_gen::height;

/// The viewpoints: (file, where on the ground (x, z), heading of the photo's middle in degrees).
/// The shore is one equirectangular photo; the hill is multi-resolution cube tiles in the folder
/// `pano-hill` (Pannellum's layout: `%l/%s%y_%x.png`).
pub const VIEWS: [(&str, [f32; 2], f32); 1] = [("pano-shore.png", [-40.0, 60.0], 40.0)];
pub const TILED: (&str, [f32; 2], f32) = ("pano-hill", [70.0, -70.0], 250.0);
/// The hill's cube: 1024-pixel faces at level 2 in 512-pixel tiles (2 × 2 a face), 512 at level 1.
const CUBE: usize = 1024;
const TILE: usize = 512;
const LEVELS: u32 = 2;

/// The eye 1.6 m over the ground at a viewpoint.
pub fn eye([x, z]: [f32; 2]) -> [f32; 3] {
    [x, height(x, z) + 1.6, z]
}
const W: usize = 1024;
const H: usize = 512;

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
}

fn sky(d: [f32; 3]) -> [f32; 3] {
    let up = d[1].max(0.0);
    let base = mix([0.78, 0.85, 0.92], [0.30, 0.52, 0.86], up.powf(0.6));
    // The sun in the south-west, 35° up.
    let sun = [-0.57f32, 0.57, 0.59];
    let dot = (d[0] * sun[0] + d[1] * sun[1] + d[2] * sun[2]).max(0.0);
    mix(base, [1.0, 0.97, 0.88], dot.powf(400.0) + 0.15 * dot.powf(8.0))
}

/// A tiered tower: whether point p is inside it, and its colour there.
fn pagoda(p: [f32; 3]) -> Option<[f32; 3]> {
    let (dx, dz) = (p[0] - 62.0, p[2] + 48.0);
    let r = (dx * dx + dz * dz).sqrt();
    let y = p[1] - (height(62.0, -48.0) - 0.5);
    if !(0.0..26.0).contains(&y) || r > 7.0 {
        return None;
    }
    if y < 1.2 {
        return (r < 7.0).then_some([0.62, 0.6, 0.56]);
    }
    let tier = ((y - 1.2) / 4.2).floor().min(4.0);
    let within = (y - 1.2) - tier * 4.2;
    let body = 4.2 - tier * 0.55;
    if within > 3.2 - tier * 0.25 {
        // The tier's roof, wider at its eaves.
        let t = (within - (3.2 - tier * 0.25)) / 1.1;
        return (r < body + 2.2 - t * (body * 0.3 + 2.2)).then_some([0.16, 0.22, 0.24]);
    }
    (r < body).then_some([0.62, 0.12, 0.09])
}

fn pavilion(p: [f32; 3]) -> Option<[f32; 3]> {
    let (dx, dz) = (p[0] + 8.0, p[2] - 4.0);
    let r = (dx * dx + dz * dz).sqrt();
    let y = p[1] - (height(-8.0, 4.0) - 0.3);
    match y {
        y if (0.0..0.6).contains(&y) && r < 4.0 => Some([0.62, 0.6, 0.56]),
        y if (0.6..4.2).contains(&y) && (r - 3.2).abs() < 0.3 => Some([0.62, 0.12, 0.09]),
        y if (4.2..7.0).contains(&y) && r < 5.6 * (1.0 - (y - 4.2) / 2.8) => Some([0.16, 0.22, 0.24]),
        _ => None,
    }
}

/// The colour seen from `eye` along unit direction `d`.
fn trace(eye: [f32; 3], d: [f32; 3]) -> [f32; 3] {
    let mut t = 0.3;
    while t < 600.0 {
        let p = [eye[0] + d[0] * t, eye[1] + d[1] * t, eye[2] + d[2] * t];
        // Rising above the highest hill: only sky from here on.
        if d[1] > 0.0 && p[1] > 30.0 {
            break;
        }
        if let Some(c) = pagoda(p).or_else(|| pavilion(p)) {
            return c;
        }
        let g = height(p[0], p[2]);
        let inside = p[0].abs() < 120.0 && p[2].abs() < 120.0;
        if inside && p[1] < 0.05 && g < 0.05 {
            // The lake, mirroring the sky a little.
            return mix([0.12, 0.35, 0.45], sky([d[0], -d[1], d[2]]), 0.3);
        }
        if inside && p[1] < g {
            let e = 0.5;
            let n = [height(p[0] - e, p[2]) - height(p[0] + e, p[2]), 2.0 * e, height(p[0], p[2] - e) - height(p[0], p[2] + e)];
            let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
            let light = (0.45 + 0.55 * ((-0.57 * n[0] + 0.57 * n[1] + 0.59 * n[2]) / len).max(0.0)).min(1.0);
            let base = if g < 0.6 { [0.76, 0.7, 0.5] } else if g < 9.0 { [0.33, 0.55, 0.23] } else { [0.25, 0.42, 0.2] };
            // Distance haze.
            return mix(base.map(|c| c * light), sky([d[0], 0.0, d[2]]), (t / 700.0).min(0.6));
        }
        // Fine steps by the buildings (their roofs are thin), coarse over open ground.
        let near = |cx: f32, cz: f32, r: f32| (p[0] - cx).powi(2) + (p[2] - cz).powi(2) < r * r;
        t += if near(62.0, -48.0, 8.0) || near(-8.0, 4.0, 6.5) { 0.04 } else { 0.05 + t * 0.015 };
    }
    sky(d)
}

/// The equirectangular PNG seen from `eye`, its middle facing `heading` (degrees clockwise
/// from -Z, as crate/src/panorama reads it).
pub fn render(eye: [f32; 3], heading: f32) -> Vec<u8> {
    let mut rows = Vec::with_capacity((W * 3 + 1) * H);
    for j in 0..H {
        rows.push(0u8);
        let pitch = (90.0 - 180.0 * (j as f32 + 0.5) / H as f32).to_radians();
        for i in 0..W {
            let yaw = (360.0 * (i as f32 + 0.5) / W as f32 - 180.0 + heading).to_radians();
            let d = [yaw.sin() * pitch.cos(), pitch.sin(), -yaw.cos() * pitch.cos()];
            let c = trace(eye, d);
            // sRGB-ish encoding of the linear-looking colours above.
            rows.extend(c.map(|v| (v.clamp(0.0, 1.0).powf(1.0 / 2.2) * 255.0 + 0.5) as u8));
        }
    }
    png(W as u32, H as u32, &rows)
}

/// A point of cube face `face` (f r b l u d) at `(s, t)` across and down, seen from inside, in
/// the panorama's frame (as crate/src/panorama/tiles.rs has it; the test checks they agree).
pub fn face_point(face: usize, s: f32, t: f32) -> [f32; 3] {
    let (c, r, u): ([f32; 3], [f32; 3], [f32; 3]) = match face {
        0 => ([0.0, 0.0, -1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]),
        1 => ([1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]),
        2 => ([0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, 1.0, 0.0]),
        3 => ([-1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]),
        4 => ([0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]),
        _ => ([0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -1.0]),
    };
    let (a, b) = (2.0 * s - 1.0, 1.0 - 2.0 * t);
    [c[0] + r[0] * a + u[0] * b, c[1] + r[1] * a + u[1] * b, c[2] + r[2] * a + u[2] * b]
}

/// Tile (`x`, `y`) of `face` at `level` of the tiled viewpoint, as a PNG: each level traced at its
/// own resolution (not scaled down from the top), so any tile can be made alone.
pub fn tile(eye: [f32; 3], heading: f32, level: u32, face: usize, x: usize, y: usize) -> Vec<u8> {
    let size = CUBE >> (LEVELS - level);
    let (w, h) = (TILE.min(size - x * TILE), TILE.min(size - y * TILE));
    let (sh, ch) = heading.to_radians().sin_cos();
    let mut rows = Vec::with_capacity((w * 3 + 1) * h);
    for j in 0..h {
        rows.push(0u8);
        for i in 0..w {
            let [px, py, pz] = face_point(face, ((x * TILE + i) as f32 + 0.5) / size as f32, ((y * TILE + j) as f32 + 0.5) / size as f32);
            // Turned to the heading (the panorama's frame to the scene's), then unit length.
            let d = [px * ch - pz * sh, py, px * sh + pz * ch];
            let len = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
            let c = trace(eye, d.map(|v| v / len));
            rows.extend(c.map(|v| (v.clamp(0.0, 1.0).powf(1.0 / 2.2) * 255.0 + 0.5) as u8));
        }
    }
    png(w as u32, h as u32, &rows)
}

/// Every tile of the tiled viewpoint: (path under assets/, PNG).
pub fn tiles() -> impl Iterator<Item = (String, Vec<u8>)> {
    let (dir, at, heading) = TILED;
    (1..=LEVELS).flat_map(move |level| {
        let n = (CUBE >> (LEVELS - level)).div_ceil(TILE);
        (0..6).flat_map(move |face| (0..n).flat_map(move |y| (0..n).map(move |x| (format!("{dir}/{level}/{}{y}_{x}.png", "frblud".as_bytes()[face] as char), tile(eye(at), heading, level, face, x, y)))))
    })
}

fn png(w: u32, h: u32, rows: &[u8]) -> Vec<u8> {
    let chunk = |out: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend(kind);
        out.extend(data);
        out.extend(crc.sum().to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(rows).expect("in memory");
    let idat = z.finish().expect("in memory");
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// assets/lakeside-panoramas.json: the two viewpoints, linked to each other and to POIs.
pub fn list() -> Vec<u8> {
    let [(shore, se, sh)] = VIEWS;
    let (hill, he, hh) = TILED;
    let (se, he) = (eye(se), eye(he));
    // A hotspot's yaw in a panorama's own frame, towards a scene point.
    let towards = |from: [f32; 3], heading: f32, to: [f32; 3]| -> f32 {
        let (dx, dz) = (to[0] - from[0], to[2] - from[2]);
        let compass = dx.atan2(-dz).to_degrees();
        ((compass - heading + 540.0) % 360.0 - 180.0).round()
    };
    let v = serde_json::json!([
        {"id": "shore", "image": shore, "position": se, "heading": sh, "name": {"zh": "西岸观湖", "en": "The west shore"},
         "hotspots": [
            {"yaw": towards(se, sh, he), "pitch": 4, "panorama": "hill", "label": {"zh": "去观景台", "en": "To the viewpoint"}},
            {"yaw": towards(se, sh, [-8.0, 5.0, 4.0]), "pitch": -2, "poi": "pavilion", "label": {"zh": "湖心亭", "en": "Island Pavilion"}}]},
        {"id": "hill", "multiRes": {"basePath": hill, "path": "/%l/%s%y_%x", "extension": "png", "tileResolution": TILE, "maxLevel": LEVELS, "cubeResolution": CUBE}, "position": he, "heading": hh, "poi": "overlook", "name": {"zh": "山顶观景台", "en": "Hilltop Viewpoint"},
         "hotspots": [
            {"yaw": towards(he, hh, se), "pitch": -3, "panorama": "shore", "label": {"zh": "回西岸", "en": "Back to the shore"}},
            {"yaw": towards(he, hh, [62.0, 20.0, -48.0]), "pitch": 8, "poi": "pagoda", "label": {"zh": "湖心塔", "en": "Lakeside Pagoda"}}]}
    ]);
    let mut out = serde_json::to_vec_pretty(&v).expect("json");
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_panoramas_are_what_the_generator_makes() {
        let dir = crate::root().join("assets");
        assert!(std::fs::read(dir.join("lakeside-panoramas.json")).ok() == Some(super::list()), "assets/lakeside-panoramas.json is stale: run `cargo xtask gen-scene`");
        let read = scenic::panorama::read(&serde_json::from_slice(&super::list()).unwrap()).unwrap();
        assert!(read.1.is_empty() && read.0.len() == 2);
        for (file, at, heading) in super::VIEWS {
            assert!(std::fs::read(dir.join(file)).ok() == Some(super::render(super::eye(at), heading)), "assets/{file} is stale: run `cargo xtask gen-scene`");
        }
        // The tiled viewpoint: level 1 whole and a tile of level 2 (tracing all of it is slow).
        let (hill, at, heading) = super::TILED;
        for (level, face, x, y) in (0..6).map(|f| (1, f, 0, 0)).chain([(2, 4, 1, 0)]) {
            let file = format!("{hill}/{level}/{}{y}_{x}.png", "frblud".as_bytes()[face] as char);
            assert!(std::fs::read(dir.join(&file)).ok() == Some(super::tile(super::eye(at), heading, level, face, x, y)), "assets/{file} is stale: run `cargo xtask gen-scene`");
        }
        assert_eq!(std::fs::read_dir(dir.join(hill).join("2")).unwrap().count(), 24);
        // Faces as the viewer draws them.
        for face in 0..6 {
            for (s, t) in [(0.0, 0.0), (0.3, 0.8), (1.0, 0.5)] {
                assert_eq!(super::face_point(face, s, t), scenic::panorama::tiles::face_point(face as u8, s, t).to_array());
            }
        }
    }
}
