//! 3D Tiles 1.1 implicit tiling: a quadtree or octree described by templates and subtree files
//! of availability bitstreams, instead of one JSON object per tile. A subtree root waits in the
//! tree as a tile whose one content is its subtree file; reading that file (`Tileset::expand`)
//! adds the subtree's available tiles, with their content URIs filled in, and below its last
//! level the roots of the child subtrees that are available.

use glam::DMat4;
use serde_json::{Value, json};

use super::{Refine, Tile, Tileset, Volume};

/// What a tile with `implicitTiling` says, shared by all the tiles it makes.
#[derive(Debug, Clone, PartialEq)]
pub struct ImplicitRoot {
    pub octree: bool,
    pub subtree_levels: u32,
    pub available_levels: u32,
    /// URI templates with `{level}`, `{x}`, `{y}`, `{z}` (the web room resolves them).
    pub content: Option<String>,
    pub subtrees: String,
    /// The root's volume as written (box or region numbers) and transform.
    volume: Root,
    transform: DMat4,
    geometric_error: f64,
    refine: Refine,
}

#[derive(Debug, Clone, PartialEq)]
enum Root {
    Box([f64; 12]),
    Region([f64; 6]),
}

/// A tile's place in an implicit tree: its root (`Tileset::implicit` index) and coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coords {
    pub root: usize,
    pub level: u32,
    pub x: u64,
    pub y: u64,
    pub z: u64,
}

/// Trees deeper than this are refused (coordinates stay in u64, bitstreams stay small).
const MAX_LEVELS: u32 = 30;
/// One subtree file may make at most this many tiles.
const MAX_SUBTREE_TILES: usize = 1 << 20;

impl ImplicitRoot {
    pub fn read(it: &Value, bv: &Value, transform: DMat4, geometric_error: f64, refine: Refine) -> Result<ImplicitRoot, String> {
        let octree = match it.get("subdivisionScheme").and_then(Value::as_str) {
            Some("QUADTREE") => false,
            Some("OCTREE") => true,
            s => return Err(format!("implicitTiling: subdivisionScheme {s:?} is neither QUADTREE nor OCTREE")),
        };
        let level = |k: &str| it.get(k).and_then(Value::as_u64).filter(|&l| (1..=u64::from(MAX_LEVELS)).contains(&l)).map(|l| l as u32).ok_or_else(|| format!("implicitTiling: {k} must be 1 to {MAX_LEVELS}"));
        let (subtree_levels, available_levels) = (level("subtreeLevels")?, level("availableLevels")?);
        let subtrees = it.pointer("/subtrees/uri").and_then(Value::as_str).ok_or("implicitTiling: subtrees.uri is missing")?.to_owned();
        let nums = |v: &Value| v.as_array().map(|a| a.iter().filter_map(Value::as_f64).collect::<Vec<f64>>());
        let volume = if let Some(b) = bv.get("box").and_then(nums).filter(|b| b.len() == 12) {
            Root::Box(b.try_into().map_err(|_| "box")?)
        } else if let Some(r) = bv.get("region").and_then(nums).filter(|r| r.len() == 6) {
            Root::Region(r.try_into().map_err(|_| "region")?)
        } else {
            return Err("implicitTiling: the root's boundingVolume must be a box or a region".into());
        };
        Ok(ImplicitRoot { octree, subtree_levels, available_levels, content: None, subtrees, volume, transform, geometric_error, refine })
    }

    pub fn uri(template: &str, c: Coords) -> String {
        template.replace("{level}", &c.level.to_string()).replace("{x}", &c.x.to_string()).replace("{y}", &c.y.to_string()).replace("{z}", &c.z.to_string())
    }

    /// The volume of the tile at `c`: the root's split in halves per level along x and y (and
    /// z for an octree).
    fn volume(&self, c: Coords) -> Result<Volume, String> {
        let n = f64::from(1u32 << c.level.min(31));
        let v = match &self.volume {
            Root::Box(b) => {
                let s = 1.0 / n;
                let mut out = *b;
                // Centre moves by the half-axes: from -1 at the low edge to +1 at the high one.
                let k = [c.x, c.y, c.z].map(|i| -1.0 + (2.0 * i as f64 + 1.0) * s);
                let axes = if self.octree { 3 } else { 2 };
                for (a, &ka) in k.iter().enumerate().take(axes) {
                    for i in 0..3 {
                        out[i] += b[3 + 3 * a + i] * ka;
                        out[3 + 3 * a + i] = b[3 + 3 * a + i] * s;
                    }
                }
                json!({ "box": out.to_vec() })
            }
            Root::Region(r) => {
                let (w, s, e, north, lo, hi) = (r[0], r[1], r[2], r[3], r[4], r[5]);
                let (x, y, z) = (c.x as f64, c.y as f64, c.z as f64);
                let (dx, dy, dz) = ((e - w) / n, (north - s) / n, (hi - lo) / n);
                let (lo, hi) = if self.octree { (lo + dz * z, lo + dz * (z + 1.0)) } else { (lo, hi) };
                json!({ "region": [w + dx * x, s + dy * y, w + dx * (x + 1.0), s + dy * (y + 1.0), lo, hi] })
            }
        };
        Volume::read(&v, self.transform)
    }

    fn tile(&self, c: Coords, parent: Option<usize>, depth: u16, contents: Vec<String>, subtree: bool) -> Result<Tile, String> {
        Ok(Tile {
            bounds: self.volume(c)?,
            viewer_request: None,
            geometric_error: self.geometric_error / f64::from(1u32 << c.level.min(31)),
            refine: self.refine,
            contents,
            transform: self.transform,
            parent,
            children: Vec::new(),
            depth,
            implicit: subtree.then_some(c),
        })
    }

    /// The tile waiting for subtree `c`'s file.
    pub(super) fn subtree_root(&self, c: Coords, parent: Option<usize>, depth: u16) -> Result<Tile, String> {
        self.tile(c, parent, depth, vec![Self::uri(&self.subtrees, c)], true)
    }
}

/// An availability: all, none, or a bitstream (least significant bit first).
enum Availability<'a> {
    Constant(bool),
    Bits(&'a [u8]),
}

impl Availability<'_> {
    fn get(&self, i: usize) -> bool {
        match self {
            Availability::Constant(c) => *c,
            Availability::Bits(b) => b.get(i / 8).is_some_and(|byte| byte >> (i % 8) & 1 == 1),
        }
    }
}

/// A subtree file's JSON and binary chunk (the `.subtree` binary form; a JSON subtree has no
/// chunk and its buffers are external, which is not read yet).
fn subtree_parts(bytes: &[u8]) -> Result<(Value, &[u8]), String> {
    let u64_at = |at: usize| bytes.get(at..at + 8).map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()) as usize);
    if bytes.get(..4) != Some(b"subt") {
        return Err("not a subtree file (magic subt)".into());
    }
    let (json_len, bin_len) = (u64_at(8).ok_or("truncated header")?, u64_at(16).ok_or("truncated header")?);
    let json = bytes.get(24..24usize.checked_add(json_len).ok_or("length overflow")?).ok_or("its JSON runs past the end (truncated?)")?;
    let bin_start = 24 + json_len;
    let bin = bytes.get(bin_start..bin_start.checked_add(bin_len).ok_or("length overflow")?).ok_or("its binary chunk runs past the end (truncated?)")?;
    let v = serde_json::from_slice(json).map_err(|e| format!("its JSON: {e}"))?;
    Ok((v, bin))
}

fn availability<'a>(v: &Value, json: &Value, bin: &'a [u8], bits: usize, what: &str) -> Result<Availability<'a>, String> {
    if let Some(c) = v.get("constant").and_then(Value::as_u64) {
        return Ok(Availability::Constant(c == 1));
    }
    let view = v.get("bitstream").and_then(Value::as_u64).ok_or_else(|| format!("{what}: a bitstream or a constant is needed"))? as usize;
    let view = json.pointer(&format!("/bufferViews/{view}")).ok_or_else(|| format!("{what}: bufferView {view} is missing"))?;
    let buffer = view.get("buffer").and_then(Value::as_u64).unwrap_or(0) as usize;
    if json.pointer(&format!("/buffers/{buffer}/uri")).is_some() {
        return Err(format!("{what}: subtree buffers in their own files are not read yet"));
    }
    if buffer != 0 {
        return Err(format!("{what}: buffer {buffer} is not the subtree's binary chunk"));
    }
    let offset = view.get("byteOffset").and_then(Value::as_u64).unwrap_or(0) as usize;
    let len = view.get("byteLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let b = offset.checked_add(len).and_then(|end| bin.get(offset..end)).ok_or_else(|| format!("{what}: its bitstream runs past the binary chunk"))?;
    if b.len() * 8 < bits {
        return Err(format!("{what}: {} bits for {bits} tiles", b.len() * 8));
    }
    Ok(Availability::Bits(b))
}

impl Tileset {
    /// Reads subtree file `bytes` for tile `tile` (a subtree root waiting for it): the tile gets
    /// its own content, if available, and children; returns the new tiles' indices.
    pub fn expand(&mut self, tile: usize, bytes: &[u8]) -> Result<std::ops::Range<usize>, String> {
        let (start, saved) = (self.tiles.len(), self.tiles.get(tile).cloned());
        let out = self.expand_into(tile, bytes);
        // A subtree refused halfway adds nothing.
        if let (Err(_), Some(saved)) = (&out, saved) {
            self.tiles.truncate(start);
            self.tiles[tile] = saved;
        }
        out
    }

    fn expand_into(&mut self, tile: usize, bytes: &[u8]) -> Result<std::ops::Range<usize>, String> {
        let c = self.tiles.get(tile).and_then(|t| t.implicit).ok_or("not a subtree root")?;
        let root = self.implicit.get(c.root).ok_or("no implicit root")?.clone();
        let (json, bin) = subtree_parts(bytes)?;
        let k: u64 = if root.octree { 8 } else { 4 };
        let levels = root.subtree_levels.min(root.available_levels.saturating_sub(c.level));
        // Tiles in a subtree of `levels` levels: 1 + k + k² + …
        let level_start = |l: u32| ((k.pow(l) - 1) / (k - 1)) as usize;
        let total = level_start(levels);
        if total > MAX_SUBTREE_TILES {
            return Err(format!("a subtree of {total} tiles (at most {MAX_SUBTREE_TILES})"));
        }
        let tiles = availability(json.get("tileAvailability").ok_or("tileAvailability is missing")?, &json, bin, total, "tileAvailability")?;
        let content = match json.get("contentAvailability") {
            Some(Value::Array(a)) if !a.is_empty() => Some(availability(&a[0], &json, bin, total, "contentAvailability")?),
            Some(Value::Object(_)) => Some(availability(&json["contentAvailability"], &json, bin, total, "contentAvailability")?),
            _ => None,
        };
        let below = k.pow(root.subtree_levels) as usize;
        let children = availability(json.get("childSubtreeAvailability").ok_or("childSubtreeAvailability is missing")?, &json, bin, below, "childSubtreeAvailability")?;
        if !tiles.get(0) {
            return Err("its root tile is not available".into());
        }
        let start = self.tiles.len();
        let depth0 = self.tiles[tile].depth;
        let contents = |i: usize, g: Coords| match (&root.content, &content) {
            (Some(t), Some(a)) if a.get(i) => vec![ImplicitRoot::uri(t, g)],
            _ => Vec::new(),
        };
        // The subtree's own root is `tile`: it keeps its place and gets its content.
        self.tiles[tile].contents = contents(0, c);
        self.tiles[tile].implicit = None;
        // Level by level, each tile under its parent (found by index within the level above).
        let mut above: Vec<Option<usize>> = vec![Some(tile)];
        for l in 1..levels {
            let count = k.pow(l) as usize;
            let mut this = vec![None; count];
            for m in 0..count {
                if !tiles.get(level_start(l) + m) {
                    continue;
                }
                let Some(parent) = above.get(m / k as usize).copied().flatten() else { return Err(format!("a tile at level {} is available and its parent is not", c.level + l)) };
                let (x, y, z) = demorton(m as u64, root.octree);
                let g = Coords { root: c.root, level: c.level + l, x: (c.x << l) + x, y: (c.y << l) + y, z: (c.z << l) + z };
                let t = root.tile(g, Some(parent), depth0 + l as u16, contents(level_start(l) + m, g), false)?;
                this[m] = Some(self.push_child(parent, t)?);
            }
            above = this;
        }
        // The child subtrees' roots, under the last level's tiles, while levels remain.
        if c.level + root.subtree_levels < root.available_levels {
            let l = root.subtree_levels;
            for m in 0..below {
                if !children.get(m) {
                    continue;
                }
                let Some(parent) = above.get(m / k as usize).copied().flatten() else { return Err("a child subtree is available under a tile that is not".into()) };
                let (x, y, z) = demorton(m as u64, root.octree);
                let g = Coords { root: c.root, level: c.level + l, x: (c.x << l) + x, y: (c.y << l) + y, z: (c.z << l) + z };
                let t = root.subtree_root(g, Some(parent), depth0 + l as u16)?;
                self.push_child(parent, t)?;
            }
        }
        Ok(start..self.tiles.len())
    }

    fn push_child(&mut self, parent: usize, t: Tile) -> Result<usize, String> {
        if self.tiles.len() >= super::MAX_TILES {
            return Err(format!("more than {} tiles", super::MAX_TILES));
        }
        let i = self.tiles.len();
        self.tiles.push(t);
        self.tiles[parent].children.push(i);
        Ok(i)
    }
}

fn demorton(m: u64, octree: bool) -> (u64, u64, u64) {
    let (mut x, mut y, mut z) = (0, 0, 0);
    for bit in 0..21 {
        if octree {
            x |= ((m >> (3 * bit)) & 1) << bit;
            y |= ((m >> (3 * bit + 1)) & 1) << bit;
            z |= ((m >> (3 * bit + 2)) & 1) << bit;
        } else {
            x |= ((m >> (2 * bit)) & 1) << bit;
            y |= ((m >> (2 * bit + 1)) & 1) << bit;
        }
    }
    (x, y, z)
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::DVec3;

/// Interleaves the bits of x, y (and z): the Morton index of a tile within its level.
    fn morton(x: u64, y: u64, z: u64, octree: bool) -> u64 {
        let mut out = 0u64;
        for bit in 0..21 {
            if octree {
                out |= ((x >> bit) & 1) << (3 * bit) | ((y >> bit) & 1) << (3 * bit + 1) | ((z >> bit) & 1) << (3 * bit + 2);
            } else {
                out |= ((x >> bit) & 1) << (2 * bit) | ((y >> bit) & 1) << (2 * bit + 1);
            }
        }
        out
    }

    #[test]
    fn morton_order_round_trips() {
        for (x, y, z) in [(0, 0, 0), (1, 0, 0), (0, 1, 0), (3, 5, 0), (7, 2, 6)] {
            assert_eq!(demorton(morton(x, y, z, true), true), (x, y, z));
            assert_eq!(demorton(morton(x, y, 0, false), false), (x, y, 0));
        }
        assert_eq!(morton(1, 0, 0, false), 1);
        assert_eq!(morton(0, 1, 0, false), 2);
    }

    fn corpus(path: &str) -> Option<Vec<u8>> {
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/tiles/1.1/SparseImplicitQuadtree").join(path)).ok()
    }

    #[test]
    fn the_corpus_sparse_quadtree_expands_to_its_32_contents() {
        // Cesium's sample: 6 levels, subtrees of 3; 32 tiles at level 5 hold contents.
        let Some(json) = corpus("tileset.json") else { return };
        let mut set = Tileset::read(&json).unwrap();
        assert_eq!(set.tiles[0].contents, ["subtrees/0.0.0.subtree"]);
        assert!(set.warnings.is_empty(), "{:?}", set.warnings);
        let mut queue = vec![0usize];
        let mut contents = Vec::new();
        while let Some(i) = queue.pop() {
            if let Some(c) = set.tiles[i].implicit {
                let file = format!("subtrees/{}.{}.{}.subtree", c.level, c.x, c.y);
                assert_eq!(set.tiles[i].contents, [file.clone()]);
                let added = set.expand(i, &corpus(&file).unwrap()).unwrap();
                queue.push(i);
                queue.extend(added.filter(|&t| set.tiles[t].implicit.is_some()));
                continue;
            }
            contents.extend(set.tiles[i].contents.iter().cloned());
        }
        let mut all: Vec<String> = set.tiles.iter().flat_map(|t| t.contents.clone()).collect();
        all.sort();
        let mut files: Vec<String> = std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/tiles/1.1/SparseImplicitQuadtree/content")).unwrap().map(|e| format!("content/{}", e.unwrap().file_name().to_string_lossy())).collect();
        files.sort();
        assert_eq!(all, files, "every content the sample has, and no other");
        // A level-5 tile is 1/32 of the unit square, where its name says, with error 32 / 2^5.
        let t = set.tiles.iter().find(|t| t.contents == ["content/content_5__25_12.glb"]).unwrap();
        assert!((t.bounds.centre() - DVec3::new(25.5 / 32.0, 12.5 / 32.0, 0.00625)).length() < 1e-9, "{:?}", t.bounds);
        assert_eq!((t.geometric_error, t.depth), (1.0, 5));
        let parent = &set.tiles[t.parent.unwrap()];
        assert!((parent.bounds.centre() - DVec3::new(12.5 / 16.0, 6.5 / 16.0, 0.00625)).length() < 1e-9);
    }

    #[test]
    fn bad_subtrees_are_said() {
        let Some(json) = corpus("tileset.json") else { return };
        let mut set = Tileset::read(&json).unwrap();
        let good = corpus("subtrees/0.0.0.subtree").unwrap();
        assert!(set.expand(0, b"glTF").unwrap_err().contains("magic"));
        assert!(set.expand(0, &good[..30]).unwrap_err().contains("truncated"));
        let mut no_root = good.clone();
        let bin = 24 + u64::from_le_bytes(good[8..16].try_into().unwrap()) as usize;
        no_root[bin] &= 0xFE;
        assert!(set.expand(0, &no_root).unwrap_err().contains("root tile"));
        assert_eq!(set.tiles.len(), 1, "nothing added by a refused subtree");
        assert!(set.expand(0, &good).is_ok());
        assert!(set.expand(0, &good).unwrap_err().contains("not a subtree root"));
    }
}
