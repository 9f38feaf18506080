//! Walk mode: a first-person camera at eye height that follows the scene's ground, climbs steps
//! up to a stated height and is stopped by walls and deep water. Rays against the scene's BVHs
//! find the ground and the walls ahead (so a step is not taken through a wall); then the body, a
//! capsule from over a step to over the eye, is pushed out of what it still touches (a post or a
//! corner between the rays), as three.js's games_fps does with a capsule against an octree. Pure
//! logic, tested natively.

use glam::{Mat4, Vec3};

use crate::geometry::Aabb;
use crate::geometry::bvh::Occluders;

/// Metres. The eye above the ground.
pub const EYE_HEIGHT: f32 = 1.6;
/// The highest step (a stair, a kerb) walked up; anything taller is a wall.
pub const STEP: f32 = 0.45;
/// How far the body keeps from walls.
pub const RADIUS: f32 = 0.3;
/// Walking speed, m/s (running is three times it).
pub const SPEED: f32 = 1.4;
/// A surface whose normal's height exceeds this (slopes under 50°) is ground to walk up, not a wall.
const WALKABLE: f32 = 0.64;
/// How far down the ground is looked for under the feet (a drop off a wall is taken).
const FALL: f32 = 50.0;
/// Heights above the feet at which walls are felt for: above a step, at the chest, and just over
/// the eye (low branches and eaves, which would otherwise fill the view).
const FEEL: [f32; 3] = [STEP + 0.05, 1.3, EYE_HEIGHT + 0.15];

#[derive(Debug, Clone, PartialEq)]
pub struct Walk {
    /// The point on the ground between the feet.
    pub feet: Vec3,
    /// Radians around +Y as the orbit camera's: 0 looks down -Z, growing turns left.
    pub yaw: f32,
    /// Radians above the horizon.
    pub pitch: f32,
    pub fov_y: f32,
    /// The scene's size, for the far plane.
    radius: f32,
    /// Held input: forward and right in -1..1, and whether running.
    input: (f32, f32, bool),
    /// Metres per second, eased towards what the input asks.
    velocity: Vec3,
    /// Scene units in a metre ([`Surfaces::unit`]).
    unit: f32,
}

/// Water deeper than this is a shore, not a way on.
pub const WADE: f32 = 0.3;

/// What a walker meets: solid surfaces (ground, walls) and liquid ones (blended materials: water,
/// glass), which are walls to walk into and, lying over the ground, water to stop at.
pub struct Surfaces {
    pub solid: Occluders,
    pub liquid: Occluders,
    /// Scene units in a metre (1 for glTF's metres; from the geo-reference's `metresPerUnit`):
    /// every height, reach and speed above is scaled by it.
    pub unit: f32,
}

impl Surfaces {
    /// A scene's: blended materials (water, glass) liquid, the rest solid.
    pub fn of(scene: &crate::scene::Scene, index: usize) -> Surfaces {
        let liquid = |p: &crate::scene::Primitive| p.material.and_then(|m| scene.materials.get(m)).is_some_and(|m| m.alpha_mode == crate::scene::AlphaMode::Blend);
        Surfaces { solid: scene.occluders_where(index, |p| !liquid(p)), liquid: scene.occluders_where(index, liquid), unit: scene.units_per_metre() }
    }

    /// The nearest surface of either kind on the segment.
    fn hit(&self, a: Vec3, b: Vec3) -> Option<(f32, Vec3)> {
        match (self.solid.first_hit(a, b), self.liquid.first_hit(a, b)) {
            (Some(x), Some(y)) => Some(if x.0 <= y.0 { x } else { y }),
            (x, y) => x.or(y),
        }
    }

    /// The ground under `p` to stand on: the first solid surface going down from `p` + `up`,
    /// unless water lies over it deeper than [`WADE`].
    pub fn ground(&self, p: Vec3, up: f32) -> Option<f32> {
        let y = ground(&self.solid, p, up, FALL * self.unit)?;
        // Water crossed on the way down to that ground (from the walker's step height: a glass
        // roof overhead is not crossed).
        let top = p + Vec3::Y * up;
        let drop = top.y - y;
        match self.liquid.first_hit(top, Vec3::new(p.x, y, p.z)) {
            Some((t, _)) if drop * (1.0 - t) > WADE * self.unit => None,
            _ => Some(y),
        }
    }
}

/// The first surface met going down from `p` + `up`, at most `fall` below `p`.
fn ground(occ: &Occluders, p: Vec3, up: f32, fall: f32) -> Option<f32> {
    let from = p + Vec3::Y * up;
    let (t, _) = occ.first_hit(from, from - Vec3::Y * (up + fall))?;
    Some(from.y - t * (up + fall))
}

impl Walk {
    /// Stands on the ground under `at` (looked for from above the scene), or where `at` is in
    /// a lake, on the nearest dry ground to it; facing `yaw`. None when the scene has no ground
    /// to stand on near `at`.
    pub fn enter(surfaces: &Surfaces, bounds: Aabb, at: Vec3, yaw: f32, fov_y: f32) -> Option<Walk> {
        let drop = bounds.max.y + 1.0 - (bounds.min.y - 1.0);
        let stand = |x: f32, z: f32| surfaces.ground(Vec3::new(x, bounds.min.y - 1.0, z), drop).map(|y| Vec3::new(x, y, z));
        let reach = bounds.radius().max(1.0);
        // Rings of 16 points every 2 % of the scene's radius, out to half of it.
        let feet = stand(at.x, at.z).or_else(|| {
            (1..=25).find_map(|ring| {
                let r = reach * 0.02 * ring as f32;
                (0..16).find_map(|k| {
                    let a = k as f32 * std::f32::consts::TAU / 16.0;
                    stand(at.x + r * a.sin(), at.z + r * a.cos())
                })
            })
        })?;
        Some(Walk { feet, yaw, pitch: 0.0, fov_y, radius: reach, input: (0.0, 0.0, false), velocity: Vec3::ZERO, unit: surfaces.unit })
    }

    pub fn eye(&self) -> Vec3 {
        self.feet + Vec3::Y * EYE_HEIGHT * self.unit
    }

    /// The unit vector the eye looks along.
    pub fn forward(&self) -> Vec3 {
        let (sy, cy) = self.yaw.sin_cos();
        let (sp, cp) = self.pitch.sin_cos();
        Vec3::new(-sy * cp, sp, -cy * cp)
    }

    pub fn view(&self) -> Mat4 {
        Mat4::look_to_rh(self.eye(), self.forward(), Vec3::Y)
    }

    pub fn projection(&self, aspect: f32) -> Mat4 {
        Mat4::perspective_rh(self.fov_y, aspect.max(1e-3), 0.05 * self.unit, self.radius * 6.0 + 100.0 * self.unit)
    }

    /// Drag to look, by a fraction of the viewport height (the world follows the finger).
    pub fn look(&mut self, dx: f32, dy: f32) {
        if dx.is_finite() && dy.is_finite() {
            self.yaw = (self.yaw + dx * self.fov_y * 1.5) % std::f32::consts::TAU;
            self.pitch = (self.pitch + dy * self.fov_y * 1.5).clamp(-1.4, 1.4);
        }
    }

    /// What the keys or the joystick hold: forward and right in -1..1.
    pub fn set_input(&mut self, forward: f32, right: f32, run: bool) {
        let c = |v: f32| if v.is_finite() { v.clamp(-1.0, 1.0) } else { 0.0 };
        self.input = (c(forward), c(right), run);
    }

    /// One stride of `metres` forward at once (the wheel).
    pub fn stride(&mut self, surfaces: &Surfaces, metres: f32) {
        let (sy, cy) = self.yaw.sin_cos();
        self.step_by(surfaces, Vec3::new(-sy, 0.0, -cy) * metres);
    }

    /// Advances `dt` seconds. Returns whether the walker still moves (wants another frame).
    pub fn update(&mut self, surfaces: &Surfaces, dt: f32) -> bool {
        let dt = dt.clamp(0.0, 0.1);
        let (f, r, run) = self.input;
        let (sy, cy) = self.yaw.sin_cos();
        let (ahead, right) = (Vec3::new(-sy, 0.0, -cy), Vec3::new(cy, 0.0, -sy));
        let mut wish = ahead * f + right * r;
        if wish.length() > 1.0 {
            wish = wish.normalize();
        }
        let target = wish * SPEED * surfaces.unit * if run { 3.0 } else { 1.0 };
        // Start and stop over ~0.1 s rather than at once.
        self.velocity += (target - self.velocity) * (1.0 - (-12.0 * dt).exp());
        if target == Vec3::ZERO && self.velocity.length() < 0.02 * surfaces.unit {
            self.velocity = Vec3::ZERO;
            return false;
        }
        let moved = self.step_by(surfaces, self.velocity * dt);
        if moved.length() < 1e-6 && target == Vec3::ZERO {
            self.velocity = Vec3::ZERO;
        }
        true
    }

    /// Moves the feet by `d` (horizontal), sliding along walls, then onto the ground there.
    /// Returns how far they went.
    fn step_by(&mut self, surfaces: &Surfaces, d: Vec3) -> Vec3 {
        let d = Vec3::new(d.x, 0.0, d.z);
        if d.length() < 1e-7 {
            return Vec3::ZERO;
        }
        let mut go = self.blocked(surfaces, d);
        if go.length() < d.length() * 0.999 {
            // Slide along the wall: what is left of the move, less its part into the wall.
            if let Some(n) = self.wall_normal(surfaces, d) {
                let rest = d - go;
                let along = rest - n * rest.dot(n);
                go += self.blocked_from(surfaces, self.feet + go, along);
            }
        }
        let at = self.feet + go;
        let Some(y) = surfaces.ground(at, STEP * surfaces.unit) else {
            // No ground there (the edge of the model): stay.
            return Vec3::ZERO;
        };
        let at = Vec3::new(at.x, y, at.z);
        let out = push_out(surfaces, at, self.feet);
        let at = match surfaces.ground(out, STEP * surfaces.unit) {
            Some(y) if out != at => Vec3::new(out.x, y, out.z),
            _ => at,
        };
        let went = at - self.feet;
        self.feet = at;
        Vec3::new(went.x, 0.0, went.z)
    }

    fn blocked(&self, surfaces: &Surfaces, d: Vec3) -> Vec3 {
        self.blocked_from(surfaces, self.feet, d)
    }

    /// How much of the move `d` from `feet` is free, keeping `RADIUS` from walls.
    fn blocked_from(&self, surfaces: &Surfaces, feet: Vec3, d: Vec3) -> Vec3 {
        let len = d.length();
        if len < 1e-7 {
            return Vec3::ZERO;
        }
        let dir = d / len;
        let mut free = len;
        // Felt far enough to keep RADIUS square to a wall met at 15° or more (shallower, the
        // slide along it takes over).
        let (u, radius) = (surfaces.unit, RADIUS * surfaces.unit);
        let reach = len + radius * 4.0;
        for h in FEEL {
            let from = feet + Vec3::Y * h * u;
            if let Some((t, n)) = surfaces.hit(from, from + dir * reach).filter(|(_, n)| n.y < WALKABLE) {
                let flat = Vec3::new(n.x, 0.0, n.z).normalize_or_zero();
                let square = dir.dot(flat).abs().max(0.25);
                free = free.min((t * reach - radius / square).max(0.0));
            }
        }
        dir * free
    }

    /// The horizontal normal of the wall met moving along `d`.
    fn wall_normal(&self, surfaces: &Surfaces, d: Vec3) -> Option<Vec3> {
        let dir = d.normalize_or_zero();
        FEEL.iter().find_map(|h| {
            let from = self.feet + Vec3::Y * *h * surfaces.unit;
            let (_, n) = surfaces.hit(from, from + dir * (d.length() + RADIUS * surfaces.unit * 4.0)).filter(|(_, n)| n.y < WALKABLE)?;
            let n = Vec3::new(n.x, 0.0, n.z);
            (n.length() > 0.1).then(|| n.normalize())
        })
    }
}

/// The body standing at `feet`, a capsule `RADIUS` thick from just over a step to just over the
/// eye, moved sideways out of the walls it overlaps (deepest first, a few rounds). `from` (where
/// the feet were) says which side of a wall the body came from when its axis crosses it.
fn push_out(surfaces: &Surfaces, feet: Vec3, from: Vec3) -> Vec3 {
    let (mut feet, u, radius) = (feet, surfaces.unit, RADIUS * surfaces.unit);
    for _ in 0..4 {
        let (p, q) = (feet + Vec3::Y * (STEP + 0.05 + RADIUS) * u, feet + Vec3::Y * (EYE_HEIGHT + 0.15 - RADIUS) * u);
        let area = Aabb { min: p.min(q) - Vec3::splat(radius), max: p.max(q) + Vec3::splat(radius) };
        let (mut push, mut deepest) = (Vec3::ZERO, 1e-4 * u);
        surfaces.solid.each_near(area, &mut |t| {
            let n = (t[1] - t[0]).cross(t[2] - t[0]).normalize_or_zero();
            // Ground and ceilings are the rays' (walked on, ducked under): walls only.
            if n == Vec3::ZERO || n.y.abs() >= WALKABLE {
                return;
            }
            let (on_body, on_wall) = crate::geometry::closest::segment_triangle(p, q, t);
            let depth = radius - (on_body - on_wall).length();
            if depth <= deepest {
                return;
            }
            let away = Vec3::new(on_body.x - on_wall.x, 0.0, on_body.z - on_wall.z);
            let dir = if away.length() > 1e-4 * u {
                away.normalize()
            } else {
                // The axis is in the wall: back out to the side the body came from.
                let flat = Vec3::new(n.x, 0.0, n.z).normalize_or_zero();
                if flat.dot(from - on_wall) < 0.0 { -flat } else { flat }
            };
            deepest = depth;
            push = dir * depth;
        });
        if push == Vec3::ZERO {
            break;
        }
        feet += push;
    }
    feet
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quad(a: Vec3, b: Vec3, c: Vec3, d: Vec3) -> Vec<[Vec3; 3]> {
        vec![[a, b, c], [a, c, d]]
    }

    /// A floor at y = 0 (x, z in -20..20), a 0.3 m step up to a terrace at z < -5, a 2 m wall
    /// standing on the terrace along z = -12, and a ramp rising 2 m over x 5..15 at z > 5.
    fn dry(solid: Occluders) -> Surfaces {
        Surfaces { solid, liquid: Occluders::new(vec![], []), unit: 1.0 }
    }

    fn yard() -> Surfaces {
        let v = Vec3::new;
        let mut t = Vec::new();
        t.extend(quad(v(-20.0, 0.0, -5.0), v(20.0, 0.0, -5.0), v(20.0, 0.0, 20.0), v(-20.0, 0.0, 20.0)));
        t.extend(quad(v(-20.0, 0.3, -20.0), v(20.0, 0.3, -20.0), v(20.0, 0.3, -5.0), v(-20.0, 0.3, -5.0)));
        t.extend(quad(v(-20.0, 0.0, -5.0), v(20.0, 0.0, -5.0), v(20.0, 0.3, -5.0), v(-20.0, 0.3, -5.0)));
        t.extend(quad(v(-20.0, 0.3, -12.0), v(20.0, 0.3, -12.0), v(20.0, 2.3, -12.0), v(-20.0, 2.3, -12.0)));
        t.extend(quad(v(5.0, 0.01, 5.0), v(15.0, 2.0, 5.0), v(15.0, 2.0, 15.0), v(5.0, 0.01, 15.0)));
        dry(Occluders::new(vec![t], [(0, Mat4::IDENTITY)]))
    }

    fn bounds() -> Aabb {
        Aabb { min: Vec3::new(-20.0, 0.0, -20.0), max: Vec3::new(20.0, 2.3, 20.0) }
    }

    fn walk_for(w: &mut Walk, occ: &Surfaces, seconds: f32) {
        for _ in 0..(seconds * 60.0) as usize {
            w.update(occ, 1.0 / 60.0);
        }
    }

    #[test]
    fn eye_height_over_floor_step_and_ramp() {
        let occ = yard();
        // Facing -Z (yaw 0): up the step onto the terrace.
        let mut w = Walk::enter(&occ, bounds(), Vec3::new(0.0, 0.0, 0.0), 0.0, 0.8).unwrap();
        assert!((w.eye().y - EYE_HEIGHT).abs() < 1e-4);
        w.set_input(1.0, 0.0, false);
        walk_for(&mut w, &occ, 5.0);
        assert!(w.feet.z < -5.5, "climbed the 0.3 m step: {}", w.feet);
        assert!((w.eye().y - (0.3 + EYE_HEIGHT)).abs() < 0.05, "{}", w.eye());
        // On up the ramp, facing +X from its low end.
        let mut w = Walk::enter(&occ, bounds(), Vec3::new(4.0, 0.0, 10.0), -std::f32::consts::FRAC_PI_2, 0.8).unwrap();
        w.set_input(1.0, 0.0, false);
        for _ in 0..300 {
            w.update(&occ, 1.0 / 60.0);
            if (5.5..14.5).contains(&w.feet.x) {
                let floor = 0.01 + (w.feet.x - 5.0) / 10.0 * 1.99;
                assert!((w.eye().y - (floor + EYE_HEIGHT)).abs() < 0.05, "on the ramp at x {}: eye {} over {floor}", w.feet.x, w.eye().y);
            }
        }
        assert!(w.feet.x > 9.0, "{}", w.feet);
    }

    #[test]
    fn a_wall_stops_the_walker_and_a_tall_step_is_a_wall() {
        let occ = yard();
        let mut w = Walk::enter(&occ, bounds(), Vec3::new(0.0, 0.0, -8.0), 0.0, 0.8).unwrap();
        w.set_input(1.0, 0.0, true);
        walk_for(&mut w, &occ, 6.0);
        assert!(w.feet.z > -12.0 + RADIUS - 0.05 && w.feet.z < -11.0, "stopped at the wall: {}", w.feet);
        // Sliding: walking at 45° into the wall still moves along it.
        let before = w.feet.x;
        w.yaw = std::f32::consts::FRAC_PI_4;
        walk_for(&mut w, &occ, 2.0);
        assert!(w.feet.x < before - 1.0 && w.feet.z > -12.0 + RADIUS - 0.05, "{}", w.feet);
        // A 2 m drop is taken; the wall's 2 m face from below is not climbed.
        let mut tall = dry(Occluders::new(vec![quad(Vec3::new(-5.0, 0.0, -5.0), Vec3::new(5.0, 0.0, -5.0), Vec3::new(5.0, 0.0, 5.0), Vec3::new(-5.0, 0.0, 5.0))], [(0, Mat4::IDENTITY)]));
        let mut w2 = Walk::enter(&tall, bounds(), Vec3::ZERO, 0.0, 0.8).unwrap();
        w2.set_input(1.0, 0.0, false);
        walk_for(&mut w2, &tall, 8.0);
        assert!(w2.feet.z > -5.0, "no ground past the model's edge: the walker stays on it ({})", w2.feet);
        tall = dry(Occluders::new(vec![], []));
        assert!(Walk::enter(&tall, bounds(), Vec3::ZERO, 0.0, 0.8).is_none());
    }

    #[test]
    fn deep_water_is_a_shore_and_a_walk_begun_in_a_lake_starts_on_dry_ground() {
        let v = Vec3::new;
        // Dry ground at y = 0 up to x = 5; past it a pond's bed 1 m down under water at -0.05;
        // a puddle 0.2 m deep over -10 < x < -5.
        let mut ground = quad(v(-20.0, 0.0, -20.0), v(5.0, 0.0, -20.0), v(5.0, 0.0, 20.0), v(-20.0, 0.0, 20.0));
        ground.extend(quad(v(5.0, -1.0, -20.0), v(20.0, -1.0, -20.0), v(20.0, -1.0, 20.0), v(5.0, -1.0, 20.0)));
        let floor = Occluders::new(vec![ground], [(0, Mat4::IDENTITY)]);
        let pond = quad(v(5.0, -0.05, -20.0), v(20.0, -0.05, -20.0), v(20.0, -0.05, 20.0), v(5.0, -0.05, 20.0));
        let puddle = quad(v(-10.0, 0.2, -20.0), v(-5.0, 0.2, -20.0), v(-5.0, 0.2, 20.0), v(-10.0, 0.2, 20.0));
        let s = Surfaces { solid: floor, liquid: Occluders::new(vec![pond, puddle], [(0, Mat4::IDENTITY), (1, Mat4::IDENTITY)]), unit: 1.0 };
        let mut w = Walk::enter(&s, bounds(), Vec3::ZERO, -std::f32::consts::FRAC_PI_2, 0.8).unwrap();
        w.set_input(1.0, 0.0, false);
        walk_for(&mut w, &s, 8.0);
        assert!(w.feet.x > 4.5 && w.feet.x <= 5.0, "stopped at the pond's edge: {}", w.feet);
        let mut w = Walk::enter(&s, bounds(), Vec3::ZERO, std::f32::consts::FRAC_PI_2, 0.8).unwrap();
        w.set_input(1.0, 0.0, false);
        walk_for(&mut w, &s, 10.0);
        assert!(w.feet.x < -10.0 && w.feet.y == 0.0, "waded through the puddle: {}", w.feet);
        // Begun in the middle of the pond: on the nearest dry ground instead.
        let w = Walk::enter(&s, bounds(), v(9.0, 0.0, 0.0), 0.0, 0.8).unwrap();
        assert!(w.feet.x <= 5.0 && w.feet.x > 3.0, "{}", w.feet);
    }

    #[test]
    fn the_body_keeps_clear_of_a_post_the_rays_ahead_miss() {
        // A 0.1 m square post 2 m high at x = 0.15 (beside the walking line x = 0), z = -5.
        let v = Vec3::new;
        let mut t = quad(v(-20.0, 0.0, -20.0), v(20.0, 0.0, -20.0), v(20.0, 0.0, 20.0), v(-20.0, 0.0, 20.0));
        let (x0, x1, z0, z1) = (0.1, 0.2, -5.05, -4.95);
        for (a, b) in [((x0, z0), (x1, z0)), ((x1, z0), (x1, z1)), ((x1, z1), (x0, z1)), ((x0, z1), (x0, z0))] {
            t.extend(quad(v(a.0, 0.0, a.1), v(b.0, 0.0, b.1), v(b.0, 2.0, b.1), v(a.0, 2.0, a.1)));
        }
        let occ = dry(Occluders::new(vec![t], [(0, Mat4::IDENTITY)]));
        let mut w = Walk::enter(&occ, bounds(), Vec3::ZERO, 0.0, 0.8).unwrap();
        w.set_input(1.0, 0.0, false);
        let gap = |f: Vec3| {
            // Horizontal distance from the body's axis to the post's square.
            let dx = (f.x - f.x.clamp(x0, x1)).abs();
            let dz = (f.z - f.z.clamp(z0, z1)).abs();
            dx.hypot(dz)
        };
        let mut closest = f32::INFINITY;
        for _ in 0..(8.0 * 60.0) as usize {
            w.update(&occ, 1.0 / 60.0);
            closest = closest.min(gap(w.feet));
        }
        assert!(closest > RADIUS - 0.02, "the body came {closest} m from the post's faces");
        assert!(w.feet.z < -7.0, "and walked on past it: {}", w.feet);
        assert!(w.feet.x < -0.05, "sidestepped to the left of it: {}", w.feet);
    }

    #[test]
    fn a_model_in_centimetres_is_walked_in_metres() {
        // The yard with every length ×100 and the geo-reference's 0.01 metres per unit.
        let v = |x: f32, y: f32, z: f32| Vec3::new(x, y, z) * 100.0;
        let mut t = Vec::new();
        t.extend(quad(v(-20.0, 0.0, -5.0), v(20.0, 0.0, -5.0), v(20.0, 0.0, 20.0), v(-20.0, 0.0, 20.0)));
        t.extend(quad(v(-20.0, 0.3, -20.0), v(20.0, 0.3, -20.0), v(20.0, 0.3, -5.0), v(-20.0, 0.3, -5.0)));
        t.extend(quad(v(-20.0, 0.0, -5.0), v(20.0, 0.0, -5.0), v(20.0, 0.3, -5.0), v(-20.0, 0.3, -5.0)));
        t.extend(quad(v(-20.0, 0.3, -12.0), v(20.0, 0.3, -12.0), v(20.0, 2.3, -12.0), v(-20.0, 2.3, -12.0)));
        let occ = Surfaces { solid: Occluders::new(vec![t], [(0, Mat4::IDENTITY)]), liquid: Occluders::new(vec![], []), unit: 100.0 };
        let b = Aabb { min: Vec3::new(-2000.0, 0.0, -2000.0), max: Vec3::new(2000.0, 230.0, 2000.0) };
        let mut w = Walk::enter(&occ, b, Vec3::ZERO, 0.0, 0.8).unwrap();
        assert!((w.eye().y - 160.0).abs() < 0.01, "1.6 m is 160 units: {}", w.eye());
        w.set_input(1.0, 0.0, true);
        walk_for(&mut w, &occ, 6.0);
        // Up the 30 cm step, at 4.2 m/s (not 4.2 cm/s), to 30 cm short of the wall.
        assert!((w.eye().y - 190.0).abs() < 5.0, "{}", w.eye());
        assert!(w.feet.z > -1200.0 + 25.0 && w.feet.z < -1100.0, "stopped at the wall: {}", w.feet);
        let geo = crate::poi::GeoReference::from_json(&serde_json::json!({"longitude": 121.5, "latitude": 29.8, "metresPerUnit": 0.01})).unwrap();
        let east = geo.to_scene(121.5 + geo.offset(10.0, 0.0).0 - 121.5, 29.8, 0.0);
        assert!((east[0] - 1000.0).abs() < 1.0, "10 m east is 1000 units: {east:?}");
        let scene = crate::scene::Scene { geo_reference: Some(geo), ..Default::default() };
        assert_eq!(Surfaces::of(&scene, 0).unit, 100.0);
    }

    #[test]
    fn look_and_stop() {
        let occ = yard();
        let mut w = Walk::enter(&occ, bounds(), Vec3::ZERO, 0.0, 0.8).unwrap();
        w.look(0.5, 10.0);
        assert!(w.pitch <= 1.4 && w.yaw > 0.0);
        w.set_input(1.0, 0.0, false);
        walk_for(&mut w, &occ, 0.5);
        w.set_input(0.0, 0.0, false);
        let mut frames = 0;
        while w.update(&occ, 1.0 / 60.0) {
            frames += 1;
            assert!(frames < 120, "stops within 2 s");
        }
        w.set_input(f32::NAN, 5.0, false);
        assert_eq!(w.input, (0.0, 1.0, false));
    }
}
