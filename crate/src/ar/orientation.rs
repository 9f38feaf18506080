//! Where the phone's camera looks, from the W3C DeviceOrientation angles: the device frame
//! (x right of the screen, y its top, z out of the screen) is turned into east-north-up by
//! R = Rz(alpha)·Rx(beta)·Ry(gamma); the rear camera looks along -z with the screen's top up, and
//! the screen's own rotation (`screen.orientation.angle`) turns that about z.
//!
//! North must be real north: `deviceorientationabsolute` (Chromium) gives an absolute alpha; iOS
//! gives a relative one (zero wherever the phone faced when the page started — the "north is
//! where I started" bug AR.js users meet) plus `webkitCompassHeading`, from which alpha is solved
//! here so that the camera's heading matches the compass.

use glam::{DQuat, DVec3};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// Degrees, as the event gives them.
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    /// `screen.orientation.angle` in degrees.
    pub screen: f64,
    /// iOS `webkitCompassHeading` (degrees clockwise from north), when present.
    pub compass: Option<f64>,
    /// Whether alpha is relative to north (`event.absolute`, or the absolute event).
    pub absolute: bool,
}

/// How far north can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heading {
    /// From an absolute event or the iOS compass.
    Reliable,
    /// The compass reports poor accuracy (iOS `webkitCompassAccuracy` < 0 or > 25°): ask the
    /// visitor to calibrate (a figure-eight), keep drawing.
    Uncalibrated,
    /// Only a relative alpha: north is unknown.
    Unknown,
}

/// The camera's rotation (camera -Z forward, +Y up) in east-north-up, or None for angles that are
/// not numbers (a desktop fires the event with nulls).
pub fn camera_rotation(r: &Reading) -> Option<DQuat> {
    // Alpha may be missing where the compass stands in for it.
    let tilt_known = r.beta.is_finite() && r.gamma.is_finite();
    if !tilt_known || (!r.alpha.is_finite() && r.compass.is_none()) {
        return None;
    }
    let screen = DQuat::from_rotation_z(-(if r.screen.is_finite() { r.screen } else { 0.0 }).to_radians());
    let tilt = DQuat::from_rotation_x(r.beta.to_radians()) * DQuat::from_rotation_y(r.gamma.to_radians()) * screen;
    let alpha = match r.compass.filter(|c| c.is_finite()) {
        // Rotating about up by alpha (counter-clockwise) lowers the heading by alpha: solve
        // for the alpha that puts the camera on the compass heading.
        Some(c) => heading_of(tilt) - c.to_radians(),
        None => r.alpha.to_radians(),
    };
    Some(DQuat::from_rotation_z(alpha) * tilt)
}

/// Compass heading (radians clockwise from north) of a camera rotation: where it looks, or, when
/// it looks nearly straight down or up, where the screen's top points.
pub fn heading_of(q: DQuat) -> f64 {
    let f = q * DVec3::NEG_Z;
    let dir = if f.truncate().length() > 0.2 { f } else { q * DVec3::Y };
    dir.x.atan2(dir.y)
}

/// Where a camera rotation looks: (compass heading clockwise from north, pitch above the
/// horizon), radians. Gyro look in walk mode and panoramas turns the view by its changes.
pub fn look_of(q: DQuat) -> (f64, f64) {
    let f = q * DVec3::NEG_Z;
    (heading_of(q), f.z.clamp(-1.0, 1.0).asin())
}

/// Eases the drawn rotation towards the sensors' so that labels glide instead of jittering,
/// with a short time constant so that they still keep up with a turning phone.
#[derive(Debug, Clone, Default)]
pub struct Smoothed {
    pub current: Option<DQuat>,
    pub target: Option<DQuat>,
}

/// Seconds for the drawn rotation to close ~63 % of the way to the sensors'.
const TIME_CONSTANT_S: f64 = 0.08;
/// Within a hundredth of a degree (radians) the drawn rotation is there: no more frames.
const ARRIVED: f64 = 1.7e-4;

impl Smoothed {
    /// Advances by `dt` seconds; true while still moving (the page keeps drawing).
    pub fn step(&mut self, dt: f64) -> bool {
        let Some(target) = self.target else { return false };
        let current = self.current.unwrap_or(target);
        let t = 1.0 - (-dt.max(0.0) / TIME_CONSTANT_S).exp();
        let next = current.slerp(target, t).normalize();
        let left = next.angle_between(target);
        self.current = Some(if left < ARRIVED { target } else { next });
        left >= ARRIVED
    }

    /// Whether the drawn rotation is still gliding towards the sensors' (draw another frame).
    pub fn settling(&self) -> bool {
        matches!((self.current, self.target), (Some(c), Some(t)) if c.angle_between(t) >= ARRIVED)
    }

    /// Jumps to the target (entering AR: no glide from nowhere).
    pub fn settle(&mut self) {
        self.current = self.target;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_of_an_upright_phone_is_its_heading_and_level() {
        // Held upright (beta 90), facing alpha 0 (north): level, heading 0; turned to alpha -90
        // (the W3C angles turn counter-clockwise), heading 90°; tilted back 30°, pitch 30°.
        let at = |alpha: f64, beta: f64| look_of(camera_rotation(&Reading { alpha, beta, gamma: 0.0, screen: 0.0, compass: None, absolute: true }).unwrap());
        let (h, p) = at(0.0, 90.0);
        assert!(h.abs() < 1e-9 && p.abs() < 1e-9, "{h} {p}");
        let (h, _) = at(-90.0, 90.0);
        assert!((h.to_degrees() - 90.0).abs() < 1e-9, "{}", h.to_degrees());
        let (_, p) = at(0.0, 120.0);
        assert!((p.to_degrees() - 30.0).abs() < 1e-9, "{}", p.to_degrees());
    }

    fn reading(alpha: f64, beta: f64, gamma: f64) -> Reading {
        Reading { alpha, beta, gamma, screen: 0.0, compass: None, absolute: true }
    }

    fn heading_deg(q: DQuat) -> f64 {
        heading_of(q).to_degrees().rem_euclid(360.0)
    }

    #[test]
    fn upright_phone_looks_where_alpha_says() {
        // Held upright (beta 90): alpha 0 looks north, and alpha counts counter-clockwise.
        for (alpha, heading) in [(0.0, 0.0), (270.0, 90.0), (180.0, 180.0), (90.0, 270.0)] {
            let q = camera_rotation(&reading(alpha, 90.0, 0.0)).unwrap();
            assert!((heading_deg(q) - heading).abs() < 1e-6 || (heading_deg(q) - heading).abs() > 359.99, "alpha {alpha}: {}", heading_deg(q));
            let up = q * DVec3::Y;
            assert!((up - DVec3::Z).length() < 1e-9, "the screen's top points up: {up:?}");
        }
        // Flat on a table, screen up: the camera looks down.
        let q = camera_rotation(&reading(0.0, 0.0, 0.0)).unwrap();
        assert!(((q * DVec3::NEG_Z) - DVec3::NEG_Z).length() < 1e-9);
        assert!(camera_rotation(&reading(f64::NAN, f64::NAN, f64::NAN)).is_none());
    }

    #[test]
    fn compass_heading_overrides_a_relative_alpha() {
        // iOS: alpha is relative (here 123°, meaningless), the compass says 90° (east).
        for (beta, gamma) in [(90.0, 0.0), (70.0, 10.0), (5.0, 0.0)] {
            let r = Reading { compass: Some(90.0), absolute: false, ..reading(123.0, beta, gamma) };
            let q = camera_rotation(&r).unwrap();
            assert!((heading_deg(q) - 90.0).abs() < 1e-6, "beta {beta} gamma {gamma}: {}", heading_deg(q));
        }
    }

    #[test]
    fn landscape_keeps_the_horizon_level() {
        // Turned to landscape (screen angle 90, the phone's top to the left, gamma -90 as a
        // phone reports when upright in landscape): the picture's up is still up.
        let q = camera_rotation(&Reading { screen: 90.0, ..reading(0.0, 0.0, -90.0) }).unwrap();
        let up = q * DVec3::Y;
        assert!((up - DVec3::Z).length() < 1e-9, "{up:?}");
        let forward = q * DVec3::NEG_Z;
        assert!(forward.z.abs() < 1e-9, "looks at the horizon: {forward:?}");
    }

    #[test]
    fn smoothing_glides_then_settles() {
        let mut s = Smoothed::default();
        s.target = Some(DQuat::IDENTITY);
        s.settle();
        s.target = Some(DQuat::from_rotation_z(0.5));
        assert!(s.step(0.016));
        let a = s.current.unwrap().angle_between(DQuat::IDENTITY);
        assert!(a > 0.05 && a < 0.2, "part way after one frame: {a}");
        let mut frames = 0;
        while s.step(0.016) {
            frames += 1;
            assert!(frames < 120, "settles within two seconds");
        }
        assert_eq!(s.current, s.target);
    }
}
