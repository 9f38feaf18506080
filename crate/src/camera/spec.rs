//! The `camera-orbit` and `camera-target` attributes: text → a pose relative to the framed view.
//!
//! `camera-orbit="yaw pitch distance"`: yaw around the vertical (0 looks from +Z, 90deg from +X),
//! pitch above the horizon, distance in metres (`m` or a bare number) or `%` of the distance that
//! frames the scene. Angles take `deg` (default) or `rad`. Any part may be `auto` (the framed value).
//! `camera-target="x y z"` in metres, or `auto` (the centre of the scene's bounds).

use glam::Vec3;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distance {
    Metres(f32),
    /// Percent of the framing distance.
    Percent(f32),
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CameraSpec {
    pub yaw: Option<f32>,
    pub pitch: Option<f32>,
    pub distance: Option<Distance>,
    pub target: Option<Vec3>,
}

fn number(part: &str, what: &str) -> Result<f32, String> {
    crate::number::parse(part).map(|v| v as f32).filter(|v| v.is_finite()).ok_or_else(|| format!("{what} {part:?} is not a number"))
}

fn angle(part: &str, what: &str) -> Result<Option<f32>, String> {
    if part == "auto" {
        return Ok(None);
    }
    let radians = if let Some(v) = part.strip_suffix("rad") {
        number(v, what)?
    } else {
        number(part.strip_suffix("deg").unwrap_or(part), what)?.to_radians()
    };
    Ok(Some(radians))
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).map(|w| w.to_ascii_lowercase()).collect()
}

impl CameraSpec {
    /// Parses both attributes (either may be empty). Errors name the attribute and the bad part.
    pub fn parse(orbit: &str, target: &str) -> Result<CameraSpec, String> {
        let mut spec = CameraSpec::default();
        let o = words(orbit);
        if o.len() > 3 {
            return Err(format!("camera-orbit takes \"yaw pitch distance\", not {orbit:?}"));
        }
        let err = |e: String| format!("camera-orbit: {e}");
        if let Some(p) = o.first() {
            spec.yaw = angle(p, "yaw").map_err(err)?;
        }
        if let Some(p) = o.get(1) {
            spec.pitch = angle(p, "pitch").map_err(err)?;
        }
        if let Some(p) = o.get(2).filter(|p| *p != "auto") {
            let d = if let Some(v) = p.strip_suffix('%') {
                Distance::Percent(number(v, "distance").map_err(err)?)
            } else {
                Distance::Metres(number(p.strip_suffix('m').unwrap_or(p), "distance").map_err(err)?)
            };
            let v = match d {
                Distance::Metres(v) | Distance::Percent(v) => v,
            };
            if v <= 0.0 {
                return Err(err(format!("distance {p:?} must be above zero")));
            }
            spec.distance = Some(d);
        }
        let t = words(target);
        match t.len() {
            0 => {}
            1 if t[0] == "auto" => {}
            3 => {
                let mut v = [0.0; 3];
                for (slot, p) in v.iter_mut().zip(&t) {
                    *slot = number(p.strip_suffix('m').unwrap_or(p), "coordinate").map_err(|e| format!("camera-target: {e}"))?;
                }
                spec.target = Some(Vec3::from(v));
            }
            _ => return Err(format!("camera-target takes \"x y z\" in metres or auto, not {target:?}")),
        }
        Ok(spec)
    }

    pub fn is_empty(&self) -> bool {
        *self == CameraSpec::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_auto() {
        let s = CameraSpec::parse("90deg 0.5rad 120%", "1 2m -3").unwrap();
        assert!((s.yaw.unwrap() - std::f32::consts::FRAC_PI_2).abs() < 1e-6);
        assert_eq!(s.pitch, Some(0.5));
        assert_eq!(s.distance, Some(Distance::Percent(120.0)));
        assert_eq!(s.target, Some(Vec3::new(1.0, 2.0, -3.0)));
        let s = CameraSpec::parse("auto 30 40m", "auto").unwrap();
        assert_eq!(s.yaw, None);
        assert!((s.pitch.unwrap() - 30f32.to_radians()).abs() < 1e-6);
        assert_eq!(s.distance, Some(Distance::Metres(40.0)));
        assert_eq!(s.target, None);
        assert!(CameraSpec::parse("", "").unwrap().is_empty());
    }

    #[test]
    fn refuses_bad_text_with_a_reason() {
        for (o, t, want) in [
            ("north 20deg", "", "yaw \"north\" is not a number"),
            ("0 0 -5m", "", "must be above zero"),
            ("0 0 5 5", "", "takes \"yaw pitch distance\""),
            ("", "1 2", "camera-target takes"),
            ("", "1 NaN 2", "camera-target: coordinate \"nan\" is not a number"),
            ("0 infdeg", "", "pitch \"inf\" is not a number"),
        ] {
            let e = CameraSpec::parse(o, t).unwrap_err();
            assert!(e.contains(want), "{o:?} {t:?}: {e}");
        }
    }
}
