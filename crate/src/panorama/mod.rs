//! 360° panoramas: equirectangular photos as viewpoints in the scene (at a position, or at a
//! POI), with hotspots to other panoramas and to POIs. Reading the list, the inward sphere they
//! are drawn on, and where a direction falls on the screen. Pure logic, tested natively.
//!
//! Directions are compass-like: yaw 0 is the panorama's heading (the middle of the photo), 90 is
//! a quarter turn clockwise seen from above; pitch is up from the horizon. The photo's columns go
//! clockwise from its left edge (yaw -180) to its right edge (yaw 180), rows from the zenith down.

use glam::{Mat4, Vec3, Vec4Swizzles};
use serde_json::Value;

use crate::geometry::Aabb;
use crate::poi::{Localized, localized, string};
use crate::scene::{self, Material, Mesh, Node, Primitive, Sampler, Scene, SceneRoot, TexRef, Texture, Topology, Wrap};

pub mod tiles;

/// A list holds at most this many panoramas, each at most this many hotspots.
pub const MAX_PANORAMAS: usize = 200;
pub const MAX_HOTSPOTS: usize = 50;
/// The sphere the photo is drawn on (metres): far enough that its curvature is not seen.
pub const RADIUS: f32 = 100.0;

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Panorama(String),
    Poi(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hotspot {
    pub yaw: f32,
    pub pitch: f32,
    pub to: Target,
    pub label: Localized,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Panorama {
    pub id: String,
    /// The photo's URL as given: http(s), or relative (resolved by the page against the list's
    /// own URL); never another scheme. Empty when the panorama is tiled.
    pub image: String,
    /// Multi-resolution cube tiles (`multiRes`), in place of one photo.
    pub tiles: Option<tiles::Multires>,
    /// Where the camera stands, in scene metres; or at the POI `poi` (1.6 m over its anchor).
    pub position: Option<[f32; 3]>,
    pub poi: Option<String>,
    /// The compass direction (degrees clockwise from -Z, the scene's north) the photo's middle faces.
    pub heading: f32,
    pub name: Localized,
    pub hotspots: Vec<Hotspot>,
}

/// A URL Scenic follows for an image: absolute http(s), or relative (no scheme at all).
fn image_url(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return true;
    }
    // A scheme is what comes before the first ':' if no '/', '?' or '#' comes first.
    let colon = s.find(':');
    let first_sep = s.find(['/', '?', '#']);
    !s.is_empty() && !s.starts_with("//") && colon.is_none_or(|c| first_sep.is_some_and(|f| f < c))
}

fn number(v: Option<&Value>) -> Option<f32> {
    let x = crate::number::from_value(v?)?;
    x.is_finite().then_some(x as f32)
}

/// Reads a list of panoramas (`[…]` or `{ "panoramas": […] }`); returns them and why any were
/// left out.
pub fn read(v: &Value) -> Result<(Vec<Panorama>, Vec<String>), String> {
    let items = match v {
        Value::Array(a) => a,
        Value::Object(o) => o.get("panoramas").and_then(Value::as_array).ok_or("expected a list of panoramas, or { panoramas: [...] }")?,
        _ => return Err("expected a list of panoramas".into()),
    };
    let (mut out, mut skipped) = (Vec::new(), Vec::new());
    for (i, item) in items.iter().enumerate() {
        if out.len() == MAX_PANORAMAS {
            skipped.push(format!("{} panoramas past the first {MAX_PANORAMAS} are left out", items.len() - i));
            break;
        }
        match one(item, i) {
            Ok(p) => out.push(p),
            Err(e) => skipped.push(e),
        }
    }
    if out.is_empty() {
        return Err(format!("no panorama can be shown{}", skipped.first().map_or(String::new(), |s| format!(" ({s})"))));
    }
    Ok((out, skipped))
}

fn one(item: &Value, i: usize) -> Result<Panorama, String> {
    let o = item.as_object().ok_or_else(|| format!("panorama {} is not an object", i + 1))?;
    let id = string(o.get("id")).ok_or_else(|| format!("panorama {} has no id", i + 1))?;
    let tiles = o.get("multiRes").map(tiles::Multires::read).transpose().map_err(|e| format!("{id}: {e}"))?;
    let image = match string(o.get("image")) {
        Some(image) if !image_url(&image) => return Err(format!("{id}: the image must be an http(s) or relative URL")),
        Some(image) => image,
        None if tiles.is_some() => String::new(),
        None => return Err(format!("{id}: no image (nor multiRes tiles)")),
    };
    let position = o.get("position").and_then(Value::as_array).and_then(|a| {
        let p = [number(a.first())?, number(a.get(1))?, number(a.get(2))?];
        (a.len() == 3).then_some(p)
    });
    let poi = string(o.get("poi"));
    if position.is_none() && poi.is_none() {
        return Err(format!("{id}: neither a position [x, y, z] nor a poi"));
    }
    let hotspots = o
        .get("hotspots")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .take(MAX_HOTSPOTS)
        .filter_map(|h| {
            let ho = h.as_object()?;
            let to = match (string(ho.get("panorama")), string(ho.get("poi"))) {
                (Some(p), _) => Target::Panorama(p),
                (None, Some(p)) => Target::Poi(p),
                _ => return None,
            };
            Some(Hotspot { yaw: number(ho.get("yaw"))?, pitch: number(ho.get("pitch")).unwrap_or(0.0).clamp(-90.0, 90.0), to, label: localized(ho, "label") })
        })
        .collect();
    Ok(Panorama { id, image, tiles, position, poi, heading: number(o.get("heading")).unwrap_or(0.0), name: localized(o, "name"), hotspots })
}

/// The unit vector of a direction in the panorama's own frame (yaw 0 = -Z).
pub fn direction(yaw_deg: f32, pitch_deg: f32) -> Vec3 {
    let (sy, cy) = yaw_deg.to_radians().sin_cos();
    let (sp, cp) = pitch_deg.to_radians().sin_cos();
    Vec3::new(sy * cp, sp, -cy * cp)
}

/// Where a direction (in the panorama's frame) falls on its photo, `(u, v)` in 0..1.
pub fn photo_uv(d: Vec3) -> (f32, f32) {
    let lon = d.x.atan2(-d.z);
    let lat = d.y.clamp(-1.0, 1.0).asin();
    (0.5 + lon / std::f32::consts::TAU, 0.5 - lat / std::f32::consts::PI)
}

/// A unit sphere seen from inside, textured with an equirectangular photo.
pub fn sphere(lon_steps: u32, lat_steps: u32) -> Primitive {
    let (mut positions, mut normals, mut uv) = (Vec::new(), Vec::new(), Vec::new());
    // Columns duplicate the seam (u = 0 and u = 1) so the photo does not wrap back across it.
    for j in 0..=lat_steps {
        let v = j as f32 / lat_steps as f32;
        let pitch = 90.0 - 180.0 * v;
        for i in 0..=lon_steps {
            let u = i as f32 / lon_steps as f32;
            let d = direction(360.0 * u - 180.0, pitch);
            positions.push(d.to_array());
            normals.push((-d).to_array());
            uv.push([u, v]);
        }
    }
    let w = lon_steps + 1;
    let mut indices = Vec::new();
    for j in 0..lat_steps {
        for i in 0..lon_steps {
            let (a, b, c, d) = (j * w + i, j * w + i + 1, (j + 1) * w + i + 1, (j + 1) * w + i);
            // Wound to face the centre.
            indices.extend([a, c, b, a, d, c]);
        }
    }
    Primitive {
        topology: Topology::Triangles,
        positions,
        normals,
        tangents: None,
        uv0: Some(uv),
        uv1: None,
        colors: None,
        indices: Some(indices.into()),
        material: Some(0),
        bounds: Aabb { min: Vec3::splat(-1.0), max: Vec3::splat(1.0) },
        deform: None,
        drawn_triangles: None,
        in_file: Default::default(),
    }
}

/// The panorama's placement: the sphere at `centre`, of [`RADIUS`], turned to `heading`.
pub fn placement(centre: Vec3, heading_deg: f32) -> Mat4 {
    Mat4::from_translation(centre) * Mat4::from_rotation_y(-heading_deg.to_radians()) * Mat4::from_scale(Vec3::splat(RADIUS))
}

/// A scene of one photo sphere at `centre`; its one image is the photo (the bitmap given to the
/// renderer as image 0).
pub fn scene(centre: Vec3, heading_deg: f32) -> Scene {
    photo_scene(sphere(96, 48), placement(centre, heading_deg), "panorama", "image/jpeg".into())
}

/// A scene of one primitive placed by `local`, unlit, textured with image 0 (a bitmap the page
/// gives the renderer): the photo sphere, or one cube tile.
pub(crate) fn photo_scene(primitive: Primitive, local: Mat4, name: &str, mime: String) -> Scene {
    let sampler = Sampler { mag_linear: true, min_linear: true, mipmap: Some(true), wrap_s: Wrap::ClampToEdge, wrap_t: Wrap::ClampToEdge };
    let material = Material { name: Some(name.into()), base_color_texture: Some(TexRef::new(0, 0)), unlit: true, double_sided: true, metallic: 0.0, ..Material::default() };
    Scene {
        meshes: vec![Mesh { primitives: vec![primitive] }],
        materials: vec![material],
        textures: vec![Some(Texture { image: 0, sampler })],
        images: vec![scene::Image { name: Some(name.into()), mime, bytes: Vec::new() }],
        nodes: vec![Node { name: Some(name.into()), local, children: Vec::new(), mesh: Some(0), camera: None, instances: Vec::new(), rest: None, ..Default::default() }],
        scenes: vec![SceneRoot { name: None, nodes: vec![0] }],
        ..Scene::default()
    }
}

/// Where direction `d` (scene frame) falls on a `w` × `h` screen for `view_proj`: CSS pixels from
/// the top left, or None behind the viewer.
pub fn project(view_proj: Mat4, eye: Vec3, d: Vec3, w: f32, h: f32) -> Option<(f32, f32)> {
    let c = view_proj * (eye + d * 10.0).extend(1.0);
    if c.w <= 1e-6 {
        return None;
    }
    let n = c.xy() / c.w;
    Some(((n.x + 1.0) * 0.5 * w, (1.0 - n.y) * 0.5 * h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn photo_columns_go_clockwise_from_the_back() {
        let near = |a: (f32, f32), b: (f32, f32)| (a.0 - b.0).abs() < 1e-5 && (a.1 - b.1).abs() < 1e-5;
        assert!(near(photo_uv(direction(0.0, 0.0)), (0.5, 0.5)), "the middle is ahead");
        assert!(near(photo_uv(direction(90.0, 0.0)), (0.75, 0.5)), "a quarter to the right is a quarter turn clockwise");
        assert!(near(photo_uv(direction(-90.0, 0.0)), (0.25, 0.5)));
        assert!(photo_uv(direction(0.0, 90.0)).1 < 1e-3 && photo_uv(direction(0.0, -90.0)).1 > 1.0 - 1e-3);
        // The sphere's own texture coordinates agree with photo_uv, vertex by vertex (seam aside).
        let s = sphere(16, 8);
        for (p, uv) in s.positions.iter().zip(s.uv0.as_ref().unwrap()) {
            let (u, v) = photo_uv(Vec3::from_array(*p));
            if uv[0] > 0.01 && uv[0] < 0.99 && uv[1] > 0.01 && uv[1] < 0.99 {
                assert!((u - uv[0]).abs() < 1e-4 && (v - uv[1]).abs() < 1e-4, "{p:?}: {uv:?} vs {u},{v}");
            }
        }
        // Triangles face the centre.
        let ix = s.indices.as_ref().unwrap().to_u32();
        for t in ix.chunks_exact(3).filter(|t| t.iter().all(|&i| s.positions[i as usize][1].abs() < 0.9)) {
            let [a, b, c] = [t[0], t[1], t[2]].map(|i| Vec3::from_array(s.positions[i as usize]));
            let n = (b - a).cross(c - a);
            assert!(n.dot(a) < 0.0, "a triangle faces out");
        }
    }

    #[test]
    fn heading_turns_the_photo_in_the_scene() {
        // Heading 90: the photo's middle faces +X (east).
        let m = placement(Vec3::ZERO, 90.0);
        let ahead = m.transform_vector3(direction(0.0, 0.0)).normalize();
        assert!((ahead - Vec3::X).length() < 1e-5, "{ahead}");
    }

    #[test]
    fn lists_are_read_with_reasons_for_what_is_left_out() {
        let list = json!([
            {"id": "gate", "image": "pano/gate.jpg", "poi": "gate", "heading": 30, "name": {"zh": "南门", "en": "Gate"},
             "hotspots": [{"yaw": 90, "panorama": "hill", "label": "<b>Hill</b>"}, {"yaw": 10, "poi": "pagoda"}, {"yaw": "x", "panorama": "y"}, {"pitch": 5}]},
            {"id": "hill", "image": "https://example.com/hill.jpg", "position": [1, 2, 3]},
            {"id": "bad", "image": "javascript:alert(1)", "position": [0, 0, 0]},
            {"id": "nowhere", "image": "a.jpg"},
            "x"
        ]);
        let (p, skipped) = read(&list).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].hotspots.len(), 2, "{:?}", p[0].hotspots);
        assert_eq!(p[0].hotspots[0].to, Target::Panorama("hill".into()));
        assert_eq!(p[0].hotspots[0].label.get("en"), Some("<b>Hill</b>"));
        assert_eq!(p[0].hotspots[1].to, Target::Poi("pagoda".into()));
        assert_eq!(p[1].position, Some([1.0, 2.0, 3.0]));
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        assert!(skipped[0].contains("http(s) or relative"));
        for bad in ["data:image/png;base64,AA", "JAVASCRIPT:x", "//evil.example/x.jpg", "vbscript:x"] {
            assert!(!image_url(bad), "{bad}");
        }
        for good in ["a.jpg", "/p/a.jpg", "p/a:b.jpg", "?x=1", "HTTPS://e.com/a.jpg"] {
            assert!(image_url(good), "{good}");
        }
        assert!(read(&json!({"panoramas": []})).unwrap_err().contains("no panorama"));
        // Tiled panoramas need no photo; a wrong layout is said with the panorama's id.
        let tiled = json!([
            {"id": "t", "position": [0, 0, 0], "multiRes": {"basePath": "tiles/t", "path": "/%l/%s%y_%x", "extension": "png", "tileResolution": 256, "maxLevel": 2, "cubeResolution": 512}},
            {"id": "u", "position": [0, 0, 0], "multiRes": {"path": "/%l/%s", "tileResolution": 256, "maxLevel": 2, "cubeResolution": 512}}
        ]);
        let (p, skipped) = read(&tiled).unwrap();
        assert_eq!((p.len(), p[0].image.as_str(), p[0].tiles.as_ref().map(|t| t.side(2))), (1, "", Some(2)));
        assert!(skipped[0].starts_with("u: multiRes.path"), "{skipped:?}");
    }
}
