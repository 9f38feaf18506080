//! Gyro look: in walk mode and in a panorama the phone's own turning turns the view, after a tap
//! granted motion access (www/features/gyro.js). The view keeps where it looked when gyro look
//! began and follows the phone's changes from there: heading relative (a phone's alpha has no
//! north without a compass), pitch as the phone is held (upright is level).

use wasm_bindgen::prelude::*;

use super::{Viewer, panorama};
use crate::ar::orientation::{Reading, camera_rotation, look_of};

#[derive(Default)]
pub(super) struct Gyro {
    /// What the view and the phone looked at when gyro look began (or the mode changed):
    /// (walking?, the phone's heading, the view's yaw).
    base: Option<(bool, f64, f32)>,
}

#[wasm_bindgen]
impl Viewer {
    /// One orientation reading (the W3C angles and `screen.orientation.angle`, degrees). Returns
    /// whether it turned a view (false outside walk mode and panoramas, or for empty readings).
    #[wasm_bindgen(js_name = gyroLook)]
    pub fn gyro_look(&self, alpha: Option<f64>, beta: Option<f64>, gamma: Option<f64>, screen: f64) -> bool {
        let nan = f64::NAN;
        let r = Reading { alpha: alpha.unwrap_or(nan), beta: beta.unwrap_or(nan), gamma: gamma.unwrap_or(nan), screen, compass: None, absolute: false };
        let Some(q) = camera_rotation(&r) else { return false };
        let (heading, pitch) = look_of(q);
        let mut s = self.state.borrow_mut();
        let s = &mut *s;
        if let Some((yaw, _)) = panorama::looking(s) {
            let (_, h0, y0) = match s.gyro.base {
                Some(b) if !b.0 => b,
                _ => *s.gyro.base.insert((false, heading, yaw)),
            };
            // Panorama yaw is compass-like (clockwise), as the phone's heading.
            let turned = panorama::aim(s, y0 + (heading - h0).to_degrees() as f32, pitch.to_degrees() as f32);
            s.dirty |= turned;
            return turned;
        }
        let Some(w) = s.walking.walk.as_mut() else { return false };
        let base = match s.gyro.base {
            Some(b) if b.0 => b,
            _ => *s.gyro.base.insert((true, heading, w.yaw)),
        };
        // The walker's yaw turns counter-clockwise: a phone turned right lowers it.
        w.yaw = base.2 - (heading - base.1) as f32;
        w.pitch = (pitch as f32).clamp(-1.4, 1.4);
        s.dirty = true;
        true
    }

    /// Gyro look ends (turned off, or the mode left): the next reading starts afresh.
    #[wasm_bindgen(js_name = gyroStop)]
    pub fn gyro_stop(&self) {
        self.state.borrow_mut().gyro.base = None;
    }
}
