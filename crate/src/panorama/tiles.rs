//! Multi-resolution cube tiles, so a large panorama fetches only the tiles in view at the level the
//! view needs. The layout is Pannellum's `multiRes` (what its generate.py and Marzipano-style tools
//! write): six cube faces `f r b l u d`, levels 1 (smallest) to `maxLevel` (faces of
//! `cubeResolution` pixels), each face cut into `tileResolution` squares named by `path` with
//! `%l` (level), `%s` (face), `%x` (column), `%y` (row). Faces are seen from inside: the side
//! faces upright; the up face with the front at its bottom edge, the down face with the front at
//! its top edge (hugin's nona cube faces). Pure logic, tested natively.

use glam::{Mat4, Vec3, Vec4};
use serde_json::{Map, Value};

use crate::geometry::Aabb;
use crate::scene::{Primitive, Scene, Topology};

/// Face letters in the order of [`TileKey::face`].
pub const FACES: [char; 6] = ['f', 'r', 'b', 'l', 'u', 'd'];
const MAX_LEVELS: u32 = 12;
/// The lowest level is fetched whole before the panorama shows (no holes while turning): this
/// many tiles per face side at most.
const MAX_BASE_SIDE: u32 = 4;
/// Tiles per face side at the top level (a 65,536-pixel face of 256-pixel tiles).
const MAX_SIDE: u32 = 256;
/// Tiles above the lowest level kept on the GPU at once; the least recently seen go first.
pub const MAX_LOADED: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub struct Multires {
    /// Prefix of every tile's URL (relative ones are resolved by the page against the list's URL).
    pub base_path: String,
    pub path: String,
    pub extension: String,
    pub tile_resolution: u32,
    pub max_level: u32,
    pub cube_resolution: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileKey {
    pub level: u8,
    /// Index into [`FACES`].
    pub face: u8,
    pub x: u16,
    pub y: u16,
}

fn count(o: &Map<String, Value>, key: &str, range: std::ops::RangeInclusive<u32>) -> Result<u32, String> {
    let v = o.get(key).and_then(Value::as_f64).ok_or_else(|| format!("multiRes.{key}: a number is needed"))?;
    if v.fract() != 0.0 || !(*range.start() as f64..=*range.end() as f64).contains(&v) {
        return Err(format!("multiRes.{key}: a whole number from {} to {}, not {v}", range.start(), range.end()));
    }
    Ok(v as u32)
}

impl Multires {
    /// Reads Pannellum's `multiRes` object; an error says which field is wrong.
    pub fn read(v: &Value) -> Result<Self, String> {
        let o = v.as_object().ok_or("multiRes: an object is needed")?;
        let text = |key: &str| o.get(key).and_then(Value::as_str).map(str::to_owned);
        let path = text("path").ok_or("multiRes.path: a string is needed")?;
        for k in ["%l", "%s", "%x", "%y"] {
            if !path.contains(k) {
                return Err(format!("multiRes.path: {k} is missing from {path:?}"));
            }
        }
        let extension = text("extension").unwrap_or_else(|| "jpg".into());
        if extension.is_empty() || extension.len() > 5 || !extension.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!("multiRes.extension: a file extension such as jpg, not {extension:?}"));
        }
        let m = Multires {
            base_path: text("basePath").unwrap_or_default(),
            path,
            extension,
            tile_resolution: count(o, "tileResolution", 16..=4096)?,
            max_level: count(o, "maxLevel", 1..=MAX_LEVELS)?,
            cube_resolution: count(o, "cubeResolution", 16..=65536)?,
        };
        if !super::image_url(&format!("{}{}", m.base_path, m.path)) {
            return Err("multiRes: the tiles' URL must be http(s) or relative".into());
        }
        if m.cube_resolution >> (m.max_level - 1) == 0 {
            return Err(format!("multiRes: {} levels of a {}-pixel face leave none for the first", m.max_level, m.cube_resolution));
        }
        if m.side(m.max_level) > MAX_SIDE {
            return Err(format!("multiRes: {} tiles across a face; at most {MAX_SIDE}", m.side(m.max_level)));
        }
        if m.side(1) > MAX_BASE_SIDE {
            return Err(format!("multiRes: level 1 has {} tiles across a face; at most {MAX_BASE_SIDE} (it is fetched whole)", m.side(1)));
        }
        Ok(m)
    }

    /// A face's width in pixels at `level` (1 ..= max_level), as Pannellum sizes it.
    pub fn face_size(&self, level: u32) -> u32 {
        self.cube_resolution.div_ceil(1 << (self.max_level - level.clamp(1, self.max_level)))
    }

    /// Tiles across a face at `level`.
    pub fn side(&self, level: u32) -> u32 {
        self.face_size(level).div_ceil(self.tile_resolution)
    }

    pub fn url(&self, k: TileKey) -> String {
        use std::fmt::Write;
        // A scan for `%l %s %x %y` rather than str::replace with a string pattern, whose
        // substring search would be new code in the wasm module.
        let mut out = self.base_path.clone();
        let mut chars = self.path.chars().peekable();
        while let Some(c) = chars.next() {
            let field = if c == '%' { chars.peek().copied() } else { None };
            let _ = match field {
                Some('l') => write!(out, "{}", k.level),
                Some('s') => write!(out, "{}", FACES[k.face as usize % 6]),
                Some('x') => write!(out, "{}", k.x),
                Some('y') => write!(out, "{}", k.y),
                _ => {
                    out.push(c);
                    continue;
                }
            };
            chars.next();
        }
        out.push('.');
        out.push_str(&self.extension);
        out
    }

    /// The lowest level that gives the screen at least one photo pixel per screen pixel, for a
    /// view of `pixels_per_radian` (at the screen's centre); the top level when none does.
    pub fn level_for(&self, pixels_per_radian: f32) -> u32 {
        // A face spans 90°: at its centre, size / 2 pixels per radian.
        (1..=self.max_level).find(|&l| self.face_size(l) as f32 / 2.0 >= pixels_per_radian).unwrap_or(self.max_level)
    }

    /// Every tile of the lowest level.
    pub fn base(&self) -> Vec<TileKey> {
        self.level(1)
    }

    fn level(&self, level: u32) -> Vec<TileKey> {
        let n = self.side(level) as u16;
        (0..6u8).flat_map(|face| (0..n).flat_map(move |y| (0..n).map(move |x| TileKey { level: level as u8, face, x, y }))).collect()
    }

    /// Whether `k` names a tile of this set.
    pub fn has(&self, k: TileKey) -> bool {
        (1..=self.max_level).contains(&(k.level as u32)) && k.face < 6 && (k.x as u32) < self.side(k.level as u32) && (k.y as u32) < self.side(k.level as u32)
    }

    /// The part of its face tile `k` covers: `(s0, s1, t0, t1)`, across from the left and down
    /// from the top, in 0..1 (the last row and column may be narrower).
    pub fn extent(&self, k: TileKey) -> (f32, f32, f32, f32) {
        let size = self.face_size(k.level as u32) as f32;
        let t = self.tile_resolution as f32;
        let span = |i: u16| ((i as f32 * t / size).min(1.0), ((i as f32 + 1.0) * t / size).min(1.0));
        let (s0, s1) = span(k.x);
        let (t0, t1) = span(k.y);
        (s0, s1, t0, t1)
    }

    /// Tile corners on the cube of half-size 1: top left, top right, bottom right, bottom left.
    pub fn corners(&self, k: TileKey) -> [Vec3; 4] {
        let (s0, s1, t0, t1) = self.extent(k);
        [face_point(k.face, s0, t0), face_point(k.face, s1, t0), face_point(k.face, s1, t1), face_point(k.face, s0, t1)]
    }

    /// The tiles of `level` that `view_proj` (the panorama's frame, the eye at its centre) can
    /// see, nearest the middle of the view first.
    pub fn visible(&self, view_proj: Mat4, level: u32) -> Vec<TileKey> {
        let keys = self.level(level.clamp(1, self.max_level));
        // Sorted as (distance's bits, index): a distance is never negative, so its bits order as
        // it does, and this is the overlay's own sort (one copy of the sort code in the module).
        let mut out: Vec<(u64, u32)> = keys
            .iter()
            .enumerate()
            .filter_map(|(i, &k)| {
                let c = self.corners(k).map(|p| view_proj * p.extend(1.0));
                // A plane of the view's pyramid with all four corners outside it hides the tile
                // (the test is linear in the corners, so it holds for the whole quad).
                let outside = |f: fn(Vec4) -> bool| c.iter().all(|&v| f(v));
                let hidden = outside(|v| v.w <= 1e-6) || outside(|v| v.x > v.w) || outside(|v| v.x < -v.w) || outside(|v| v.y > v.w) || outside(|v| v.y < -v.w);
                if hidden {
                    return None;
                }
                let mid = c.iter().fold(Vec4::ZERO, |a, &v| a + v);
                let d = (mid.x / mid.w.max(1e-6)).hypot(mid.y / mid.w.max(1e-6)) + if mid.w <= 0.0 { 1e3 } else { 0.0 };
                Some((u64::from(if d.is_finite() { d } else { f32::MAX }.to_bits()), i as u32))
            })
            .collect();
        out.sort_unstable();
        out.into_iter().map(|(_, i)| keys[i as usize]).collect()
    }
}

/// A point of face `face` on the cube of half-size 1, `s` across from its left edge and `t` down
/// from its top, as seen from inside (the panorama's frame: -Z ahead, +X right, +Y up).
pub fn face_point(face: u8, s: f32, t: f32) -> Vec3 {
    let (centre, right, up) = match face {
        0 => (Vec3::NEG_Z, Vec3::X, Vec3::Y),
        1 => (Vec3::X, Vec3::Z, Vec3::Y),
        2 => (Vec3::Z, Vec3::NEG_X, Vec3::Y),
        3 => (Vec3::NEG_X, Vec3::NEG_Z, Vec3::Y),
        4 => (Vec3::Y, Vec3::X, Vec3::Z),
        _ => (Vec3::NEG_Y, Vec3::X, Vec3::NEG_Z),
    };
    centre + right * (2.0 * s - 1.0) + up * (1.0 - 2.0 * t)
}

/// The face and `(s, t)` on it a direction falls on (the inverse of [`face_point`]).
pub fn face_of(d: Vec3) -> (u8, f32, f32) {
    let a = d.abs();
    let face = if a.x >= a.y && a.x >= a.z {
        if d.x > 0.0 { 1 } else { 3 }
    } else if a.y >= a.z {
        if d.y > 0.0 { 4 } else { 5 }
    } else if d.z > 0.0 {
        2
    } else {
        0
    };
    let p = d / d.abs().max_element();
    let o = face_point(face, 0.0, 0.0);
    let right = face_point(face, 1.0, 0.0) - o;
    let down = face_point(face, 0.0, 1.0) - o;
    (face, (p - o).dot(right) / 4.0, (p - o).dot(down) / 4.0)
}

/// One tile drawn at `centre` turned to `heading`: a quad textured with the tile's image (image
/// 0). Higher levels sit a little nearer the eye, so they cover the lower ones they refine (from
/// the centre the cube looks the same at any size).
pub fn tile_scene(m: &Multires, k: TileKey, centre: Vec3, heading_deg: f32) -> Scene {
    let shrink = 1.0 - 0.03 * k.level as f32;
    let corners = m.corners(k).map(|p| (p * shrink).to_array());
    let normal = (-face_point(k.face, 0.5, 0.5)).to_array();
    let primitive = Primitive {
        topology: Topology::Triangles,
        positions: corners.to_vec(),
        normals: vec![normal; 4],
        tangents: None,
        uv0: Some(vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]),
        uv1: None,
        colors: None,
        // Wound to face the centre.
        indices: Some(vec![0, 2, 1, 0, 3, 2].into()),
        material: Some(0),
        bounds: Aabb { min: Vec3::splat(-1.0), max: Vec3::splat(1.0) },
        deform: None,
        drawn_triangles: None,
        in_file: Default::default(),
    };
    super::photo_scene(primitive, super::placement(centre, heading_deg), "panorama tile", format!("image/{}", m.extension))
}

/// What a tiled panorama has on the GPU and what it would fetch next.
#[derive(Debug)]
pub struct Cache<T> {
    /// Loaded tiles: the lowest level (kept) and the others with the frame they were last seen.
    loaded: Vec<(TileKey, T, u64)>,
    frame: u64,
}

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Cache { loaded: Vec::new(), frame: 0 }
    }
}

impl<T: Copy> Cache<T> {
    pub fn has(&self, k: TileKey) -> bool {
        self.loaded.iter().any(|(l, ..)| *l == k)
    }

    /// Keeps tile `k`'s content; returns the contents to free (the least recently seen tiles above
    /// the lowest level past [`MAX_LOADED`]).
    pub fn insert(&mut self, k: TileKey, content: T) -> Vec<T> {
        if self.has(k) {
            return vec![content];
        }
        self.loaded.push((k, content, self.frame));
        let mut freed = Vec::new();
        while self.loaded.iter().filter(|(l, ..)| l.level > 1).count() > MAX_LOADED {
            let Some(i) = self.loaded.iter().enumerate().filter(|(_, (l, ..))| l.level > 1).min_by_key(|(_, (_, _, seen))| *seen).map(|(i, _)| i) else { break };
            freed.push(self.loaded.swap_remove(i).1);
        }
        freed
    }

    /// The tiles to fetch for a view that sees `visible` (at the level it needs): the lowest level
    /// first, then the visible ones in order, at most `limit`. Marks the visible loaded tiles seen.
    pub fn wanted(&mut self, m: &Multires, visible: &[TileKey], limit: usize) -> Vec<TileKey> {
        self.frame += 1;
        let frame = self.frame;
        for (k, _, seen) in &mut self.loaded {
            if visible.contains(k) {
                *seen = frame;
            }
        }
        m.base().into_iter().chain(visible.iter().copied()).filter(|k| !self.has(*k)).take(limit).collect()
    }

    pub fn contents(&self) -> impl Iterator<Item = T> + '_ {
        self.loaded.iter().map(|(_, c, _)| *c)
    }

    pub fn len(&self) -> usize {
        self.loaded.len()
    }

    pub fn is_empty(&self) -> bool {
        self.loaded.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panorama::direction;
    use serde_json::json;

    fn pannellum() -> Multires {
        // generate.py's output for a 4664-pixel cube face (the Pannellum example's numbers).
        Multires::read(&json!({"basePath": "tiles/gate", "path": "/%l/%s%y_%x", "extension": "jpg", "tileResolution": 512, "maxLevel": 5, "cubeResolution": 4664})).unwrap()
    }

    fn view(yaw: f32, pitch: f32, fov: f32, aspect: f32) -> Mat4 {
        Mat4::perspective_rh(fov.to_radians(), aspect, 0.05, 200.0) * Mat4::look_to_rh(Vec3::ZERO, direction(yaw, pitch), Vec3::Y)
    }

    #[test]
    fn levels_sizes_and_urls_follow_pannellum() {
        let m = pannellum();
        assert_eq!((1..=5).map(|l| m.face_size(l)).collect::<Vec<_>>(), [292, 583, 1166, 2332, 4664]);
        assert_eq!((1..=5).map(|l| m.side(l)).collect::<Vec<_>>(), [1, 2, 3, 5, 10]);
        assert_eq!(m.url(TileKey { level: 3, face: 4, x: 2, y: 1 }), "tiles/gate/3/u1_2.jpg");
        assert_eq!(m.base().len(), 6);
        // The last column of a level is narrower: 1166 px = 512 + 512 + 142.
        let (s0, s1, ..) = m.extent(TileKey { level: 3, face: 0, x: 2, y: 0 });
        assert!((s0 - 1024.0 / 1166.0).abs() < 1e-6 && s1 == 1.0);
        assert!(m.has(TileKey { level: 5, face: 5, x: 9, y: 9 }) && !m.has(TileKey { level: 5, face: 5, x: 10, y: 0 }) && !m.has(TileKey { level: 6, face: 0, x: 0, y: 0 }) && !m.has(TileKey { level: 0, face: 0, x: 0, y: 0 }));
        // One photo pixel per screen pixel: a 720-pixel-high view at 70° needs 514 px/rad.
        let ppr = 360.0 / (35f32).to_radians().tan();
        assert_eq!(m.level_for(ppr), 3, "level 3's 1166-pixel face gives 583 px/rad");
        assert_eq!(m.level_for(1.0), 1);
        assert_eq!(m.level_for(1e6), 5);
    }

    #[test]
    fn bad_layouts_are_refused_with_the_field_named() {
        let ok = json!({"path": "/%l/%s%y_%x", "tileResolution": 512, "maxLevel": 3, "cubeResolution": 2048});
        assert!(Multires::read(&ok).is_ok());
        let with = |k: &str, v: Value| {
            let mut o = ok.clone();
            o[k] = v;
            Multires::read(&o).unwrap_err()
        };
        assert!(with("path", json!("/%l/%s_%x")).contains("%y"));
        assert!(with("tileResolution", json!(0)).contains("tileResolution"));
        assert!(with("maxLevel", json!(1e9)).contains("maxLevel"));
        assert!(with("cubeResolution", json!(2.5)).contains("cubeResolution"));
        assert!(with("extension", json!("jpg?x=<b>")).contains("extension"));
        assert!(with("basePath", json!("javascript:")).contains("http(s) or relative"));
        let base = Multires::read(&json!({"path": "/%l/%s%y_%x", "tileResolution": 256, "maxLevel": 1, "cubeResolution": 2048})).unwrap_err();
        assert!(base.contains("level 1 has 8 tiles"), "{base}");
        let top = Multires::read(&json!({"path": "/%l/%s%y_%x", "tileResolution": 16, "maxLevel": 12, "cubeResolution": 65536})).unwrap_err();
        assert!(top.contains("4096 tiles across a face; at most 256"), "{top}");
        assert!(Multires::read(&json!("x")).is_err());
    }

    #[test]
    fn faces_join_as_a_cube_seen_from_inside() {
        let near = |a: Vec3, b: Vec3| (a.normalize() - b.normalize()).length() < 1e-5;
        assert!(near(face_point(0, 0.5, 0.5), direction(0.0, 0.0)), "front is ahead");
        assert!(near(face_point(1, 0.5, 0.5), direction(90.0, 0.0)), "right is a quarter turn clockwise");
        assert!(near(face_point(2, 0.5, 0.5), direction(180.0, 0.0)));
        assert!(near(face_point(3, 0.5, 0.5), direction(-90.0, 0.0)));
        assert!(near(face_point(0, 1.0, 0.5), direction(45.0, 0.0)), "front's right edge is right's left edge");
        assert!(near(face_point(1, 0.0, 0.5), direction(45.0, 0.0)));
        assert!(near(face_point(0, 0.5, 0.0), direction(0.0, 45.0)), "front's top is up's bottom");
        assert!(near(face_point(4, 0.5, 1.0), direction(0.0, 45.0)));
        assert!(near(face_point(5, 0.5, 0.0), direction(0.0, -45.0)), "down's top is front's bottom");
        // face_of inverts face_point.
        for face in 0..6 {
            for (s, t) in [(0.1, 0.2), (0.5, 0.5), (0.9, 0.7)] {
                let (f, s2, t2) = face_of(face_point(face, s, t));
                assert!(f == face && (s - s2).abs() < 1e-5 && (t - t2).abs() < 1e-5, "{face} {s} {t}: {f} {s2} {t2}");
            }
        }
        // A tile's triangles face the centre, as the sphere's do.
        let m = pannellum();
        let scene = tile_scene(&m, TileKey { level: 2, face: 4, x: 1, y: 0 }, Vec3::ZERO, 0.0);
        let q = &scene.meshes[0].primitives[0];
        for t in q.indices.as_ref().unwrap().to_u32().chunks_exact(3) {
            let [a, b, c] = [t[0], t[1], t[2]].map(|i| Vec3::from_array(q.positions[i as usize]));
            assert!((b - a).cross(c - a).dot(a) < 0.0, "a triangle faces out");
        }
    }

    #[test]
    fn only_the_tiles_in_view_are_visible() {
        let m = pannellum();
        // Square view ahead at 60°: only the front face, and at level 5 not its edge columns.
        let ahead = m.visible(view(0.0, 0.0, 60.0, 1.0), 5);
        assert!(!ahead.is_empty() && ahead.iter().all(|k| k.face == 0), "{ahead:?}");
        assert!(ahead.len() < 100, "{} of the face's 100 tiles", ahead.len());
        assert!(ahead.iter().all(|k| (1..=8).contains(&k.x) && (1..=8).contains(&k.y)), "{ahead:?}");
        // The middle of the view comes first.
        assert!([4, 5].contains(&ahead[0].x) && [4, 5].contains(&ahead[0].y), "{:?}", ahead[0]);
        // Behind, up, down: their own faces.
        assert!(m.visible(view(180.0, 0.0, 60.0, 1.0), 5).iter().all(|k| k.face == 2));
        assert!(m.visible(view(0.0, 89.0, 60.0, 1.0), 4).iter().all(|k| k.face == 4));
        assert!(m.visible(view(0.0, -89.0, 60.0, 1.0), 4).iter().all(|k| k.face == 5));
        // Between front and right: both, and nothing of the back.
        let corner = m.visible(view(45.0, 0.0, 60.0, 1.0), 3);
        assert!(corner.iter().any(|k| k.face == 0) && corner.iter().any(|k| k.face == 1) && corner.iter().all(|k| k.face < 2 || k.face > 3), "{corner:?}");
        // Every direction the view shows is on a visible tile (sampled over the screen).
        let vp = view(30.0, 20.0, 70.0, 16.0 / 9.0);
        let tiles = m.visible(vp, 4);
        let inv = vp.inverse();
        for i in 0..=8 {
            for j in 0..=8 {
                let ndc = Vec4::new(i as f32 / 4.0 - 1.0, j as f32 / 4.0 - 1.0, 0.5, 1.0);
                let p = inv * ndc;
                let (face, s, t) = face_of(p.truncate() / p.w);
                let side = m.side(4) as f32;
                let k = TileKey { level: 4, face, x: ((s * m.face_size(4) as f32 / 512.0).floor() as u16).min(side as u16 - 1), y: ((t * m.face_size(4) as f32 / 512.0).floor() as u16).min(side as u16 - 1) };
                assert!(tiles.contains(&k), "{k:?} is seen but not listed");
            }
        }
    }

    #[test]
    fn the_cache_fetches_the_base_first_and_frees_the_least_recently_seen() {
        let m = pannellum();
        let mut c: Cache<u32> = Cache::default();
        let ahead = m.visible(view(0.0, 0.0, 60.0, 1.0), 5);
        let first = c.wanted(&m, &ahead, 100);
        assert_eq!(&first[..6], &m.base()[..]);
        assert_eq!(&first[6..], &ahead[..]);
        for (i, k) in first.iter().enumerate() {
            assert!(c.insert(*k, i as u32).is_empty());
        }
        assert!(c.wanted(&m, &ahead, 100).is_empty(), "all there");
        // Turning round: the back's tiles come; past the budget the front's (seen longest ago) go,
        // never the base.
        let behind = m.visible(view(180.0, 0.0, 60.0, 1.0), 5);
        let want = c.wanted(&m, &behind, 100);
        assert_eq!(want, behind);
        let mut freed = Vec::new();
        for (i, k) in want.iter().enumerate() {
            freed.extend(c.insert(*k, 1000 + i as u32));
        }
        assert_eq!(c.len(), 6 + MAX_LOADED.min(ahead.len() + behind.len()));
        assert!(freed.iter().all(|&f| (6..1000).contains(&f)), "only front tiles are freed: {freed:?}");
        assert_eq!(freed.len(), (ahead.len() + behind.len()).saturating_sub(MAX_LOADED));
        assert_eq!(c.wanted(&m, &[], 3).len(), 0);
    }
}
