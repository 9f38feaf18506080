//! 3D Tiles (OGC community standard; 1.0 and 1.1): reading a tileset.json into a tree of tiles
//! with world-space bounding volumes, and choosing, for a camera, which tiles to draw and which
//! to fetch by screen-space error (`select`). Pure logic, tested natively against the corpus;
//! the renderer and the fetch queue are the web room's.
//!
//! World space is the tileset's (ECEF for geo-referenced ones), in f64: transforms compose there
//! and the renderer draws relative to a local centre.

use glam::{DMat4, DVec3, DVec4};
use serde_json::{Map, Value};

pub mod content;
pub mod implicit;
pub mod select;
pub mod volume;

pub use volume::Volume;

use crate::poi::GeoReference;

/// A tileset.json holds at most this many tiles (external tilesets count on their own).
pub const MAX_TILES: usize = 200_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refine {
    Replace,
    Add,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    /// Its bounding volume in world space (the tile's transform and its ancestors' applied).
    pub bounds: Volume,
    pub viewer_request: Option<Volume>,
    /// Metres of error if this tile is drawn and its children are not.
    pub geometric_error: f64,
    pub refine: Refine,
    /// Content URIs relative to the tileset (several per tile in 1.1); empty for a tile that only
    /// groups its children. A content that is itself a tileset.json is an external tileset.
    pub contents: Vec<String>,
    /// Tile to world.
    pub transform: DMat4,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub depth: u16,
    /// Set while the tile is an implicit subtree's root waiting for its subtree file (its one
    /// content then): `Tileset::expand` reads it.
    pub implicit: Option<implicit::Coords>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tileset {
    pub version: String,
    pub geometric_error: f64,
    /// Tile 0 is the root.
    pub tiles: Vec<Tile>,
    /// Read but not used, each named once.
    pub warnings: Vec<String>,
    /// The implicit trees' roots (`Tile::implicit` indexes them).
    pub implicit: Vec<implicit::ImplicitRoot>,
}

fn num(o: &Map<String, Value>, key: &str) -> Option<f64> {
    o.get(key).and_then(Value::as_f64).filter(|v| v.is_finite())
}

fn matrix(v: Option<&Value>) -> Result<DMat4, String> {
    let Some(v) = v else { return Ok(DMat4::IDENTITY) };
    let a = v.as_array().filter(|a| a.len() == 16).ok_or("transform: 16 numbers are needed")?;
    let mut m = [0.0; 16];
    for (i, x) in a.iter().enumerate() {
        m[i] = x.as_f64().filter(|x| x.is_finite()).ok_or("transform: 16 numbers are needed")?;
    }
    // Column-major, as glTF.
    let m = DMat4::from_cols_array(&m);
    if m.determinant().abs() < 1e-300 {
        return Err("transform: it flattens the tile (determinant 0)".into());
    }
    Ok(m)
}

/// The renderer's frame (glTF's: y up) from a tileset's world, given its root's centre.
/// Farther than 1,000 km from the origin, a place on the earth in ECEF: placed by `geo` (the
/// model's or the page's geo-reference, so that tiles, model and POIs line up; heading and
/// units as `GeoReference::to_scene`), else in the east-north-up frame at the root's centre.
/// Tens of kilometres off (a projected CRS's eastings): relative to its centre, for f32's
/// precision. Nearer: in its own metres (z up turned y up), so that camera-target and the
/// page's positions mean what the tileset's coordinates say.
pub fn scene_frame(centre: DVec3, geo: Option<&GeoReference>) -> DMat4 {
    if centre.length() > 1.0e6 {
        let (origin, heading, per_unit) = match geo {
            Some(g) => (crate::poi::geo::ecef(g.lon, g.lat, g.height), g.heading_deg, g.metres_per_unit),
            None => (centre, 0.0, 1.0),
        };
        let (s, c) = heading.to_radians().sin_cos();
        // Columns: where east, north and up go in the scene.
        let scene_from_enu = DMat4::from_cols(DVec4::new(c, 0.0, -s, 0.0), DVec4::new(-s, 0.0, -c, 0.0), DVec4::Y, DVec4::W) * DMat4::from_scale(DVec3::splat(1.0 / per_unit.max(1e-9)));
        return scene_from_enu * content::east_north_up(origin).inverse();
    }
    let z_to_y = DMat4::from_rotation_x(-std::f64::consts::FRAC_PI_2);
    if centre.length() > 5.0e4 { z_to_y * DMat4::from_translation(-centre) } else { z_to_y }
}

impl Tileset {
    /// Reads a tileset.json. A tile that cannot be read (no bounding volume, a bad transform) is
    /// an error naming its path from the root; what is read but not acted on is a warning.
    pub fn read(bytes: &[u8]) -> Result<Tileset, String> {
        Tileset::read_under(bytes, DMat4::IDENTITY)
    }

    /// As `read`, for an external tileset whose root sits under a tile with `transform`.
    pub fn read_under(bytes: &[u8], base: DMat4) -> Result<Tileset, String> {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("tileset.json is not JSON: {e}"))?;
        let o = v.as_object().ok_or("tileset.json: an object is needed")?;
        let asset = o.get("asset").and_then(Value::as_object).ok_or("tileset.json: no asset")?;
        let version = asset.get("version").and_then(Value::as_str).ok_or("tileset.json: asset.version is missing")?.to_owned();
        if !version.starts_with("1.") && version != "0.0" {
            return Err(format!("tileset.json: 3D Tiles version {version:?} is not read (1.0 and 1.1 are)"));
        }
        let geometric_error = num(o, "geometricError").ok_or("tileset.json: geometricError is missing")?;
        let root = o.get("root").and_then(Value::as_object).ok_or("tileset.json: no root tile")?;
        let mut set = Tileset { version, geometric_error, tiles: Vec::new(), warnings: Vec::new(), implicit: Vec::new() };
        // Scenic supports no 3D Tiles extension yet: any required one refuses the tileset.
        if let Some(e) = o.get("extensionsRequired").and_then(Value::as_array).into_iter().flatten().find_map(Value::as_str) {
            return Err(format!("tileset.json: extension {e} is required and not supported"));
        }
        // Depth first, without recursion: (tile JSON, parent, path for messages).
        let mut stack: Vec<(&Map<String, Value>, Option<usize>, String)> = vec![(root, None, "root".into())];
        while let Some((t, parent, path)) = stack.pop() {
            if set.tiles.len() >= MAX_TILES {
                return Err(format!("tileset.json: more than {MAX_TILES} tiles"));
            }
            // serde_json's recursion limit (128) keeps this to about 40 levels of tiles.
            let depth = parent.map_or(0, |p| set.tiles[p].depth as usize + 1);
            let (parent_transform, parent_refine) = parent.map_or((base, Refine::Replace), |p| (set.tiles[p].transform, set.tiles[p].refine));
            let transform = parent_transform * matrix(t.get("transform")).map_err(|e| format!("tileset.json: {path}: {e}"))?;
            let bv = t.get("boundingVolume").ok_or_else(|| format!("tileset.json: {path}: no boundingVolume"))?;
            let bounds = Volume::read(bv, transform).map_err(|e| format!("tileset.json: {path}: {e}"))?;
            let viewer_request = t.get("viewerRequestVolume").map(|v| Volume::read(v, transform)).transpose().map_err(|e| format!("tileset.json: {path}: viewerRequestVolume: {e}"))?;
            let geometric_error = num(t, "geometricError").filter(|e| *e >= 0.0).ok_or_else(|| format!("tileset.json: {path}: geometricError is missing"))?;
            let refine = match t.get("refine").and_then(Value::as_str) {
                None => parent_refine,
                Some(r) if r.eq_ignore_ascii_case("replace") => Refine::Replace,
                Some(r) if r.eq_ignore_ascii_case("add") => Refine::Add,
                Some(r) => return Err(format!("tileset.json: {path}: refine {r:?} is neither ADD nor REPLACE")),
            };
            let mut contents = Vec::new();
            for c in t.get("content").into_iter().chain(t.get("contents").and_then(Value::as_array).into_iter().flatten()) {
                // 1.0 early drafts wrote `url`.
                match c.get("uri").or_else(|| c.get("url")).and_then(Value::as_str) {
                    Some(u) => contents.push(u.to_owned()),
                    None => set.warnings.push(format!("{path}: a content without a uri is left out")),
                }
            }
            let index = set.tiles.len();
            if let Some(it) = t.get("implicitTiling") {
                // Its tiles come from subtree files; it waits for the first.
                let mut root = implicit::ImplicitRoot::read(it, bv, transform, geometric_error, refine).map_err(|e| format!("tileset.json: {path}: {e}"))?;
                root.content = contents.first().cloned();
                let c = implicit::Coords { root: set.implicit.len(), level: 0, x: 0, y: 0, z: 0 };
                let mut tile = root.subtree_root(c, parent, depth as u16).map_err(|e| format!("tileset.json: {path}: {e}"))?;
                tile.viewer_request = viewer_request;
                set.implicit.push(root);
                set.tiles.push(tile);
                if let Some(p) = parent {
                    set.tiles[p].children.push(index);
                }
                continue;
            }
            set.tiles.push(Tile { bounds, viewer_request, geometric_error, refine, contents, transform, parent, children: Vec::new(), depth: depth as u16, implicit: None });
            if let Some(p) = parent {
                set.tiles[p].children.push(index);
            }
            let children = t.get("children").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
            // Pushed in reverse so they are read (and numbered) in order.
            for (i, c) in children.iter().enumerate().rev() {
                let c = c.as_object().ok_or_else(|| format!("tileset.json: {path}/children/{i}: an object is needed"))?;
                stack.push((c, Some(index), format!("{path}/children/{i}")));
            }
        }
        // Depth first with children pushed in reverse: each parent lists its children in the
        // file's order as they are met.
        Ok(set)
    }

    /// Puts external tileset `sub` (read with `read_under` and tile `parent`'s transform) under
    /// `parent` in place of its content; returns the new tiles' indices. Refused past MAX_TILES.
    pub fn graft(&mut self, parent: usize, sub: Tileset) -> Result<std::ops::Range<usize>, String> {
        if self.tiles.len() + sub.tiles.len() > MAX_TILES {
            return Err(format!("more than {MAX_TILES} tiles with the external tilesets"));
        }
        let offset = self.tiles.len();
        let depth = self.tiles[parent].depth + 1;
        let roots = self.implicit.len();
        for mut t in sub.tiles {
            t.parent = Some(t.parent.map_or(parent, |p| p + offset));
            t.children.iter_mut().for_each(|c| *c += offset);
            t.depth = t.depth.saturating_add(depth);
            if let Some(c) = &mut t.implicit {
                c.root += roots;
            }
            self.tiles.push(t);
        }
        self.implicit.extend(sub.implicit);
        let p = &mut self.tiles[parent];
        p.contents.clear();
        p.children.push(offset);
        self.warnings.extend(sub.warnings);
        Ok(offset..self.tiles.len())
    }

    /// Whether content `uri` is an external tileset (its own tileset.json, read in its place).
    pub fn is_external(uri: &str) -> bool {
        uri.split(['?', '#']).next().is_some_and(|p| p.to_ascii_lowercase().ends_with(".json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_earth_tileset_lands_where_the_models_geo_reference_puts_wgs84_points() {
        // A model placed at Tianyi Square, Ningbo, turned 30° and in centimetres: any WGS84 point
        // is drawn by the tiles where GeoReference::to_scene puts a POI there.
        let geo = GeoReference { metres_per_unit: 0.01, ..GeoReference::new(121.5503, 29.8683, 12.0, 30.0) };
        let centre = crate::poi::geo::ecef(121.56, 29.87, 0.0);
        let frame = scene_frame(centre, Some(&geo));
        for (lon, lat, h) in [(121.5503, 29.8683, 12.0), (121.5603, 29.8683, 0.0), (121.5403, 29.8783, 45.0), (121.58, 29.85, -3.0)] {
            let got = frame.transform_point3(crate::poi::geo::ecef(lon, lat, h));
            let want = geo.to_scene(lon, lat, h);
            let err = (got - DVec3::new(f64::from(want[0]), f64::from(want[1]), f64::from(want[2]))).length();
            // f32 in to_scene: centimetres over ~4 km is ~0.05 units.
            assert!(err < 0.1, "{lon} {lat} {h}: tiles at {got:?}, POI at {want:?}");
        }
        // Without one: east-north-up at the root's centre, y up.
        let own = scene_frame(centre, None);
        assert!(own.transform_point3(centre).length() < 1e-6);
        let up = own.transform_point3(crate::poi::geo::ecef(121.56, 29.87, 100.0));
        assert!((up - DVec3::new(0.0, 100.0, 0.0)).length() < 1e-6, "{up:?}");
        // A local tileset keeps its metres, z up turned y up.
        assert!((scene_frame(DVec3::new(500.0, 500.0, 0.0), None).transform_point3(DVec3::new(1.0, 2.0, 3.0)) - DVec3::new(1.0, 3.0, -2.0)).length() < 1e-9);
    }

    #[test]
    fn tiles_transforms_and_refinement_are_read_in_order() {
        let set = Tileset::read(
            json!({
                "asset": {"version": "1.1"}, "geometricError": 500,
                "root": {"boundingVolume": {"sphere": [0, 0, 0, 100]}, "geometricError": 100, "refine": "ADD",
                    "transform": [1,0,0,0, 0,1,0,0, 0,0,1,0, 1000,0,0,1],
                    "children": [
                        {"boundingVolume": {"box": [10, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0, 5]}, "geometricError": 10, "content": {"uri": "a.glb"},
                         "children": [{"boundingVolume": {"sphere": [0, 0, 0, 1]}, "geometricError": 0, "refine": "replace", "contents": [{"uri": "b.glb"}, {"uri": "c.b3dm"}]}]},
                        {"boundingVolume": {"sphere": [0, 50, 0, 10]}, "geometricError": 5, "content": {"uri": "more/tileset.json"}}
                    ]}
            })
            .to_string()
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(set.tiles.len(), 4);
        assert_eq!(set.tiles[0].children, vec![1, 3], "{:?}", set.tiles.iter().map(|t| &t.contents).collect::<Vec<_>>());
        assert_eq!(set.tiles[1].contents, ["a.glb"]);
        assert_eq!(set.tiles[2].contents, ["b.glb", "c.b3dm"]);
        assert_eq!((set.tiles[1].refine, set.tiles[2].refine), (Refine::Add, Refine::Replace), "inherited, then its own");
        // The root's transform moves its descendants' volumes.
        assert!((set.tiles[1].bounds.centre() - DVec3::new(1010.0, 0.0, 0.0)).length() < 1e-9);
        assert!((set.tiles[3].bounds.centre() - DVec3::new(1000.0, 50.0, 0.0)).length() < 1e-9);
        assert!(Tileset::is_external(&set.tiles[3].contents[0]) && !Tileset::is_external("a.glb") && Tileset::is_external("x.JSON?v=2"));
    }

    #[test]
    fn bad_tilesets_are_said_with_the_tile_named() {
        let read = |v: Value| Tileset::read(v.to_string().as_bytes()).unwrap_err();
        let tile = |extra: Value| {
            let mut t = json!({"boundingVolume": {"sphere": [0, 0, 0, 1]}, "geometricError": 1});
            t.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            json!({"asset": {"version": "1.0"}, "geometricError": 1, "root": {"boundingVolume": {"sphere": [0, 0, 0, 1]}, "geometricError": 1, "children": [t]}})
        };
        assert!(read(json!({"asset": {"version": "2.0"}, "geometricError": 1, "root": {}})).contains("2.0"));
        assert!(read(json!({"asset": {"version": "1.0"}, "geometricError": 1, "root": {"geometricError": 1}})).contains("root: no boundingVolume"));
        assert!(read(tile(json!({"refine": "MAYBE"}))).contains("root/children/0: refine"));
        assert!(read(tile(json!({"transform": [0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,1]}))).contains("determinant"));
        assert!(read(tile(json!({"boundingVolume": {"sphere": [0, 0, 0, -1]}}))).contains("root/children/0"));
        assert!(read(json!({"asset": {"version": "1.0"}, "geometricError": 1, "extensionsRequired": ["3DTILES_x"], "root": {}})).contains("3DTILES_x"));
        assert!(Tileset::read(b"{").unwrap_err().contains("not JSON"));
        // A chain too deep for the JSON reader is refused, not overflowing the stack.
        let mut t = json!({"boundingVolume": {"sphere": [0, 0, 0, 1]}, "geometricError": 0});
        for _ in 0..200 {
            t = json!({"boundingVolume": {"sphere": [0, 0, 0, 1]}, "geometricError": 1, "children": [t]});
        }
        assert!(read(json!({"asset": {"version": "1.0"}, "geometricError": 1, "root": t})).contains("recursion limit"));
    }

    #[test]
    fn an_external_tileset_grafts_under_its_tile_with_the_transform() {
        let tile = |t: Value| Tileset::read(t.to_string().as_bytes()).unwrap();
        let mut set = tile(json!({"asset": {"version": "1.0"}, "geometricError": 10, "root": {"boundingVolume": {"sphere": [0, 0, 0, 100]}, "geometricError": 10,
            "transform": [1,0,0,0, 0,1,0,0, 0,0,1,0, 500,0,0,1], "content": {"uri": "sub/tileset.json"}}}));
        let sub = Tileset::read_under(json!({"asset": {"version": "1.0"}, "geometricError": 5, "root": {"boundingVolume": {"sphere": [1, 0, 0, 10]}, "geometricError": 5, "content": {"uri": "a.glb"},
            "children": [{"boundingVolume": {"sphere": [2, 0, 0, 1]}, "geometricError": 0, "content": {"uri": "b.glb"}}]}}).to_string().as_bytes(), set.tiles[0].transform).unwrap();
        let added = set.graft(0, sub).unwrap();
        assert_eq!(added, 1..3);
        assert!(set.tiles[0].contents.is_empty(), "the tile now only groups");
        assert_eq!((set.tiles[0].children.clone(), set.tiles[1].parent, set.tiles[1].children.clone(), set.tiles[2].parent), (vec![1], Some(0), vec![2], Some(1)));
        assert_eq!((set.tiles[1].depth, set.tiles[2].depth), (1, 2));
        assert!((set.tiles[2].bounds.centre() - DVec3::new(502.0, 0.0, 0.0)).length() < 1e-9);
    }

    fn corpus(path: &str) -> Option<Vec<u8>> {
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/tiles").join(path)).ok()
    }

    #[test]
    fn the_corpus_tilesets_are_read() {
        // Cesium's samples (../shared/corpus/tiles); skipped where the corpus is not beside the project.
        let Some(trees) = corpus("1.0/TilesetWithTreeBillboards/tileset.json") else { return };
        let set = Tileset::read(&trees).unwrap();
        assert_eq!(set.tiles.len(), 2);
        assert_eq!(set.tiles[0].contents, ["tree_billboard.i3dm"]);
        // A region near Philadelphia (-75.6°, 40.04°): its ECEF centre is on the earth there.
        let c = set.tiles[0].bounds.centre();
        let (lon, lat) = (c.y.atan2(c.x).to_degrees(), (c.z / c.length()).asin().to_degrees());
        assert!((lon + 75.61).abs() < 0.01 && (lat - 40.04).abs() < 0.2, "{lon} {lat}");
        assert!((c.length() - 6_369_000.0).abs() < 10_000.0);
        let box_set = Tileset::read(&corpus("1.1/BoundingBoxTests/0_0_0-1_1_2/tileset.json").unwrap()).unwrap();
        assert!((box_set.tiles[0].bounds.centre() - DVec3::new(0.5, 0.5, 1.0)).length() < 1e-12);
        let implicit = Tileset::read(&corpus("1.1/SparseImplicitQuadtree/tileset.json").unwrap()).unwrap();
        assert_eq!((implicit.implicit.len(), implicit.tiles[0].contents.clone()), (1, vec!["subtrees/0.0.0.subtree".to_string()]));
    }
}
