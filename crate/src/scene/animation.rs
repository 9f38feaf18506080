//! glTF animations as plain data, and posing a scene at a time: keyframe samplers with STEP,
//! LINEAR (slerp for rotations) and CUBICSPLINE interpolation driving node translation, rotation,
//! scale and morph target weights. Pure: the web room only keeps the clock.

use glam::{Mat4, Quat, Vec3};

use super::Scene;

#[derive(Debug, Clone)]
pub struct Animation {
    pub name: Option<String>,
    pub channels: Vec<Channel>,
    /// The last keyframe time over all channels (seconds).
    pub duration: f32,
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub node: usize,
    pub path: Path,
    pub sampler: Sampler,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    Translation,
    Rotation,
    Scale,
    /// Morph target weights, one per target of the node's mesh.
    Weights,
}

impl Path {
    /// Floats per key (for weights, the mesh's target count).
    pub fn width(self, targets: usize) -> usize {
        match self {
            Path::Rotation => 4,
            Path::Weights => targets,
            _ => 3,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpolation {
    Step,
    Linear,
    CubicSpline,
}

/// Keyframes: `times` ascending; `values` holds `width` floats per key, or for CUBICSPLINE three
/// groups per key (in-tangent, value, out-tangent), as glTF stores them.
#[derive(Debug, Clone)]
pub struct Sampler {
    pub times: Vec<f32>,
    pub values: Vec<f32>,
    pub interpolation: Interpolation,
    pub width: usize,
    /// Keys are quaternions: slerped, and kept unit.
    pub rotation: bool,
}

impl Sampler {
    /// The value at time `t` (clamped to the first and last keys) into `out` (`width` floats).
    pub fn sample(&self, t: f32, out: &mut [f32]) {
        let (w, n) = (self.width, self.times.len());
        let cubic = self.interpolation == Interpolation::CubicSpline;
        let value = |k: usize, i: usize| if cubic { self.values[(3 * k + 1) * w + i] } else { self.values[k * w + i] };
        if n == 0 {
            return;
        }
        // The key at or before t.
        let k = self.times.partition_point(|&x| x <= t).saturating_sub(1);
        if t <= self.times[0] || k + 1 >= n || self.interpolation == Interpolation::Step {
            let k = if t <= self.times[0] { 0 } else { k };
            out.iter_mut().enumerate().for_each(|(i, o)| *o = value(k, i));
            return;
        }
        let (t0, t1) = (self.times[k], self.times[k + 1]);
        let dt = t1 - t0;
        let u = if dt > 0.0 { ((t - t0) / dt).clamp(0.0, 1.0) } else { 0.0 };
        match self.interpolation {
            // Handled above with the ends.
            Interpolation::Step => {}
            Interpolation::Linear if self.rotation => {
                let q0 = Quat::from_xyzw(value(k, 0), value(k, 1), value(k, 2), value(k, 3));
                let mut q1 = Quat::from_xyzw(value(k + 1, 0), value(k + 1, 1), value(k + 1, 2), value(k + 1, 3));
                // The short way round.
                if q0.dot(q1) < 0.0 {
                    q1 = -q1;
                }
                out.copy_from_slice(&q0.slerp(q1, u).to_array());
            }
            Interpolation::Linear => out.iter_mut().enumerate().for_each(|(i, o)| *o = value(k, i) + (value(k + 1, i) - value(k, i)) * u),
            Interpolation::CubicSpline => {
                // Hermite basis with tangents scaled by the key interval (glTF spec, Appendix C).
                let (u2, u3) = (u * u, u * u * u);
                let (h00, h10, h01, h11) = (2.0 * u3 - 3.0 * u2 + 1.0, u3 - 2.0 * u2 + u, -2.0 * u3 + 3.0 * u2, u3 - u2);
                for (i, o) in out.iter_mut().enumerate() {
                    let p0 = self.values[(3 * k + 1) * w + i];
                    let m0 = self.values[(3 * k + 2) * w + i] * dt;
                    let p1 = self.values[(3 * (k + 1) + 1) * w + i];
                    let m1 = self.values[(3 * (k + 1)) * w + i] * dt;
                    *o = h00 * p0 + h10 * m0 + h01 * p1 + h11 * m1;
                }
            }
        }
        if self.rotation {
            // Rotations stay unit quaternions (cubic ones are not, between keys).
            let q = Quat::from_slice(out).normalize();
            if q.is_finite() {
                out.copy_from_slice(&q.to_array());
            }
        }
    }
}

/// A node's rest transform as translation, rotation and scale (glTF animates only TRS nodes).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trs {
    pub translation: Vec3,
    pub rotation: Quat,
    pub scale: Vec3,
}

impl Trs {
    pub fn matrix(&self) -> Mat4 {
        Mat4::from_scale_rotation_translation(self.scale, self.rotation, self.translation)
    }
}

/// What a clip sets at a time for one node it drives: its transform (from the rest one, for the
/// parts the clip leaves alone) and its morph weights.
struct NodePose {
    node: usize,
    trs: Option<Trs>,
    weights: Option<Vec<f32>>,
}

impl Scene {
    fn sampled(&self, animation: usize, t: f32) -> Vec<NodePose> {
        let Some(anim) = self.animations.get(animation) else { return Vec::new() };
        let mut posed: Vec<NodePose> = Vec::new();
        let mut v = [0.0f32; 4];
        for c in &anim.channels {
            let Some(node) = self.nodes.get(c.node) else { continue };
            let at = match posed.iter().position(|p| p.node == c.node) {
                Some(i) => i,
                None => {
                    posed.push(NodePose { node: c.node, trs: None, weights: None });
                    posed.len() - 1
                }
            };
            let p = &mut posed[at];
            if c.path == Path::Weights {
                if node.weights.len() == c.sampler.width {
                    let mut w = vec![0.0; c.sampler.width];
                    c.sampler.sample(t, &mut w);
                    p.weights = Some(w);
                }
                continue;
            }
            let Some(rest) = node.rest else { continue };
            let trs = p.trs.get_or_insert(rest);
            let out = &mut v[..c.path.width(0)];
            c.sampler.sample(t, out);
            match c.path {
                Path::Translation => trs.translation = Vec3::from_slice(out),
                Path::Rotation => trs.rotation = Quat::from_slice(out),
                Path::Scale => trs.scale = Vec3::from_slice(out),
                Path::Weights => {}
            }
        }
        posed
    }

    /// Poses the nodes `animation` drives at time `t` (seconds, clamped to the clip); nodes it
    /// does not drive keep their transforms.
    pub fn pose(&mut self, animation: usize, t: f32) {
        self.pose_crossfade(animation, t, None);
    }

    /// As `pose`, blended from another clip at its own time: `from` is (clip, time, how far
    /// the fade has come, 0 to 1). A node one clip leaves alone is at rest in that clip
    /// (model-viewer's crossfade between clips).
    pub fn pose_crossfade(&mut self, animation: usize, t: f32, from: Option<(usize, f32, f32)>) {
        let to = self.sampled(animation, t);
        let Some((clip, t0, k)) = from else {
            for p in to {
                let n = &mut self.nodes[p.node];
                if let Some(trs) = p.trs {
                    n.local = trs.matrix();
                }
                if let Some(w) = p.weights {
                    n.weights = w;
                }
            }
            return;
        };
        let k = k.clamp(0.0, 1.0);
        let old = self.sampled(clip, t0);
        let mut nodes: Vec<usize> = to.iter().chain(&old).map(|p| p.node).collect();
        nodes.sort_unstable();
        nodes.dedup();
        for n in nodes {
            let (a, b) = (old.iter().find(|p| p.node == n), to.iter().find(|p| p.node == n));
            let node = &mut self.nodes[n];
            if let Some(rest) = node.rest {
                let ta = a.and_then(|p| p.trs).unwrap_or(rest);
                let tb = b.and_then(|p| p.trs).unwrap_or(rest);
                let mut rb = tb.rotation;
                if ta.rotation.dot(rb) < 0.0 {
                    rb = -rb;
                }
                node.local = Trs { translation: ta.translation.lerp(tb.translation, k), rotation: ta.rotation.slerp(rb, k), scale: ta.scale.lerp(tb.scale, k) }.matrix();
            }
            let wa = a.and_then(|p| p.weights.as_ref()).unwrap_or(&node.rest_weights);
            let wb = b.and_then(|p| p.weights.as_ref()).unwrap_or(&node.rest_weights);
            if wa.len() == node.weights.len() && wb.len() == node.weights.len() {
                node.weights = wa.iter().zip(wb).map(|(x, y)| x + (y - x) * k).collect();
            }
        }
    }

    /// Puts every animated node back at its rest transform.
    pub fn rest_pose(&mut self) {
        let driven: Vec<usize> = self.animations.iter().flat_map(|a| a.channels.iter().map(|c| c.node)).collect();
        for n in driven {
            let Some(node) = self.nodes.get_mut(n) else { continue };
            if let Some(rest) = node.rest {
                node.local = rest.matrix();
            }
            node.weights.clone_from(&node.rest_weights);
        }
    }
}

/// The clock of the clip being played: pure policy (model-viewer's semantics), driven by the web
/// room's frames.
#[derive(Debug, Clone, PartialEq)]
pub struct Playback {
    pub clip: usize,
    /// Seconds into the clip.
    pub time: f32,
    /// Playback speed; negative plays backwards.
    pub time_scale: f32,
    pub playing: bool,
    /// Plays left after this one; None: forever.
    pub repetitions_left: Option<u32>,
    /// Seconds a change of clip while playing blends from the old one (model-viewer's
    /// `animation-crossfade-duration`, 0.3 by default); 0: a cut.
    pub crossfade: f32,
    /// The clip being faded from, while a crossfade lasts.
    pub fade: Option<Fade>,
}

/// The clip a crossfade leaves: it plays on under the new one until the fade ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fade {
    pub clip: usize,
    pub time: f32,
    /// The old clip's length, for looping it while it fades.
    pub duration: f32,
    pub elapsed: f32,
    pub length: f32,
}

impl Fade {
    /// (clip, time, progress) for `Scene::pose_crossfade`.
    pub fn from(&self) -> (usize, f32, f32) {
        (self.clip, self.time, if self.length > 0.0 { self.elapsed / self.length } else { 1.0 })
    }
}

/// What a step of the clock did, for the page's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Playing,
    /// Wrapped round to play again.
    Looped,
    /// Reached the end of its last repetition and paused there.
    Finished,
}

impl Playback {
    pub fn new(clip: usize) -> Playback {
        Playback { clip, time: 0.0, time_scale: 1.0, playing: false, repetitions_left: None, crossfade: 0.3, fade: None }
    }

    /// Starts playing `repetitions` times (None: forever), from the start if it had finished.
    pub fn play(&mut self, repetitions: Option<u32>, duration: f32) {
        let at_end = if self.time_scale >= 0.0 { self.time >= duration } else { self.time <= 0.0 };
        if at_end {
            self.time = if self.time_scale >= 0.0 { 0.0 } else { duration };
        }
        self.repetitions_left = repetitions.map(|r| r.saturating_sub(1));
        self.playing = true;
    }

    /// Changes clip, at its start (the same clip starts again, with a cut); while playing (and
    /// with a crossfade) another clip fades out under it.
    pub fn switch(&mut self, clip: usize, old_duration: f32, new_duration: f32) {
        self.fade = (clip != self.clip && self.playing && self.crossfade > 0.0).then_some(Fade { clip: self.clip, time: self.time, duration: old_duration, elapsed: 0.0, length: self.crossfade });
        self.clip = clip;
        self.time = if self.time_scale >= 0.0 { 0.0 } else { new_duration };
    }

    /// Moves the clock on by `dt` seconds of wall time in a clip of `duration` seconds.
    pub fn advance(&mut self, dt: f32, duration: f32) -> Step {
        if !self.playing {
            return Step::Playing;
        }
        if let Some(f) = self.fade.as_mut() {
            f.elapsed += dt;
            f.time = if f.duration > 0.0 { (f.time + dt * self.time_scale).rem_euclid(f.duration) } else { 0.0 };
            if f.elapsed >= f.length {
                self.fade = None;
            }
        }
        if duration <= 0.0 {
            self.playing = false;
            return Step::Finished;
        }
        self.time += dt * self.time_scale;
        let (past_end, past_start) = (self.time > duration, self.time < 0.0);
        if !past_end && !past_start {
            return Step::Playing;
        }
        match self.repetitions_left {
            Some(0) => {
                self.time = self.time.clamp(0.0, duration);
                self.playing = false;
                Step::Finished
            }
            left => {
                self.repetitions_left = left.map(|l| l - 1);
                self.time = self.time.rem_euclid(duration);
                Step::Looped
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playback_loops_finishes_and_plays_backwards() {
        let mut p = Playback::new(0);
        assert_eq!(p.advance(0.5, 2.0), Step::Playing);
        assert_eq!(p.time, 0.0, "paused until played");
        p.play(None, 2.0);
        assert_eq!(p.advance(1.5, 2.0), Step::Playing);
        assert_eq!(p.advance(1.0, 2.0), Step::Looped);
        assert!((p.time - 0.5).abs() < 1e-6);
        // Twice, then it stops at the end.
        let mut p = Playback::new(0);
        p.play(Some(2), 1.0);
        assert_eq!(p.advance(1.2, 1.0), Step::Looped);
        assert_eq!(p.advance(1.0, 1.0), Step::Finished);
        assert_eq!((p.time, p.playing), (1.0, false));
        // Played again after finishing: from the start.
        p.play(Some(1), 1.0);
        assert_eq!(p.time, 0.0);
        // Backwards at double speed.
        let mut p = Playback { time_scale: -2.0, ..Playback::new(0) };
        p.play(Some(1), 1.0);
        assert_eq!(p.time, 1.0);
        assert_eq!(p.advance(0.25, 1.0), Step::Playing);
        assert!((p.time - 0.5).abs() < 1e-6);
        assert_eq!(p.advance(0.5, 1.0), Step::Finished);
        assert_eq!(p.time, 0.0);
    }

    #[test]
    fn a_crossfade_blends_the_old_clip_out_over_its_length_and_ends() {
        use crate::scene::Node;
        let rest = Trs { translation: Vec3::ZERO, rotation: Quat::IDENTITY, scale: Vec3::ONE };
        let node = || Node { rest: Some(rest), ..Default::default() };
        // Clip 0 holds node 0 at x = 2; clip 1 holds node 1 at y = 4.
        let hold = |node: usize, v: [f32; 3]| Animation { name: None, channels: vec![Channel { node, path: Path::Translation, sampler: sampler(Interpolation::Step, 3, &[0.0], &v) }], duration: 1.0 };
        let mut scene = Scene { nodes: vec![node(), node()], animations: vec![hold(0, [2.0, 0.0, 0.0]), hold(1, [0.0, 4.0, 0.0])], ..Default::default() };
        let mut p = Playback::new(0);
        p.play(None, 1.0);
        p.crossfade = 0.5;
        p.switch(1, 1.0, 1.0);
        assert_eq!(p.advance(0.125, 1.0), Step::Playing);
        let f = p.fade.expect("fading").from();
        assert_eq!((f.0, f.2), (0, 0.25));
        scene.pose_crossfade(p.clip, p.time, Some(f));
        // A quarter of the way: node 0 three quarters of its way back to rest, node 1 a quarter of its way out.
        assert!((scene.nodes[0].local.w_axis.x - 1.5).abs() < 1e-6 && (scene.nodes[1].local.w_axis.y - 1.0).abs() < 1e-6);
        p.advance(0.5, 1.0);
        assert!(p.fade.is_none(), "ended after its length");
        // Paused or without a crossfade, a change of clip is a cut.
        let mut q = Playback { crossfade: 0.0, ..Playback::new(0) };
        q.play(None, 1.0);
        q.switch(1, 1.0, 1.0);
        assert!(q.fade.is_none());
        // The same clip again starts it over, with a cut, as before crossfades.
        let mut r = Playback::new(0);
        r.play(None, 1.0);
        r.advance(0.5, 1.0);
        r.switch(0, 1.0, 1.0);
        assert_eq!((r.time, r.fade), (0.0, None));
    }

    fn sampler(interpolation: Interpolation, width: usize, times: &[f32], values: &[f32]) -> Sampler {
        Sampler { times: times.to_vec(), values: values.to_vec(), interpolation, width, rotation: width == 4 }
    }

    fn at(s: &Sampler, t: f32) -> Vec<f32> {
        let mut out = vec![0.0; s.width];
        s.sample(t, &mut out);
        out
    }

    #[test]
    fn step_and_linear_hold_the_ends_and_interpolate_between() {
        let lin = sampler(Interpolation::Linear, 3, &[1.0, 3.0], &[0.0, 0.0, 0.0, 2.0, 4.0, 6.0]);
        assert_eq!(at(&lin, 0.0), [0.0, 0.0, 0.0]);
        assert_eq!(at(&lin, 2.0), [1.0, 2.0, 3.0]);
        assert_eq!(at(&lin, 9.0), [2.0, 4.0, 6.0]);
        let step = Sampler { interpolation: Interpolation::Step, ..lin.clone() };
        assert_eq!(at(&step, 2.9), [0.0, 0.0, 0.0]);
        assert_eq!(at(&step, 3.0), [2.0, 4.0, 6.0]);
    }

    #[test]
    fn rotations_slerp_the_short_way_and_stay_unit() {
        let q1 = Quat::from_rotation_y(std::f32::consts::FRAC_PI_2);
        // The second key written as -q: the same rotation, which must not spin the long way.
        let s = sampler(Interpolation::Linear, 4, &[0.0, 1.0], &[0.0, 0.0, 0.0, 1.0, -q1.x, -q1.y, -q1.z, -q1.w]);
        let mid = Quat::from_slice(&at(&s, 0.5));
        assert!(mid.angle_between(Quat::from_rotation_y(std::f32::consts::FRAC_PI_4)) < 1e-4, "{mid:?}");
    }

    #[test]
    fn cubic_spline_passes_its_keys_and_follows_its_tangents() {
        // One scalar-like channel (width 3, x only): keys 0 → 1 with zero tangents: smoothstep.
        let v = |inx: f32, x: f32, outx: f32| [inx, 0.0, 0.0, x, 0.0, 0.0, outx, 0.0, 0.0];
        let values: Vec<f32> = [v(0.0, 0.0, 0.0), v(0.0, 1.0, 0.0)].concat();
        let s = sampler(Interpolation::CubicSpline, 3, &[0.0, 2.0], &values);
        assert_eq!(at(&s, 0.0)[0], 0.0);
        assert_eq!(at(&s, 2.0)[0], 1.0);
        assert!((at(&s, 0.5)[0] - (3.0 * 0.0625 - 2.0 * 0.015625)).abs() < 1e-6);
        // A slope of 1 per second out of the first key, over a 2 s interval.
        let sloped: Vec<f32> = [v(0.0, 0.0, 1.0), v(0.0, 0.0, 0.0)].concat();
        let s = sampler(Interpolation::CubicSpline, 3, &[0.0, 2.0], &sloped);
        let u: f32 = 0.25;
        assert!((at(&s, 0.5)[0] - (u * u * u - 2.0 * u * u + u) * 2.0).abs() < 1e-6);
    }
}
