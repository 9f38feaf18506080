//! Camera flights (a tour's stops, deep links): an eased path between two orbits that rises in
//! the middle, as Cesium's `flyTo` does, and rises further where the straight arc would cut
//! through the scene. Pure logic, tested natively.

use std::f32::consts::{PI, TAU};

use glam::Vec3;

use super::{Orbit, PITCH_LIMIT};
use crate::geometry::bvh::Occluders;

/// Path samples checked against the scene when a flight is planned.
const SAMPLES: usize = 48;
/// The highest pitch a flight climbs to on its way (radians, ~69°).
const TOP_PITCH: f32 = 1.2;

#[derive(Debug, Clone, PartialEq)]
pub struct Flight {
    from: Orbit,
    to: Orbit,
    /// Seconds.
    pub duration: f32,
    elapsed: f32,
    /// How far the orbit distance swells at the midpoint (0 = no rise), and how far the pitch
    /// turns towards looking down.
    lift: f32,
    climb: f32,
}

/// Ease in and out (cubic): no jolt when the flight starts or lands.
fn ease(t: f32) -> f32 {
    let t = t.clamp(0.0, 1.0);
    if t < 0.5 { 4.0 * t * t * t } else { 1.0 - (-2.0 * t + 2.0).powi(3) / 2.0 }
}

/// `b - a` the short way round.
fn turn(a: f32, b: f32) -> f32 {
    (b - a + PI).rem_euclid(TAU) - PI
}

fn eye(o: &Orbit) -> Vec3 {
    let (sy, cy) = o.yaw.sin_cos();
    let (sp, cp) = o.pitch.sin_cos();
    o.target + Vec3::new(sy * cp, sp, cy * cp) * o.distance
}

impl Flight {
    /// A flight from `from` to `to`. `duration` in seconds, or None for one that grows with the
    /// distance travelled (1–3 s). `occluders`: the scene, which the path is lifted to clear
    /// where it can be (tried up to a high arc; beyond that the highest is flown).
    pub fn plan(from: Orbit, to: Orbit, duration: Option<f32>, occluders: Option<&Occluders>) -> Flight {
        let travel = from.target.distance(to.target);
        let scale = (from.distance + to.distance).max(1e-3);
        let duration = duration.filter(|d| d.is_finite() && *d >= 0.0).unwrap_or_else(|| (0.9 + 0.7 * (1.0 + travel / scale).log2()).clamp(1.0, 3.0)).min(30.0);
        // A hop between neighbours barely rises; a flight across the area climbs to see it.
        let base = (travel / scale).clamp(0.0, 2.0);
        let mut flight = Flight { from, to, duration, elapsed: 0.0, lift: base, climb: (base * 0.5).min(1.0) };
        if let Some(occ) = occluders {
            for extra in [0.0, 0.5, 1.0, 2.0, 4.0] {
                flight.lift = base + extra;
                flight.climb = ((base + extra) * 0.5).min(1.0);
                if flight.clear(occ) {
                    break;
                }
            }
        }
        flight
    }

    /// The orbit at fraction `t` of the flight.
    pub fn at(&self, t: f32) -> Orbit {
        let s = ease(t);
        let bump = (PI * t.clamp(0.0, 1.0)).sin();
        let (a, b) = (&self.from, &self.to);
        let pitch = a.pitch + (b.pitch - a.pitch) * s;
        let distance = (a.distance.max(1e-6).ln() * (1.0 - s) + b.distance.max(1e-6).ln() * s).exp() * (1.0 + self.lift * bump);
        Orbit {
            target: a.target.lerp(b.target, s),
            yaw: a.yaw + turn(a.yaw, b.yaw) * s,
            pitch: (pitch + (TOP_PITCH.max(pitch) - pitch) * self.climb * bump).clamp(-PITCH_LIMIT, PITCH_LIMIT),
            distance,
            fov_y: a.fov_y + (b.fov_y - a.fov_y) * s,
        }
    }

    /// Whether the eye's path misses the scene.
    pub fn clear(&self, occ: &Occluders) -> bool {
        let eyes: Vec<Vec3> = (0..=SAMPLES).map(|i| eye(&self.at(i as f32 / SAMPLES as f32))).collect();
        !eyes.windows(2).any(|w| occ.occluded(w[0], w[1], 0.0))
    }

    /// Advances by `dt` seconds: the orbit now, and whether the flight goes on.
    pub fn step(&mut self, dt: f32) -> (Orbit, bool) {
        self.elapsed += dt.clamp(0.0, 0.1);
        let t = if self.duration > 0.0 { self.elapsed / self.duration } else { 1.0 };
        if t >= 1.0 { (self.to, false) } else { (self.at(t), true) }
    }

    /// Where the flight lands.
    pub fn destination(&self) -> Orbit {
        self.to
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orbit(target: Vec3, yaw: f32, pitch: f32, distance: f32) -> Orbit {
        Orbit { target, yaw, pitch, distance, fov_y: 0.8 }
    }

    #[test]
    fn lands_exactly_eases_and_rises_between() {
        let a = orbit(Vec3::ZERO, 0.1, 0.3, 10.0);
        let b = orbit(Vec3::new(100.0, 0.0, 0.0), 0.5, 0.4, 20.0);
        let mut f = Flight::plan(a, b, None, None);
        assert!((1.0..=3.0).contains(&f.duration), "{}", f.duration);
        assert_eq!(f.at(0.0), a);
        let end = f.at(1.0);
        assert!(end.target.distance(b.target) < 1e-4 && (end.distance - 20.0).abs() < 1e-3 && (end.yaw - 0.5).abs() < 1e-5);
        // Slow start: after 5 % of the time well under 5 % of the way.
        assert!(f.at(0.05).target.x < 1.0);
        // Halfway the eye is higher than both ends'.
        let mid = eye(&f.at(0.5)).y;
        assert!(mid > eye(&a).y + 10.0 && mid > eye(&b).y + 10.0, "{mid}");
        let mut moving = true;
        let mut frames = 0;
        while moving {
            let (o, m) = f.step(1.0 / 60.0);
            moving = m;
            frames += 1;
            if !m {
                assert_eq!(o, b);
            }
        }
        assert!((frames as f32 / 60.0 - f.duration).abs() < 0.05, "{frames}");
    }

    #[test]
    fn turns_the_short_way_and_a_zero_duration_jumps() {
        let a = orbit(Vec3::ZERO, 3.0, 0.3, 10.0);
        let b = orbit(Vec3::ZERO, -3.0, 0.3, 10.0);
        let f = Flight::plan(a, b, Some(2.0), None);
        // 3.0 → -3.0 is 0.28 rad through ±π, not 6 rad back round.
        assert!(f.at(0.5).yaw > 3.0, "{}", f.at(0.5).yaw);
        let mut jump = Flight::plan(a, b, Some(0.0), None);
        assert_eq!(jump.step(0.0), (b, false));
    }

    #[test]
    fn a_wall_between_the_stops_lifts_the_path_over_it() {
        // A wall 40 m high and wide between two ground-level viewpoints looking along x.
        let wall = vec![[Vec3::new(50.0, -1.0, -200.0), Vec3::new(50.0, 40.0, -200.0), Vec3::new(50.0, -1.0, 200.0)], [Vec3::new(50.0, 40.0, -200.0), Vec3::new(50.0, 40.0, 200.0), Vec3::new(50.0, -1.0, 200.0)]];
        let occ = Occluders::new(vec![wall], [(0, glam::Mat4::IDENTITY)]);
        let a = orbit(Vec3::new(0.0, 1.0, 0.0), -PI / 2.0, 0.05, 8.0);
        let b = orbit(Vec3::new(100.0, 1.0, 0.0), -PI / 2.0, 0.05, 8.0);
        let low = Flight::plan(a, b, Some(2.0), None);
        assert!(!low.clear(&occ), "the test's wall does not block the plain arc");
        let high = Flight::plan(a, b, Some(2.0), Some(&occ));
        assert!(high.clear(&occ));
    }
}
