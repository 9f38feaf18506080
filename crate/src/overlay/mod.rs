//! Overlay layout: anchors in the scene + camera + viewport → where each label goes on screen,
//! whether it is hidden (behind the camera, off screen, behind geometry) or folded into a
//! cluster, and how large and opaque it is. Pure logic; the web room moves DOM labels to match.

use glam::{Mat4, Vec3};

use crate::geometry::bvh::Occluders;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Label {
    pub anchor: Vec3,
    pub priority: i32,
    /// Label size in CSS pixels at scale 1 (measured once by the page).
    pub width: f32,
    pub height: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Visible,
    /// Behind the camera or outside the viewport.
    Offscreen,
    /// Scene geometry lies between the camera and the anchor.
    Occluded,
    /// Overlaps a label that won the space; counted in that label's cluster.
    Clustered,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Anchor on screen, CSS pixels from the top left.
    pub x: f32,
    pub y: f32,
    pub scale: f32,
    pub opacity: f32,
    pub state: State,
    /// Labels folded into this one (itself included); 1 when alone.
    pub count: u32,
}

pub struct Camera {
    pub view_proj: Mat4,
    pub eye: Vec3,
    /// Viewport in CSS pixels.
    pub width: f32,
    pub height: f32,
    /// Distance at which labels are drawn at full size; they shrink and fade beyond it.
    pub near_distance: f32,
}

/// Places every label. Winners are taken by priority, then nearness; a label overlapping a
/// winner joins that winner's cluster.
pub fn layout(labels: &[Label], cam: &Camera, occluders: Option<&Occluders>) -> Vec<Placement> {
    let mut out: Vec<Placement> = labels
        .iter()
        .map(|l| {
            let clip = cam.view_proj * l.anchor.extend(1.0);
            let hidden = Placement { x: 0.0, y: 0.0, scale: 0.0, opacity: 0.0, state: State::Offscreen, count: 0 };
            if clip.w <= 1e-6 {
                return hidden;
            }
            let ndc = clip.truncate() / clip.w;
            let (x, y) = ((ndc.x + 1.0) * 0.5 * cam.width, (1.0 - ndc.y) * 0.5 * cam.height);
            if !(0.0..=cam.width).contains(&x) || !(0.0..=cam.height).contains(&y) || ndc.z > 1.0 {
                return Placement { x, y, ..hidden };
            }
            let dist = (l.anchor - cam.eye).length();
            let ratio = cam.near_distance / dist.max(1e-6);
            let scale = ratio.clamp(0.6, 1.0);
            // Fade out between 4x and 8x the full-size distance.
            let opacity = ((ratio - 0.125) / 0.125).clamp(0.0, 1.0);
            Placement { x, y, scale, opacity, state: State::Visible, count: 1 }
        })
        .collect();

    // Declutter: greedy by priority then distance, rectangles bucketed in a grid. A label that
    // overlaps a winner joins its cluster without a line-of-sight test, so ray casts are spent
    // only on labels that would otherwise show (at 10,000 POIs most fold into clusters).
    // Sort keys computed once: priority (highest first), then distance (nearest first).
    // One integer key per label (priority high first, then the squared distance, whose bits
    // order as the non-negative float does): integer compares sort 10,000 labels in a third of
    // the time a (priority, float, index) comparator took.
    let mut order: Vec<(u64, u32)> = (0..labels.len())
        .filter(|&i| out[i].state == State::Visible && out[i].opacity > 0.0)
        .map(|i| {
            let rank = (i32::MAX as i64 - labels[i].priority as i64) as u64;
            let d2 = (labels[i].anchor - cam.eye).length_squared();
            let d2 = if d2.is_finite() { d2.max(0.0) } else { f32::MAX };
            ((rank << 32) | u64::from(d2.to_bits()), i as u32)
        })
        .collect();
    order.sort_unstable();
    const CELL: f32 = 128.0;
    // A flat grid over the viewport (rectangles reaching past it fall in the border cells, which
    // keeps every overlap in a shared cell): no hashing per look-up, as a HashMap of cells had.
    let cols = (cam.width.max(1.0) / CELL).ceil() as i32 + 1;
    let rows = (cam.height.max(1.0) / CELL).ceil() as i32 + 1;
    // Each cell keeps its winners' rectangles beside their index: no look-ups back into the labels.
    let mut grid: Vec<Vec<([f32; 4], u32)>> = vec![Vec::new(); (cols * rows) as usize];
    let cell = |cx: i32, cy: i32| (cx + cy * cols) as usize;
    let rect = |i: usize, p: &Placement| {
        // Labels sit above their anchor, centred.
        let (w, h) = (labels[i].width * p.scale, labels[i].height * p.scale);
        (p.x - w / 2.0, p.y - h, p.x + w / 2.0, p.y)
    };
    for &(_, i) in &order {
        let i = i as usize;
        let r = rect(i, &out[i]);
        // Truncation, not floor: the two differ only below 0, which clamps to 0 either way.
        let at = |v: f32, n: i32| ((v / CELL) as i32).clamp(0, n - 1);
        let (cx0, cy0, cx1, cy1) = (at(r.0, cols), at(r.1, rows), at(r.2, cols), at(r.3, rows));
        let mut winner = None;
        'cells: for cx in cx0..=cx1 {
            for cy in cy0..=cy1 {
                for &(o, j) in &grid[cell(cx, cy)] {
                    if r.0 < o[2] && o[0] < r.2 && r.1 < o[3] && o[1] < r.3 {
                        winner = Some(j as usize);
                        break 'cells;
                    }
                }
            }
        }
        match winner {
            Some(j) => {
                out[i].state = State::Clustered;
                out[j].count += 1;
            }
            None if occluders.is_some_and(|o| {
                let l = &labels[i];
                o.occluded(cam.eye, l.anchor, (l.anchor - cam.eye).length() * 0.002 + 0.05)
            }) =>
            {
                out[i].state = State::Occluded;
            }
            None => {
                for cx in cx0..=cx1 {
                    for cy in cy0..=cy1 {
                        grid[cell(cx, cy)].push(([r.0, r.1, r.2, r.3], i as u32));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn camera() -> Camera {
        let view = Mat4::look_at_rh(Vec3::new(0.0, 0.0, 10.0), Vec3::ZERO, Vec3::Y);
        let proj = Mat4::perspective_rh(1.0, 1.0, 0.1, 100.0);
        Camera { view_proj: proj * view, eye: Vec3::new(0.0, 0.0, 10.0), width: 400.0, height: 400.0, near_distance: 20.0 }
    }

    fn label(x: f32, y: f32, z: f32, priority: i32) -> Label {
        Label { anchor: Vec3::new(x, y, z), priority, width: 60.0, height: 20.0 }
    }

    #[test]
    fn projects_to_the_viewport_centre_and_hides_what_is_behind() {
        let p = layout(&[label(0.0, 0.0, 0.0, 0), label(0.0, 0.0, 20.0, 0)], &camera(), None);
        assert!((p[0].x - 200.0).abs() < 1e-3 && (p[0].y - 200.0).abs() < 1e-3);
        assert_eq!(p[0].state, State::Visible);
        assert_eq!(p[1].state, State::Offscreen);
    }

    #[test]
    fn overlapping_labels_cluster_under_the_higher_priority() {
        let p = layout(&[label(0.0, 0.0, 0.0, 0), label(0.05, 0.0, 0.0, 5), label(3.0, 3.0, 0.0, 0)], &camera(), None);
        assert_eq!(p[1].state, State::Visible);
        assert_eq!(p[1].count, 2);
        assert_eq!(p[0].state, State::Clustered);
        assert_eq!((p[2].state, p[2].count), (State::Visible, 1));
    }

    #[test]
    fn a_wall_hides_the_label_behind_it() {
        let wall = vec![
            [Vec3::new(-1.0, -1.0, 2.0), Vec3::new(1.0, -1.0, 2.0), Vec3::new(1.0, 1.0, 2.0)],
            [Vec3::new(-1.0, -1.0, 2.0), Vec3::new(1.0, 1.0, 2.0), Vec3::new(-1.0, 1.0, 2.0)],
        ];
        let occluders = Occluders::new(vec![wall], [(0, Mat4::IDENTITY)]);
        let p = layout(&[label(0.0, 0.0, 0.0, 0), label(3.0, 0.0, 0.0, 0)], &camera(), Some(&occluders));
        assert_eq!(p[0].state, State::Occluded);
        assert_eq!(p[1].state, State::Visible);
    }

    #[test]
    fn many_labels_never_overlap() {
        let labels: Vec<Label> = (0..1000).map(|i| label(((i * 37) % 100) as f32 * 0.08 - 4.0, ((i * 61) % 100) as f32 * 0.08 - 4.0, 0.0, i % 7)).collect();
        let p = layout(&labels, &camera(), None);
        let visible: Vec<usize> = (0..labels.len()).filter(|&i| p[i].state == State::Visible).collect();
        assert!(visible.len() > 10);
        for (k, &a) in visible.iter().enumerate() {
            for &b in &visible[k + 1..] {
                let ra = (p[a].x - 30.0 * p[a].scale, p[a].y - 20.0 * p[a].scale, p[a].x + 30.0 * p[a].scale, p[a].y);
                let rb = (p[b].x - 30.0 * p[b].scale, p[b].y - 20.0 * p[b].scale, p[b].x + 30.0 * p[b].scale, p[b].y);
                assert!(!(ra.0 < rb.2 && rb.0 < ra.2 && ra.1 < rb.3 && rb.1 < ra.3), "{a} and {b} overlap");
            }
        }
        let total: u32 = visible.iter().map(|&i| p[i].count).sum();
        assert_eq!(total as usize, labels.len(), "every label is shown or counted in a cluster");
    }
}
