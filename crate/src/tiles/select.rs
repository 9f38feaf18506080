//! Which tiles a view draws and which it fetches: screen-space error (a tile's geometric error
//! in pixels at its distance; 16 px by default, as Cesium and 3DTilesRendererJS use), frustum
//! culling, `viewerRequestVolume`, and refinement that leaves no holes — a `REPLACE` tile is
//! replaced only once all its visible children can be drawn, and stays drawn (its children
//! fetched) until then; a wanted tile not there yet is stood in for by its loaded descendants;
//! an `ADD` tile is drawn with its children.

use glam::{DMat4, DVec3, DVec4};

use super::{Refine, Tileset};

/// Cesium's and 3DTilesRendererJS's default maximum screen-space error, in pixels.
pub const MAX_SSE: f64 = 16.0;

#[derive(Debug, Clone, Copy)]
pub struct Camera {
    pub position: DVec3,
    /// Left, right, bottom, top, near planes (xyz · p + w ≥ 0 inside), world space.
    planes: [DVec4; 5],
    /// Pixels per metre of error at one metre: screen height / (2 tan(fov_y / 2)).
    pixels: f64,
}

impl Camera {
    /// From the world-to-clip matrix (0..1 or -1..1 depth: the near plane is taken as z ≥ 0,
    /// conservative for both), the eye, the vertical field of view and the screen's height in
    /// pixels.
    pub fn new(view_proj: DMat4, position: DVec3, fov_y: f64, height_px: f64) -> Camera {
        let m = view_proj.transpose();
        let (r0, r1, r2, r3) = (m.x_axis, m.y_axis, m.z_axis, m.w_axis);
        let planes = [r3 + r0, r3 - r0, r3 + r1, r3 - r1, r2].map(|p| {
            let n = p.truncate().length();
            if n > 0.0 { p / n } else { p }
        });
        Camera { position, planes, pixels: height_px / (2.0 * (fov_y / 2.0).tan()).max(1e-9) }
    }

    /// The tile's error in pixels seen from here.
    pub fn sse(&self, geometric_error: f64, distance: f64) -> f64 {
        geometric_error * self.pixels / distance.max(1e-6)
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Selection {
    /// Tiles to draw (their contents are ready).
    pub draw: Vec<usize>,
    /// Tiles whose contents to fetch, most needed first (largest error on screen).
    pub load: Vec<usize>,
}

/// Chooses for `camera`. `ready(tile)` says whether a tile's contents are there to draw (a tile
/// without contents is always ready). Linear in the tiles visited; no recursion.
pub fn select(set: &Tileset, camera: &Camera, max_sse: f64, ready: impl Fn(usize) -> bool) -> Selection {
    select_with(set, camera, max_sse, ready, |_| false)
}

/// As `select`, with tiles whose contents could not be had (`failed`): a parent keeps being
/// drawn in place of its failed child; a failed tile with nothing drawn above it (the root, a
/// child of an `ADD` tile) gives way to its children, so one bad tile does not empty the view.
pub fn select_with(set: &Tileset, camera: &Camera, max_sse: f64, ready: impl Fn(usize) -> bool, failed: impl Fn(usize) -> bool) -> Selection {
    let mut out = Selection::default();
    let mut load: Vec<(f64, usize)> = Vec::new();
    let visible = |i: usize| {
        let t = &set.tiles[i];
        !camera.planes.iter().any(|p| t.bounds.outside(*p)) && t.viewer_request.is_none_or(|v| v.contains(camera.position))
    };
    let error = |i: usize| {
        let t = &set.tiles[i];
        camera.sse(t.geometric_error, t.bounds.distance(camera.position))
    };
    let drawable = |i: usize| set.tiles[i].contents.is_empty() || ready(i);
    if set.tiles.is_empty() || !visible(0) {
        return out;
    }
    let mut stack = vec![0usize];
    while let Some(i) = stack.pop() {
        let t = &set.tiles[i];
        if failed(i) {
            stack.extend(t.children.iter().copied().filter(|&c| visible(c)).rev());
            continue;
        }
        let sse = error(i);
        // `fill`: a wanted tile that is not there (evicted while its children were drawn, and
        // wanted again as the camera backs off) is stood in for by its nearest loaded
        // descendants until it arrives, as Cesium does, rather than leaving a hole.
        let mut want = |i: usize, sse: f64, out: &mut Selection, fill: bool| {
            if set.tiles[i].contents.is_empty() {
                return;
            }
            if ready(i) {
                out.draw.push(i);
                return;
            }
            load.push((sse, i));
            if fill {
                let mut under: Vec<usize> = set.tiles[i].children.iter().copied().filter(|&c| visible(c)).collect();
                while let Some(c) = under.pop() {
                    if !set.tiles[c].contents.is_empty() && ready(c) && !failed(c) {
                        out.draw.push(c);
                    } else {
                        under.extend(set.tiles[c].children.iter().copied().filter(|&g| visible(g)));
                    }
                }
            }
        };
        let children: Vec<usize> = t.children.iter().copied().filter(|&c| visible(c)).collect();
        if sse <= max_sse || t.children.is_empty() {
            want(i, sse, &mut out, true);
            continue;
        }
        match t.refine {
            Refine::Add => {
                want(i, sse, &mut out, false);
                stack.extend(children.iter().rev());
            }
            // Replaced only by children that can all be drawn; until then drawn itself, and
            // they are fetched.
            Refine::Replace if children.iter().all(|&c| drawable(c)) => stack.extend(children.iter().rev()),
            // The children are fetched once this tile is there (coarse first: no holes meanwhile).
            Refine::Replace => {
                want(i, sse, &mut out, true);
                if drawable(i) {
                    for &c in &children {
                        if !drawable(c) && !failed(c) {
                            load.push((error(c), c));
                        }
                    }
                }
            }
        }
    }
    load.sort_by(|a, b| b.0.total_cmp(&a.0));
    out.load = load.into_iter().map(|(_, i)| i).collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiles::Tileset;
    use serde_json::{Value, json};

    /// A quadtree over a 1024 m square on z = 0: root error 64, halving per level, leaves (level
    /// 3) error 0. Each tile has content `L-X-Y.glb`.
    fn quadtree(refine: &str) -> Tileset {
        fn tile(level: u32, x: u32, y: u32, refine: &str) -> Value {
            let size = 1024.0 / f64::from(1 << level);
            let (cx, cy) = ((f64::from(x) + 0.5) * size, (f64::from(y) + 0.5) * size);
            let children: Vec<Value> = if level < 3 { (0..4).map(|k| tile(level + 1, x * 2 + k % 2, y * 2 + k / 2, refine)).collect() } else { vec![] };
            json!({"boundingVolume": {"box": [cx, cy, 0, size / 2.0, 0, 0, 0, size / 2.0, 0, 0, 0, 1]},
                   "geometricError": if level < 3 { 64.0 / f64::from(1 << level) } else { 0.0 }, "refine": refine,
                   "content": {"uri": format!("{level}-{x}-{y}.glb")}, "children": children})
        }
        Tileset::read(json!({"asset": {"version": "1.1"}, "geometricError": 128, "root": tile(0, 0, 0, refine)}).to_string().as_bytes()).unwrap()
    }

    /// Looking straight down from `height` m over (x, y), 60° field of view, 800 px high.
    fn above(x: f64, y: f64, height: f64) -> Camera {
        let eye = DVec3::new(x, y, height);
        let vp = DMat4::perspective_rh(60f64.to_radians(), 1.0, 1.0, 1e6) * DMat4::look_at_rh(eye, DVec3::new(x, y, 0.0), DVec3::Y);
        Camera::new(vp, eye, 60f64.to_radians(), 800.0)
    }

    fn name(set: &Tileset, i: usize) -> &str {
        &set.tiles[i].contents[0]
    }

    #[test]
    fn far_away_the_root_alone_close_up_the_leaves_underfoot() {
        let set = quadtree("REPLACE");
        let all = |_: usize| true;
        let far = select(&set, &above(512.0, 512.0, 20_000.0), MAX_SSE, all);
        assert_eq!(far.draw.iter().map(|&i| name(&set, i)).collect::<Vec<_>>(), ["0-0-0.glb"]);
        assert!(far.load.is_empty());
        let near = select(&set, &above(100.0, 100.0, 50.0), MAX_SSE, all);
        let names: Vec<&str> = near.draw.iter().map(|&i| name(&set, i)).collect();
        assert!(names.contains(&"3-0-0.glb"), "the leaf underfoot: {names:?}");
        assert!(!names.contains(&"0-0-0.glb"), "replaced");
        // Every drawn tile is fine enough, or a leaf; none is drawn with an ancestor (no overlap).
        let cam = above(100.0, 100.0, 50.0);
        for &i in &near.draw {
            let t = &set.tiles[i];
            assert!(t.children.is_empty() || cam.sse(t.geometric_error, t.bounds.distance(cam.position)) <= MAX_SSE);
            let mut p = t.parent;
            while let Some(a) = p {
                assert!(!near.draw.contains(&a), "{} is drawn with its ancestor {}", name(&set, i), name(&set, a));
                p = set.tiles[a].parent;
            }
        }
        // Looking across the square from a corner: leaves near, coarser tiles far.
        let eye = DVec3::new(20.0, 20.0, 30.0);
        let vp = DMat4::perspective_rh(60f64.to_radians(), 1.0, 1.0, 1e6) * DMat4::look_at_rh(eye, DVec3::new(1024.0, 1024.0, 0.0), DVec3::Z);
        let cam = Camera::new(vp, eye, 60f64.to_radians(), 800.0);
        let across = select(&set, &cam, MAX_SSE, all);
        let depth_at = |i: usize| (set.tiles[i].depth, set.tiles[i].bounds.distance(eye));
        let near_leaf = across.draw.iter().map(|&i| depth_at(i)).any(|(d, r)| d == 3 && r < 100.0);
        let far_coarse = across.draw.iter().map(|&i| depth_at(i)).any(|(d, r)| d < 3 && r > 500.0);
        assert!(near_leaf && far_coarse, "{:?}", across.draw.iter().map(|&i| depth_at(i)).collect::<Vec<_>>());
    }

    #[test]
    fn parents_stay_drawn_until_their_children_are_ready() {
        let set = quadtree("REPLACE");
        let cam = above(100.0, 100.0, 50.0);
        // Only the root is loaded: it is drawn, its visible children are fetched.
        let s = select(&set, &cam, MAX_SSE, |i| i == 0);
        assert_eq!(s.draw, [0]);
        assert!(!s.load.is_empty() && s.load.iter().all(|&i| set.tiles[i].depth == 1), "{:?}", s.load.iter().map(|&i| name(&set, i)).collect::<Vec<_>>());
        // Nothing loaded: the root is fetched first and nothing is drawn (no holes, no guesses).
        let s = select(&set, &cam, MAX_SSE, |_| false);
        assert_eq!((s.draw.len(), s.load.clone()), (0, vec![0]));
        // Most visible error first.
        let s = select(&set, &cam, MAX_SSE, |i| set.tiles[i].depth <= 1);
        let errors: Vec<f64> = s.load.iter().map(|&i| cam.sse(set.tiles[i].geometric_error, set.tiles[i].bounds.distance(cam.position))).collect();
        assert!(errors.windows(2).all(|w| w[0] >= w[1]), "{errors:?}");
    }

    #[test]
    fn backing_off_past_an_evicted_parent_keeps_its_loaded_children_drawn_until_it_is_back() {
        let set = quadtree("REPLACE");
        let far = above(512.0, 512.0, 20_000.0);
        // The root was evicted while its four children were drawn; from afar only the root is
        // wanted: it is fetched, and the children stand in for it meanwhile.
        let s = select(&set, &far, MAX_SSE, |i| set.tiles[i].depth == 1);
        assert_eq!(s.load, [0]);
        let mut drawn: Vec<&str> = s.draw.iter().map(|&i| name(&set, i)).collect();
        drawn.sort_unstable();
        assert_eq!(drawn, ["1-0-0.glb", "1-0-1.glb", "1-1-0.glb", "1-1-1.glb"]);
        // Only deeper tiles are left, under one child: the nearest loaded ones stand in, once each.
        let c = set.tiles[0].children[0];
        let leaves = |i: usize| set.tiles[i].depth == 3 && set.tiles[set.tiles[i].parent.unwrap()].parent.unwrap() == c;
        let s = select(&set, &far, MAX_SSE, leaves);
        assert_eq!(s.draw.len(), 16, "{:?}", s.draw.iter().map(|&i| name(&set, i)).collect::<Vec<_>>());
        // Once the root is back, it alone is drawn.
        assert_eq!(select(&set, &far, MAX_SSE, |_| true).draw, [0]);
    }

    #[test]
    fn a_failed_tile_keeps_its_parent_drawn_and_a_failed_root_gives_way() {
        let set = quadtree("REPLACE");
        let cam = above(100.0, 100.0, 50.0);
        let child = set.tiles[0].children[0];
        // A child under the camera failed: the root stays drawn, and nothing under that child is fetched.
        let s = select_with(&set, &cam, MAX_SSE, |i| i != child, |i| i == child);
        assert_eq!(s.draw, [0]);
        assert!(!s.load.contains(&child) && s.load.iter().all(|&i| set.tiles[i].parent != Some(child)));
        // The root failed: its children are fetched (and drawn once there) instead of nothing.
        let s = select_with(&set, &cam, MAX_SSE, |_| false, |i| i == 0);
        assert!(s.draw.is_empty() && !s.load.is_empty() && s.load.iter().all(|&i| set.tiles[i].depth == 1), "{:?}", s.load);
        let s = select_with(&set, &above(512.0, 512.0, 20_000.0), MAX_SSE, |i| i != 0, |i| i == 0);
        assert_eq!(s.draw.len(), 4, "from afar, the four children stand in for the root");
    }

    #[test]
    fn out_of_view_tiles_are_neither_drawn_nor_fetched_and_add_draws_parents_too() {
        let set = quadtree("REPLACE");
        // Looking up into the sky from under the square.
        let eye = DVec3::new(512.0, 512.0, -10.0);
        let vp = DMat4::perspective_rh(60f64.to_radians(), 1.0, 1.0, 1e6) * DMat4::look_at_rh(eye, eye - DVec3::Z, DVec3::Y);
        let away = select(&set, &Camera::new(vp, eye, 60f64.to_radians(), 800.0), MAX_SSE, |_| false);
        assert_eq!(away, Selection::default());
        // Close over one corner: nothing of the far corner's leaves is asked for.
        let s = select(&set, &above(100.0, 100.0, 50.0), MAX_SSE, |i| set.tiles[i].depth < 3);
        assert!(s.load.iter().all(|&i| set.tiles[i].bounds.distance(DVec3::new(100.0, 100.0, 0.0)) < 300.0), "{:?}", s.load.iter().map(|&i| name(&set, i)).collect::<Vec<_>>());
        let add = quadtree("ADD");
        let s = select(&add, &above(100.0, 100.0, 50.0), MAX_SSE, |_| true);
        let names: Vec<&str> = s.draw.iter().map(|&i| name(&add, i)).collect();
        assert!(names.contains(&"0-0-0.glb") && names.contains(&"3-0-0.glb"), "{names:?}");
    }

    #[test]
    fn a_viewer_request_volume_keeps_a_tile_until_the_camera_is_inside() {
        let set = Tileset::read(
            json!({"asset": {"version": "1.0"}, "geometricError": 100, "root": {"boundingVolume": {"sphere": [0, 0, 0, 1000]}, "geometricError": 100, "refine": "ADD",
                "children": [{"boundingVolume": {"sphere": [0, 0, 0, 10]}, "viewerRequestVolume": {"sphere": [0, 0, 0, 200]}, "geometricError": 0, "content": {"uri": "inside.glb"}}]}})
            .to_string()
            .as_bytes(),
        )
        .unwrap();
        let look = |z: f64| {
            let eye = DVec3::new(0.0, 0.0, z);
            Camera::new(DMat4::perspective_rh(1.0, 1.0, 1.0, 1e6) * DMat4::look_at_rh(eye, DVec3::ZERO, DVec3::Y), eye, 1.0, 800.0)
        };
        assert!(select(&set, &look(500.0), MAX_SSE, |_| false).load.is_empty());
        assert_eq!(select(&set, &look(150.0), MAX_SSE, |_| false).load, [1]);
    }
}
