//! The orbit camera: input deltas → a damped camera pose. Pure logic, tested natively.

pub mod flight;
pub mod spec;
pub mod walk;

use glam::{Mat4, Vec3};

use crate::geometry::Aabb;
use crate::geometry::bvh::Occluders;
pub use flight::Flight;
pub use spec::{CameraSpec, Distance};

/// Fraction of the remaining motion per second that damping lets through (higher = snappier).
const DAMPING: f32 = 14.0;
const PITCH_LIMIT: f32 = 1.55;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Orbit {
    pub target: Vec3,
    /// Radians around +Y; 0 looks down -Z from +Z.
    pub yaw: f32,
    /// Radians above the horizon.
    pub pitch: f32,
    pub distance: f32,
    /// Vertical field of view, radians.
    pub fov_y: f32,
}

/// Motion still to be applied; damping hands it out over the next frames.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Pending {
    yaw: f32,
    pitch: f32,
    /// log of the distance factor, so zooms compose by addition.
    zoom: f32,
    pan: Vec3,
}

#[derive(Debug, Clone)]
pub struct OrbitCamera {
    pub orbit: Orbit,
    pending: Pending,
    /// Scene radius: bounds the zoom and sets the clip planes.
    radius: f32,
    /// A flight under way (a tour stop, a deep link); any input ends it where it is.
    flight: Option<Flight>,
    /// How close the camera may come, in metres, where that is not a twentieth of the scene's
    /// radius: a tiled area kilometres wide is looked at from a few metres too.
    close: Option<f32>,
}

impl Default for OrbitCamera {
    fn default() -> Self {
        Self {
            orbit: Orbit { target: Vec3::ZERO, yaw: 0.0, pitch: 0.3, distance: 5.0, fov_y: 45f32.to_radians() },
            pending: Pending::default(),
            radius: 1.0,
            flight: None,
            close: None,
        }
    }
}

impl OrbitCamera {
    /// Frames the bounds: the whole scene in view from a slightly raised three-quarter angle.
    pub fn frame(&mut self, bounds: Aabb) {
        self.flight = None;
        let (center, radius) = if bounds.is_empty() { (Vec3::ZERO, 1.0) } else { (bounds.center(), bounds.radius().max(1e-4)) };
        self.radius = radius;
        self.orbit.target = center;
        self.orbit.yaw = 0.0;
        self.orbit.pitch = 0.3;
        // Distance at which a sphere of `radius` fits the vertical field of view, with a margin.
        self.orbit.distance = radius / (self.orbit.fov_y * 0.5).sin() * 1.1;
        self.pending = Pending::default();
    }

    /// Lets the camera come within `metres` of its target whatever the scene's size (None: a
    /// twentieth of its radius, as for a single model).
    pub fn set_closest(&mut self, metres: Option<f32>) {
        self.close = metres.filter(|m| m.is_finite() && *m > 0.0);
    }

    /// Puts the camera at an orbit it had (kept across a lost GPU context), with no motion left.
    pub fn restore(&mut self, yaw: f32, pitch: f32, distance: f32, target: Vec3) {
        self.flight = None;
        let o = &mut self.orbit;
        o.yaw = yaw;
        o.pitch = pitch.clamp(-PITCH_LIMIT, PITCH_LIMIT);
        o.distance = distance.clamp(self.close.unwrap_or(self.radius * 0.05), self.radius * 50.0);
        o.target = target;
        self.pending = Pending::default();
    }

    /// Frames the bounds, then takes what the page's `camera-orbit` / `camera-target` fix.
    pub fn frame_with(&mut self, bounds: Aabb, spec: &CameraSpec) {
        self.frame(bounds);
        let o = &mut self.orbit;
        if let Some(y) = spec.yaw {
            o.yaw = y;
        }
        if let Some(p) = spec.pitch {
            o.pitch = p.clamp(-PITCH_LIMIT, PITCH_LIMIT);
        }
        if let Some(t) = spec.target {
            o.target = t;
        }
        match spec.distance {
            Some(Distance::Metres(d)) => o.distance = d,
            Some(Distance::Percent(p)) => o.distance *= p / 100.0,
            None => {}
        }
        o.distance = o.distance.clamp(self.close.unwrap_or(self.radius * 0.05), self.radius * 50.0);
    }

    /// Turns the view around the target by `radians` at once (auto-rotate, between frames).
    pub fn spin(&mut self, radians: f32) {
        if radians.is_finite() && self.flight.is_none() {
            self.orbit.yaw = (self.orbit.yaw + radians) % std::f32::consts::TAU;
        }
    }

    /// Drag by a fraction of the viewport height (1.0 = a full-height drag turns half a turn).
    pub fn rotate(&mut self, dx: f32, dy: f32) {
        self.flight = None;
        self.pending.yaw -= dx * std::f32::consts::PI;
        self.pending.pitch += dy * std::f32::consts::PI;
    }

    /// Moves the target in the view plane by a fraction of the viewport height.
    pub fn pan(&mut self, dx: f32, dy: f32) {
        self.flight = None;
        let (right, up, _) = self.axes();
        let scale = 2.0 * self.orbit.distance * (self.orbit.fov_y * 0.5).tan();
        self.pending.pan += (-right * dx + up * dy) * scale;
    }

    /// Multiplies the distance by `factor` (< 1 zooms in).
    pub fn zoom(&mut self, factor: f32) {
        self.flight = None;
        if factor.is_finite() && factor > 0.0 {
            self.pending.zoom += factor.ln();
        }
    }

    /// Eases the view to look at `target` from `distance` away (damped like any other motion).
    pub fn fly_to(&mut self, target: Vec3, distance: f32) {
        self.flight = None;
        self.pending = Pending::default();
        self.pending.pan = target - self.orbit.target;
        let d = distance.clamp(self.close.unwrap_or(self.radius * 0.05), self.radius * 50.0);
        self.pending.zoom = (d / self.orbit.distance).ln();
    }

    /// Flies to `to` (its distance kept within the zoom limits) along a path lifted over
    /// `occluders`; `duration` None for one that suits the distance.
    pub fn fly(&mut self, mut to: Orbit, duration: Option<f32>, occluders: Option<&Occluders>) {
        to.distance = to.distance.clamp(self.close.unwrap_or(self.radius * 0.05), self.radius * 50.0);
        to.pitch = to.pitch.clamp(-PITCH_LIMIT, PITCH_LIMIT);
        self.pending = Pending::default();
        self.flight = Some(Flight::plan(self.orbit, to, duration, occluders));
    }

    /// The flight's length in seconds (0 when none is under way).
    pub fn flight_duration(&self) -> f32 {
        self.flight.as_ref().map_or(0.0, |f| f.duration)
    }

    /// Whether a flight is under way.
    pub fn flying(&self) -> bool {
        self.flight.is_some()
    }

    /// The scene radius the camera was framed for.
    pub fn radius(&self) -> f32 {
        self.radius
    }

    /// Applies the damped share of pending motion for `dt` seconds. Returns whether the camera
    /// is still moving (and so wants another frame).
    pub fn update(&mut self, dt: f32) -> bool {
        if let Some(f) = &mut self.flight {
            let (orbit, on) = f.step(dt);
            self.orbit = orbit;
            if !on {
                self.flight = None;
            }
            return on;
        }
        let k = 1.0 - (-DAMPING * dt.clamp(0.0, 0.1)).exp();
        let p = &mut self.pending;
        let o = &mut self.orbit;
        let (dyaw, dpitch, dzoom, dpan) = (p.yaw * k, p.pitch * k, p.zoom * k, p.pan * k);
        o.yaw += dyaw;
        o.pitch = (o.pitch + dpitch).clamp(-PITCH_LIMIT, PITCH_LIMIT);
        o.distance = (o.distance * dzoom.exp()).clamp(self.close.unwrap_or(self.radius * 0.05), self.radius * 50.0);
        o.target += dpan;
        p.yaw -= dyaw;
        p.pitch -= dpitch;
        p.zoom -= dzoom;
        p.pan -= dpan;
        let moving = p.yaw.abs() > 1e-4 || p.pitch.abs() > 1e-4 || p.zoom.abs() > 1e-4 || p.pan.length() > self.radius * 1e-4;
        if !moving {
            *p = Pending::default();
        }
        moving
    }

    /// Right, up and backward unit vectors of the current view.
    fn axes(&self) -> (Vec3, Vec3, Vec3) {
        let back = self.offset_dir();
        let right = Vec3::Y.cross(back).normalize_or(Vec3::X);
        (right, back.cross(right), back)
    }

    fn offset_dir(&self) -> Vec3 {
        let (sy, cy) = self.orbit.yaw.sin_cos();
        let (sp, cp) = self.orbit.pitch.sin_cos();
        Vec3::new(sy * cp, sp, cy * cp)
    }

    pub fn eye(&self) -> Vec3 {
        self.orbit.target + self.offset_dir() * self.orbit.distance
    }

    pub fn view(&self) -> Mat4 {
        Mat4::look_at_rh(self.eye(), self.orbit.target, Vec3::Y)
    }

    /// Near and far planes that hold the whole scene from the current distance.
    pub fn clip(&self) -> (f32, f32) {
        let far = self.orbit.distance + self.radius * 4.0;
        // Close to the ground of a large tiled area, the near plane follows the distance (a
        // single model is never nearer than a twentieth of its radius, where far / 2000 is less).
        ((far / 2000.0).min(self.orbit.distance * 0.1), far)
    }

    pub fn projection(&self, aspect: f32) -> Mat4 {
        let (near, far) = self.clip();
        Mat4::perspective_rh(self.orbit.fov_y, aspect.max(1e-3), near, far)
    }

    /// Takes over a placed camera's pose (e.g. a glTF camera) so orbiting continues from there.
    pub fn set_pose(&mut self, world: Mat4, fov_y: Option<f32>) {
        self.flight = None;
        let eye = world.transform_point3(Vec3::ZERO);
        let forward = world.transform_vector3(-Vec3::Z).normalize_or(-Vec3::Z);
        let distance = (self.orbit.target - eye).dot(forward).max(self.radius * 0.1);
        self.orbit.target = eye + forward * distance;
        self.orbit.distance = distance;
        self.orbit.pitch = (-forward.y).asin().clamp(-PITCH_LIMIT, PITCH_LIMIT);
        self.orbit.yaw = (-forward.x).atan2(-forward.z);
        if let Some(f) = fov_y {
            self.orbit.fov_y = f;
        }
        self.pending = Pending::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_tiles_the_camera_comes_down_to_the_streets_with_the_near_plane() {
        // An 8 km area: a model's limit (a twentieth of the radius) keeps the camera ~280 m off.
        let mut cam = OrbitCamera::default();
        cam.frame(Aabb::from_points([[-4096.0f32, 0.0, -4096.0], [4096.0, 800.0, 4096.0]].iter()));
        let spec = CameraSpec { distance: Some(Distance::Metres(5.0)), ..CameraSpec::default() };
        cam.frame_with(Aabb::from_points([[-4096.0f32, 0.0, -4096.0], [4096.0, 800.0, 4096.0]].iter()), &spec);
        assert!(cam.orbit.distance > 250.0, "{}", cam.orbit.distance);
        cam.set_closest(Some(2.0));
        cam.frame_with(Aabb::from_points([[-4096.0f32, 0.0, -4096.0], [4096.0, 800.0, 4096.0]].iter()), &spec);
        assert_eq!(cam.orbit.distance, 5.0);
        let (near, _) = cam.clip();
        assert!(near <= 0.5, "the near plane follows the distance: {near}");
        cam.zoom(0.01);
        for _ in 0..200 {
            cam.update(0.05);
        }
        assert!((cam.orbit.distance - 2.0).abs() < 0.01, "{}", cam.orbit.distance);
    }

    #[test]
    fn a_flight_lands_and_a_drag_stops_it_where_it_is() {
        let mut cam = OrbitCamera::default();
        cam.frame(Aabb::from_points([[-50.0f32, 0.0, -50.0], [50.0, 10.0, 50.0]].iter()));
        let to = Orbit { target: Vec3::new(30.0, 0.0, 20.0), yaw: 1.0, pitch: 0.4, distance: 20.0, fov_y: cam.orbit.fov_y };
        cam.fly(to, Some(1.0), None);
        let mut frames = 0;
        while cam.update(1.0 / 60.0) {
            frames += 1;
            assert!(frames < 200);
        }
        assert!(!cam.flying() && cam.orbit.target.distance(to.target) < 1e-4 && (cam.orbit.distance - 20.0).abs() < 1e-3);
        cam.fly(Orbit { target: Vec3::ZERO, ..to }, Some(2.0), None);
        for _ in 0..30 {
            cam.update(1.0 / 60.0);
        }
        let mid = cam.orbit.target;
        cam.rotate(0.1, 0.0);
        assert!(!cam.flying());
        for _ in 0..120 {
            cam.update(1.0 / 60.0);
        }
        assert!(cam.orbit.target.distance(mid) < 1e-4, "the drag turned the view where the flight stopped");
    }

    fn unit_box() -> Aabb {
        Aabb { min: Vec3::splat(-1.0), max: Vec3::splat(1.0) }
    }

    #[test]
    fn attributes_override_the_framed_pose() {
        let mut framed = OrbitCamera::default();
        framed.frame(unit_box());
        let mut c = OrbitCamera::default();
        c.frame_with(unit_box(), &CameraSpec::parse("90deg 45deg 200%", "0 1 0").unwrap());
        assert!((c.orbit.yaw - std::f32::consts::FRAC_PI_2).abs() < 1e-6);
        assert!((c.orbit.distance - framed.orbit.distance * 2.0).abs() < 1e-4);
        assert_eq!(c.orbit.target, Vec3::Y);
        // Looking from +X, 45° up: the eye sits on the +X side above the target.
        let eye = c.eye();
        assert!(eye.x > 1.0 && eye.y > 1.0 && eye.z.abs() < 1e-4, "{eye}");
        // Distance is kept within what zoom allows.
        c.frame_with(unit_box(), &CameraSpec::parse("0 0 100000m", "").unwrap());
        assert!(c.orbit.distance <= 3f32.sqrt() * 50.0 + 1e-3);
        // Empty attributes leave the framed pose.
        c.frame_with(unit_box(), &CameraSpec::default());
        assert_eq!(c.orbit, framed.orbit);
    }

    fn settle(c: &mut OrbitCamera) -> usize {
        let mut frames = 0;
        while c.update(1.0 / 60.0) {
            frames += 1;
            assert!(frames < 600, "camera never settles");
        }
        frames
    }

    #[test]
    fn framing_puts_every_corner_in_view() {
        let mut c = OrbitCamera::default();
        c.frame(unit_box());
        let vp = c.projection(1.0) * c.view();
        for i in 0..8 {
            let p = Vec3::new([-1.0, 1.0][i & 1], [-1.0, 1.0][(i >> 1) & 1], [-1.0, 1.0][(i >> 2) & 1]);
            let ndc = vp.project_point3(p);
            assert!(ndc.x.abs() < 1.0 && ndc.y.abs() < 1.0 && (0.0..1.0).contains(&ndc.z), "{p} → {ndc}");
        }
    }

    #[test]
    fn rotation_is_damped_then_settles_at_the_full_angle() {
        let mut c = OrbitCamera::default();
        c.frame(unit_box());
        c.rotate(-0.5, 0.0);
        c.update(1.0 / 60.0);
        let first = c.orbit.yaw;
        assert!(first > 0.0 && first < std::f32::consts::FRAC_PI_2 * 0.5, "{first}");
        let frames = settle(&mut c);
        assert!(frames > 5);
        assert!((c.orbit.yaw - std::f32::consts::FRAC_PI_2).abs() < 1e-3, "{}", c.orbit.yaw);
    }

    #[test]
    fn pitch_is_limited_and_zoom_bounded() {
        let mut c = OrbitCamera::default();
        c.frame(unit_box());
        c.rotate(0.0, 10.0);
        c.zoom(1e-9);
        settle(&mut c);
        assert!(c.orbit.pitch <= PITCH_LIMIT);
        assert!(c.orbit.distance >= c.radius * 0.05 - 1e-6);
    }

    #[test]
    fn pan_moves_target_sideways_on_screen() {
        let mut c = OrbitCamera::default();
        c.frame(unit_box());
        c.orbit.pitch = 0.0;
        c.pan(0.1, 0.0);
        settle(&mut c);
        assert!(c.orbit.target.x < -0.01 && c.orbit.target.y.abs() < 1e-4, "{}", c.orbit.target);
    }

    #[test]
    fn fly_to_eases_onto_the_target() {
        let mut c = OrbitCamera::default();
        c.frame(unit_box());
        c.fly_to(Vec3::new(0.5, 0.2, -0.3), 0.8);
        c.update(1.0 / 60.0);
        assert!(c.orbit.target.x > 0.0 && c.orbit.target.x < 0.4);
        settle(&mut c);
        assert!((c.orbit.target - Vec3::new(0.5, 0.2, -0.3)).length() < 1e-3);
        assert!((c.orbit.distance - 0.8).abs() < 1e-3);
    }

    #[test]
    fn set_pose_reproduces_the_placed_view_direction() {
        let mut c = OrbitCamera::default();
        c.frame(unit_box());
        let world = Mat4::look_at_rh(Vec3::new(3.0, 2.0, 4.0), Vec3::ZERO, Vec3::Y).inverse();
        c.set_pose(world, None);
        let dir = (c.orbit.target - c.eye()).normalize();
        assert!((dir - (-Vec3::new(3.0, 2.0, 4.0)).normalize()).length() < 1e-4);
        assert!((c.eye() - Vec3::new(3.0, 2.0, 4.0)).length() < 1e-3);
    }
}
