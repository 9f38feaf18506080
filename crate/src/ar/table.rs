//! The WebXR sand table: the scenic model stood on a real table (or the floor) seen through the
//! phone's camera, at table size, turned and scaled by two fingers. Pure: the web room feeds it
//! the hit-test result under the screen's centre and the gestures, and draws with its matrix.
//!
//! Coordinates are the XR session's reference space (metres, y up).

use glam::{Mat4, Vec3};

use crate::geometry::Aabb;

/// How wide the model stands when first placed (metres, its larger horizontal side): a table
/// top, seen whole from a phone held at arm's length.
pub const FIT_WIDTH: f32 = 0.6;
/// How far a pinch may zoom from that fit, either way.
pub const MIN_ZOOM: f32 = 0.2;
pub const MAX_ZOOM: f32 = 10.0;

/// WebXR's projection matrices are OpenGL's (depth −1..1); the shared draw code and both
/// renderers take WebGPU's (depth 0..1): z' = (z + w) / 2.
const GL_TO_ZERO_ONE: Mat4 = Mat4::from_cols_array(&[1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.5, 1.0]);

/// An XR view's projection as the renderers take it.
pub fn projection_from_xr(gl: Mat4) -> Mat4 {
    GL_TO_ZERO_ONE * gl
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SandTable {
    /// Where the ray from the screen's centre met a surface this frame: the preview's place.
    pub surface: Option<Vec3>,
    /// Where the tourist put the model down; it stays there however the phone moves.
    pub placed: Option<Vec3>,
    /// Turn about the vertical (radians; its front, glTF's +z, faces the tourist at first).
    pub yaw: f32,
    /// Pinch zoom, relative to the table-top fit.
    pub zoom: f32,
    faced: bool,
}

impl Default for SandTable {
    fn default() -> Self {
        SandTable { surface: None, placed: None, yaw: 0.0, zoom: 1.0, faced: false }
    }
}

impl SandTable {
    /// This frame's hit-test result under the screen's centre (None: no surface there), and the
    /// tourist's eye. The first surface found turns the model to face the tourist.
    pub fn hit(&mut self, surface: Option<Vec3>, eye: Vec3) {
        self.surface = surface.filter(|p| p.is_finite());
        if let (false, Some(at)) = (self.faced, self.surface) {
            let to_eye = eye - at;
            if to_eye.x != 0.0 || to_eye.z != 0.0 {
                self.yaw = to_eye.x.atan2(to_eye.z);
            }
            self.faced = true;
        }
    }

    /// Puts the model down where the preview stands; false while no surface is found.
    pub fn place(&mut self) -> bool {
        self.placed = self.surface.or(self.placed);
        self.surface.is_some()
    }

    /// Picks the model up again: it follows the screen's centre until placed.
    pub fn lift(&mut self) {
        self.placed = None;
    }

    /// Two fingers: `pinch` is the ratio of their distance now to before, `twist` the turn of
    /// the line between them on screen (radians, clockwise as the screen's y grows down). Seen
    /// from above, clockwise on the screen turns the model clockwise.
    pub fn gesture(&mut self, pinch: f32, twist: f32) {
        if pinch.is_finite() && pinch > 0.0 {
            self.zoom = (self.zoom * pinch).clamp(MIN_ZOOM, MAX_ZOOM);
        }
        if twist.is_finite() {
            self.yaw = (self.yaw - twist).rem_euclid(std::f32::consts::TAU);
        }
    }

    /// Where the model stands now: placed, else previewed on the surface under the centre.
    pub fn anchor(&self) -> Option<Vec3> {
        self.placed.or(self.surface)
    }

    /// Metres per model unit for a model with `bounds`.
    pub fn scale(&self, bounds: &Aabb) -> f32 {
        let size = bounds.max - bounds.min;
        // A flat model (a map, POIs alone on one level) is sized by what it has.
        let across = size.x.max(size.z).max(size.y * 0.25).max(1e-6);
        FIT_WIDTH / across * self.zoom
    }

    /// Model → reference space: the bottom centre of `bounds` on the anchor, turned and scaled.
    pub fn model_matrix(&self, bounds: &Aabb) -> Option<Mat4> {
        let at = self.anchor()?;
        if bounds.is_empty() {
            return None;
        }
        let c = bounds.center();
        let pivot = Vec3::new(c.x, bounds.min.y, c.z);
        Some(Mat4::from_translation(at) * Mat4::from_rotation_y(self.yaw) * Mat4::from_scale(Vec3::splat(self.scale(bounds))) * Mat4::from_translation(-pivot))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Vec3, b: Vec3) -> bool {
        (a - b).length() < 1e-4
    }

    /// A town 400 m × 200 m, 30 m tall, its origin in a corner.
    fn town() -> Aabb {
        Aabb { min: Vec3::new(0.0, -5.0, 0.0), max: Vec3::new(400.0, 25.0, 200.0) }
    }

    #[test]
    fn nothing_is_drawn_until_a_surface_is_found() {
        let mut t = SandTable::default();
        t.hit(None, Vec3::new(0.0, 1.5, 0.0));
        assert_eq!(t.model_matrix(&town()), None);
        assert!(!t.place(), "nothing to place on");
        assert_eq!(t.placed, None);
    }

    #[test]
    fn the_model_stands_on_the_surface_at_table_size_facing_the_tourist() {
        let mut t = SandTable::default();
        let table = Vec3::new(0.2, 0.75, -0.6);
        // The tourist stands south-east of the table (+x, +z).
        let eye = Vec3::new(0.2 + 0.5, 1.5, -0.6 + 0.5);
        t.hit(Some(table), eye);
        let m = t.model_matrix(&town()).unwrap();
        // The bottom centre of the town lands on the table.
        assert!(close(m.transform_point3(Vec3::new(200.0, -5.0, 100.0)), table));
        // Its larger side (400 m) is 0.6 m across.
        let (a, b) = (m.transform_point3(Vec3::new(0.0, -5.0, 100.0)), m.transform_point3(Vec3::new(400.0, -5.0, 100.0)));
        assert!(((a - b).length() - FIT_WIDTH).abs() < 1e-4);
        // Its front (+z) points at the tourist, level.
        let front = m.transform_vector3(Vec3::Z).normalize();
        assert!(close(front, Vec3::new(1.0, 0.0, 1.0).normalize()), "{front}");
        // Its up stays up.
        assert!(close(m.transform_vector3(Vec3::Y).normalize(), Vec3::Y));
    }

    #[test]
    fn a_placed_model_stays_while_the_preview_follows_the_centre() {
        let mut t = SandTable::default();
        let eye = Vec3::new(0.0, 1.5, 1.0);
        t.hit(Some(Vec3::new(0.0, 0.75, 0.0)), eye);
        assert!(t.place());
        // The phone turns away: the hit moves, or no surface is under the centre.
        t.hit(Some(Vec3::new(1.0, 0.0, -2.0)), eye);
        assert_eq!(t.anchor(), Some(Vec3::new(0.0, 0.75, 0.0)));
        t.hit(None, eye);
        assert_eq!(t.anchor(), Some(Vec3::new(0.0, 0.75, 0.0)));
        // Lifted, it follows the centre again (and nothing shows without a surface).
        t.lift();
        assert_eq!(t.anchor(), None);
        t.hit(Some(Vec3::new(1.0, 0.0, -2.0)), eye);
        assert_eq!(t.anchor(), Some(Vec3::new(1.0, 0.0, -2.0)));
        // Facing was decided at the first surface only: it does not swing as the preview moves.
        assert!(t.yaw.abs() < 1e-6);
    }

    #[test]
    fn pinch_scales_and_twist_turns_within_limits() {
        let mut t = SandTable::default();
        t.hit(Some(Vec3::ZERO), Vec3::new(0.0, 1.0, 1.0));
        let s = t.scale(&town());
        t.gesture(2.0, 0.0);
        assert!((t.scale(&town()) - 2.0 * s).abs() < 1e-6);
        for _ in 0..20 {
            t.gesture(2.0, 0.0);
        }
        assert_eq!(t.zoom, MAX_ZOOM);
        for _ in 0..40 {
            t.gesture(0.5, 0.0);
        }
        assert_eq!(t.zoom, MIN_ZOOM);
        t.gesture(f32::NAN, f32::NAN);
        assert_eq!(t.zoom, MIN_ZOOM);
        // A quarter turn clockwise on screen (seen from above): the front, which faced +z (the
        // tourist), now faces -x (clockwise from above, with +x to the right and -z ahead).
        t.gesture(1.0, std::f32::consts::FRAC_PI_2);
        let front = t.model_matrix(&town()).unwrap().transform_vector3(Vec3::Z).normalize();
        assert!(close(front, Vec3::NEG_X), "{front}");
    }

    #[test]
    fn xr_projections_are_turned_to_zero_to_one_depth() {
        // A GL perspective maps the near plane to -1 and the far to +1.
        let gl = Mat4::perspective_rh_gl(1.0, 0.5, 0.1, 100.0);
        let p = projection_from_xr(gl);
        let near = p.project_point3(Vec3::new(0.0, 0.0, -0.1));
        let far = p.project_point3(Vec3::new(0.0, 0.0, -100.0));
        assert!(near.z.abs() < 1e-5 && (far.z - 1.0).abs() < 1e-4, "{near} {far}");
        assert!((p - Mat4::perspective_rh(1.0, 0.5, 0.1, 100.0)).abs_diff_eq(Mat4::ZERO, 1e-4));
    }
}
