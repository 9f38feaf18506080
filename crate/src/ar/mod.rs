//! Location AR and the panoramic AR map: POIs around the visitor, placed from the visitor's
//! filtered position and the phone's smoothed orientation. Pure logic, tested natively; the web
//! room feeds it the browser's fixes and orientation events and moves DOM labels to match.
//!
//! Both modes reuse the overlay layout (declutter, clusters): location AR is a camera at the
//! visitor's eye in the east-north-up frame, turned by the phone; the map is a top-down dial
//! (compass up = the way the phone points) with distance on a logarithmic scale. The WebXR
//! sand table (`table`) stands the model on a real table instead.

pub mod declination;
pub mod orientation;
pub mod position;
pub mod table;

use glam::{DQuat, DVec3, Mat4, Vec3};

use crate::overlay::{self, Label, Placement, State};

/// A POI around the visitor: east, north, up of the visitor's ground point (metres).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    pub enu: DVec3,
    pub priority: i32,
    /// Label size in CSS pixels.
    pub width: f32,
    pub height: f32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// Viewport in CSS pixels.
    pub width: f32,
    pub height: f32,
    /// The camera picture's vertical field of view as shown (degrees).
    pub fov_deg: f32,
    /// POIs farther than this (metres) are not shown.
    pub max_distance: f32,
    /// The visitor's eye above the ground (metres).
    pub eye_height: f32,
}

/// What the page draws for one POI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArPlacement {
    /// As in the 3D view; `x`, `y` of an `Edge` label is its arrow's place on the screen's border.
    pub placement: Placement,
    pub edge: bool,
    /// Metres from the visitor, and compass bearing (degrees clockwise from north).
    pub distance: f32,
    pub bearing: f32,
    /// An edge arrow's direction on screen (radians, 0 = right, clockwise as y grows down).
    pub arrow: f32,
}

/// Horizontal distance and bearing of a target.
fn distance_bearing(enu: DVec3) -> (f32, f32) {
    let bearing = enu.x.atan2(enu.y).to_degrees().rem_euclid(360.0);
    (enu.length() as f32, bearing as f32)
}

fn hidden() -> Placement {
    Placement { x: 0.0, y: 0.0, scale: 0.0, opacity: 0.0, state: State::Offscreen, count: 0 }
}

/// The arrows' size and their inset from the border (CSS pixels).
const ARROW: f32 = 30.0;

/// Location AR: labels over the camera picture; POIs outside it become arrows at the border
/// pointing the way to turn (decluttered: one arrow per place on the border, with a count).
pub fn location_layout(targets: &[Target], rotation: DQuat, view: &View) -> Vec<ArPlacement> {
    let eye = DVec3::new(0.0, 0.0, f64::from(view.eye_height));
    let forward = rotation * DVec3::NEG_Z;
    let up = rotation * DVec3::Y;
    let view_m = Mat4::look_to_rh(eye.as_vec3(), forward.as_vec3(), up.as_vec3());
    let aspect = view.width.max(1.0) / view.height.max(1.0);
    let proj = Mat4::perspective_rh(view.fov_deg.clamp(10.0, 150.0).to_radians(), aspect, 0.5, view.max_distance.max(1.0) * 2.0);
    // Labels are full size within an eighth of the range and fade over its second half.
    let cam = overlay::Camera { view_proj: proj * view_m, eye: eye.as_vec3(), width: view.width, height: view.height, near_distance: view.max_distance / 8.0 };
    let labels: Vec<Label> = targets.iter().map(|t| Label { anchor: t.enu.as_vec3(), priority: t.priority, width: t.width, height: t.height }).collect();
    let placed = overlay::layout(&labels, &cam, None);
    let mut out: Vec<ArPlacement> = targets
        .iter()
        .zip(placed)
        .map(|(t, p)| {
            let (distance, bearing) = distance_bearing(t.enu);
            let p = if distance > view.max_distance { hidden() } else { p };
            ArPlacement { placement: p, edge: false, distance, bearing, arrow: 0.0 }
        })
        .collect();
    // Arrows for what is in range but out of the picture, nearest and most important first.
    let (cx, cy) = (view.width / 2.0, view.height / 2.0);
    let mut edge: Vec<usize> = (0..out.len()).filter(|&i| out[i].placement.state == State::Offscreen && out[i].distance <= view.max_distance).collect();
    edge.sort_by(|&a, &b| targets[b].priority.cmp(&targets[a].priority).then(out[a].distance.total_cmp(&out[b].distance)));
    let mut taken: Vec<(f32, f32, usize)> = Vec::new();
    for i in edge {
        // In front: the direction of its projection (camera x right, y up). Behind: which way
        // to turn, at mid height (straight behind turns right).
        let c = view_m.transform_point3(targets[i].enu.as_vec3());
        let (dx, dy) = if c.z < 0.0 { (c.x / -c.z, -c.y / -c.z) } else { (if c.x < 0.0 { -1.0 } else { 1.0 }, 0.0) };
        let len = (dx * dx + dy * dy).sqrt();
        let (ux, uy) = (dx / len, dy / len);
        let (hx, hy) = ((cx - ARROW).max(1.0), (cy - ARROW).max(1.0));
        let t = (hx / ux.abs().max(1e-6)).min(hy / uy.abs().max(1e-6));
        let (x, y) = (cx + ux * t, cy + uy * t);
        let a = &mut out[i];
        a.arrow = uy.atan2(ux);
        a.edge = true;
        match taken.iter().find(|(tx, ty, _)| (tx - x).abs() < ARROW && (ty - y).abs() < ARROW) {
            Some(&(_, _, j)) => {
                a.placement = Placement { x, y, state: State::Clustered, ..hidden() };
                out[j].placement.count += 1;
            }
            None => {
                a.placement = Placement { x, y, scale: 1.0, opacity: 1.0, state: State::Offscreen, count: 1 };
                taken.push((x, y, i));
            }
        }
    }
    out
}

/// Where on the map dial a POI `distance` metres away sits, as a fraction of the dial's radius:
/// logarithmic, so the kiosk 40 m away and the pagoda 3 km away both fit.
pub fn map_radius(distance: f32, max_distance: f32) -> f32 {
    const NEAR: f32 = 30.0;
    ((1.0 + distance.max(0.0) / NEAR).ln() / (1.0 + max_distance.max(NEAR) / NEAR).ln()).min(1.0)
}

/// The map dial's radius in CSS pixels for a viewport.
pub fn dial_radius(view: &View) -> f32 {
    (view.width.min(view.height) / 2.0 - 36.0).max(20.0)
}

/// The panoramic AR map: a dial centred on the visitor, turned so that `heading` (radians
/// clockwise from north: where the phone points) is up; each POI at its bearing, at `map_radius`
/// of its distance. The same declutter as the 3D view.
pub fn map_layout(targets: &[Target], heading: f64, view: &View) -> Vec<ArPlacement> {
    let r = dial_radius(view);
    let (cx, cy) = (view.width / 2.0, view.height / 2.0);
    // Points on the dial (pixels, y down) as anchors for an orthographic camera: nearer first
    // in the declutter through `eye` above the centre.
    let anchors: Vec<(Vec3, f32, f32)> = targets
        .iter()
        .map(|t| {
            let (distance, bearing) = distance_bearing(t.enu);
            let a = f64::from(bearing).to_radians() - heading;
            let k = map_radius(distance, view.max_distance) * r;
            (Vec3::new(k * a.sin() as f32, -k * a.cos() as f32, 0.0), distance, bearing)
        })
        .collect();
    let proj = Mat4::orthographic_rh(-cx, cx, cy, -cy, -1.0, 1.0) * Mat4::from_translation(Vec3::new(0.0, 0.0, -0.5));
    let cam = overlay::Camera { view_proj: proj, eye: Vec3::new(0.0, 0.0, 0.0), width: view.width, height: view.height, near_distance: f32::MAX };
    let labels: Vec<Label> = targets.iter().zip(&anchors).map(|(t, a)| Label { anchor: a.0, priority: t.priority, width: t.width, height: t.height }).collect();
    let placed = overlay::layout(&labels, &cam, None);
    anchors
        .iter()
        .zip(placed)
        .map(|(&(_, distance, bearing), p)| {
            let p = if distance > view.max_distance { hidden() } else { Placement { scale: 1.0, opacity: 1.0, ..p } };
            ArPlacement { placement: p, edge: false, distance, bearing, arrow: 0.0 }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(east: f64, north: f64) -> Target {
        Target { enu: DVec3::new(east, north, 0.0), priority: 0, width: 80.0, height: 24.0 }
    }

    fn view() -> View {
        View { width: 400.0, height: 800.0, fov_deg: 60.0, max_distance: 5000.0, eye_height: 1.6 }
    }

    /// The screen x at which a camera looking at `heading` (degrees) shows bearing `bearing`.
    fn expected_x(v: &View, heading: f64, bearing: f64) -> f32 {
        let half_h = (f64::from(v.fov_deg).to_radians() / 2.0).tan() * f64::from(v.width / v.height);
        (f64::from(v.width) / 2.0 * (1.0 + (bearing - heading).to_radians().tan() / half_h)) as f32
    }

    #[test]
    fn labels_sit_at_their_bearing_for_each_heading() {
        let v = view();
        // 500 m away at bearings around the compass.
        let targets: Vec<Target> = (0..36).map(|k| f64::from(k * 10).to_radians()).map(|b| target(500.0 * b.sin(), 500.0 * b.cos())).collect();
        for heading in [0.0_f64, 90.0, 180.0, 270.0] {
            let q = orientation::camera_rotation(&orientation::Reading { alpha: (360.0 - heading) % 360.0, beta: 90.0, gamma: 0.0, screen: 0.0, compass: None, absolute: true }).unwrap();
            let out = location_layout(&targets, q, &v);
            for (k, p) in out.iter().enumerate() {
                let bearing = f64::from(k as u32 * 10);
                let off = ((bearing - heading + 540.0) % 360.0) - 180.0;
                assert!((p.bearing - bearing as f32).abs() < 1e-3);
                assert!((p.distance - 500.0).abs() < 0.1);
                if off.abs() < 12.0 {
                    assert!(matches!(p.placement.state, State::Visible | State::Clustered), "heading {heading}, bearing {bearing}: {p:?}");
                    assert!((p.placement.x - expected_x(&v, heading, bearing)).abs() < 0.5, "heading {heading}, bearing {bearing}: x {} vs {}", p.placement.x, expected_x(&v, heading, bearing));
                    // On the horizon, a little below the eye.
                    assert!((p.placement.y - 400.0).abs() < 3.0, "{p:?}");
                } else if off.abs() > 20.0 && off.abs() < 179.0 {
                    assert!(p.edge, "heading {heading}, bearing {bearing} is an arrow: {p:?}");
                    // To the right of the view → arrow on the right border, and so on.
                    assert_eq!(p.placement.x > 200.0, off > 0.0, "heading {heading}, bearing {bearing}: {p:?}");
                }
            }
        }
    }

    #[test]
    fn far_pois_are_left_out_and_arrows_cluster() {
        let v = view();
        let q = orientation::camera_rotation(&orientation::Reading { alpha: 0.0, beta: 90.0, gamma: 0.0, screen: 0.0, compass: None, absolute: true }).unwrap();
        // Three behind the visitor, a little to the right; one 9 km ahead.
        let out = location_layout(&[target(1.0, -300.0), target(2.0, -310.0), target(3.0, -305.0), target(0.0, 9000.0)], q, &v);
        assert_eq!(out[3].placement.state, State::Offscreen);
        assert!(!out[3].edge && out[3].placement.opacity == 0.0, "out of range: no label, no arrow");
        let shown: Vec<&ArPlacement> = out[..3].iter().filter(|p| p.placement.state == State::Offscreen).collect();
        assert_eq!(shown.len(), 1, "{out:?}");
        assert_eq!(shown[0].placement.count, 3);
    }

    #[test]
    fn map_puts_each_poi_at_its_bearing_from_the_heading() {
        let v = View { width: 400.0, height: 400.0, ..view() };
        let targets = [target(0.0, 1000.0), target(1000.0, 0.0), target(0.0, -100.0), target(-50.0, 0.0)];
        for heading in [0.0_f64, 90.0, 200.0] {
            let out = map_layout(&targets, heading.to_radians(), &v);
            for p in &out {
                assert_eq!(p.placement.state, State::Visible, "{out:?}");
                let (dx, dy) = (p.placement.x - 200.0, p.placement.y - 200.0);
                // Clockwise from up on the screen is clockwise from the heading on the ground.
                let on_screen = f64::from(dx.atan2(-dy)).to_degrees().rem_euclid(360.0);
                let want = (f64::from(p.bearing) - heading).rem_euclid(360.0);
                assert!((on_screen - want).abs() < 0.1 || (on_screen - want).abs() > 359.9, "heading {heading}: {on_screen} vs {want}");
                let r = (dx * dx + dy * dy).sqrt();
                assert!((r - map_radius(p.distance, v.max_distance) * dial_radius(&v)).abs() < 0.1);
            }
        }
        assert!(map_radius(100.0, 5000.0) < map_radius(1000.0, 5000.0));
        assert_eq!(map_radius(9000.0, 5000.0), 1.0);
    }
}
