//! Walk mode on the lakeside scene: the eye stays at eye height over the ground while walking up
//! the pagoda's hill, and the pagoda's 1.2 m stone platform stops the walker at its wall.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use glam::Vec3;
use scenic::camera::walk::{EYE_HEIGHT, RADIUS, Surfaces, Walk};

#[test]
fn lakeside_walk_keeps_eye_height_and_stops_at_the_pagoda() {
    let (scene, index, bounds) = common::lakeside();
    let occ = Surfaces::of(&scene, index);
    // The pagoda stands at (62, -48) on a hill, trees around. Start 30 m out on a bearing whose
    // way up is free of trees (nothing at 0.5–2 m high, branches included, a body's width either side, before the
    // platform), facing the pagoda.
    let centre = Vec3::new(62.0, 0.0, -48.0);
    let clear = |dir: Vec3| {
        let side = Vec3::new(-dir.z, 0.0, dir.x) * 0.6;
        let Some(w) = Walk::enter(&occ, bounds, centre + dir * 30.0, 0.0, 0.8) else { return false };
        [-1.0f32, 0.0, 1.0].iter().all(|s| {
            [0.5f32, 1.0, 1.75, 2.0].iter().all(|h| {
                let from = w.feet + side * *s + Vec3::Y * *h;
                let to = Vec3::new(centre.x, from.y + 8.0, centre.z) + side * *s;
                occ.solid.first_hit(from, to).is_none_or(|(t, _)| t * (to - from).length() > 30.0 - 7.5)
            })
        })
    };
    // Bearings square to the octagon's sides (met askew, the walker slides round it).
    let dir = (0..8).map(|k| (k as f32 * 45f32).to_radians()).map(|a| Vec3::new(a.sin(), 0.0, a.cos())).find(|d| clear(*d)).expect("a way up the pagoda's hill without trees");
    // Facing -dir: yaw such that forward (-sin yaw, -cos yaw) = -dir.
    let mut w = Walk::enter(&occ, bounds, centre + dir * 30.0, dir.x.atan2(dir.z), 0.8).unwrap();
    w.set_input(1.0, 0.0, false);
    let start_y = w.feet.y;
    let mut checked = 0;
    for _ in 0..(40 * 60) {
        w.update(&occ, 1.0 / 60.0);
        // The ground straight below the eye, measured here by a ray of its own.
        let eye = w.eye();
        let (t, _) = occ.solid.first_hit(eye, eye - Vec3::Y * 10.0).expect("ground under the eye");
        assert!((t * 10.0 - EYE_HEIGHT).abs() < 0.05, "eye {:.3} m above the ground at {eye}", t * 10.0);
        checked += 1;
    }
    assert!(checked > 2000 && w.feet.y > start_y + 3.0, "walked up the hill: {} from {start_y}", w.feet);
    // Stopped at the platform: an octagon of radius 7 m (6.47 m to the middle of a side).
    let d = Vec3::new(w.feet.x - centre.x, 0.0, w.feet.z - centre.z).length();
    assert!(d > 6.47 + RADIUS - 0.05 && d < 7.0 + RADIUS + 0.3, "{d:.2} m from the pagoda's centre");
}


#[test]
fn lakeside_walk_begun_over_the_lake_starts_on_its_shore() {
    let (scene, index, bounds) = common::lakeside();
    let occ = Surfaces::of(&scene, index);
    // A point in the lake: no ground to stand on there.
    assert!(occ.ground(Vec3::new(20.0, -20.0, -10.0), 100.0).is_none(), "(20, -10) is not in the lake");
    let w = Walk::enter(&occ, bounds, Vec3::new(20.0, 0.0, -10.0), 0.0, 0.8).unwrap();
    let water = occ.liquid.first_hit(w.feet + Vec3::Y * 2.0, w.feet - Vec3::Y * 1.0).map(|(t, _)| w.feet.y + 2.0 - t * 3.0);
    assert!(water.is_none_or(|y| y < w.feet.y + 0.3), "standing in the lake at {} (water at {water:?})", w.feet);
    assert!(Vec3::new(w.feet.x - 20.0, 0.0, w.feet.z + 10.0).length() < bounds.radius() * 0.5);
}
