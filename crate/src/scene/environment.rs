//! Sky and sun presets for the `environment` attribute. Plain linear-light values; the renderer
//! draws the sky from them and lights the scene with the same sky, so background and lighting agree.

use glam::Vec3;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Environment {
    /// Towards the sun.
    pub sun_dir: Vec3,
    pub sun: [f32; 3],
    pub zenith: [f32; 3],
    pub horizon: [f32; 3],
    pub ground: [f32; 3],
}

impl Environment {
    /// The preset names, default first.
    pub const NAMES: [&'static str; 4] = ["daylight", "dusk", "overcast", "night"];

    /// A late-morning sun and a clear sky.
    pub const DAYLIGHT: Environment = Environment {
        sun_dir: Vec3::new(0.45, 0.75, 0.5),
        sun: [2.6, 2.45, 2.2],
        zenith: [0.18, 0.36, 0.75],
        horizon: [0.62, 0.72, 0.85],
        ground: [0.32, 0.3, 0.27],
    };

    /// Low warm sun, orange horizon.
    pub const DUSK: Environment = Environment {
        sun_dir: Vec3::new(-0.8, 0.12, 0.45),
        sun: [2.4, 1.3, 0.6],
        zenith: [0.12, 0.16, 0.38],
        horizon: [0.95, 0.55, 0.32],
        ground: [0.2, 0.15, 0.12],
    };

    /// No direct sun; soft, even light (also the most faithful for reviewing materials).
    pub const OVERCAST: Environment = Environment {
        sun_dir: Vec3::new(0.2, 0.9, 0.3),
        sun: [0.35, 0.35, 0.36],
        zenith: [0.62, 0.64, 0.68],
        horizon: [0.78, 0.79, 0.8],
        ground: [0.3, 0.3, 0.29],
    };

    /// Moonlight: dim and blue, for night tours of lit buildings (emissive surfaces stand out).
    pub const NIGHT: Environment = Environment {
        sun_dir: Vec3::new(0.3, 0.6, -0.7),
        sun: [0.25, 0.3, 0.45],
        zenith: [0.005, 0.008, 0.025],
        horizon: [0.03, 0.04, 0.08],
        ground: [0.015, 0.015, 0.02],
    };

    /// The preset called `name` (case-insensitive; empty means the default).
    pub fn preset(name: &str) -> Result<Environment, String> {
        match name.trim().to_ascii_lowercase().as_str() {
            "" | "daylight" | "day" => Ok(Self::DAYLIGHT),
            "dusk" => Ok(Self::DUSK),
            "overcast" => Ok(Self::OVERCAST),
            "night" => Ok(Self::NIGHT),
            other => Err(format!("environment=\"{other}\" is not one of {}", Self::NAMES.join(", "))),
        }
    }
}

impl Default for Environment {
    fn default() -> Self {
        Self::DAYLIGHT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_by_name() {
        for name in Environment::NAMES {
            assert!(Environment::preset(name).is_ok(), "{name}");
        }
        assert_eq!(Environment::preset(" Dusk ").unwrap(), Environment::DUSK);
        assert_eq!(Environment::preset("").unwrap(), Environment::DAYLIGHT);
        let e = Environment::preset("<b>studio</b>").unwrap_err();
        assert!(e.contains("not one of daylight, dusk, overcast, night"), "{e}");
    }

    #[test]
    fn night_is_darker_than_day() {
        let lum = |c: [f32; 3]| c[0] * 0.2126 + c[1] * 0.7152 + c[2] * 0.0722;
        assert!(lum(Environment::NIGHT.zenith) * 10.0 < lum(Environment::DAYLIGHT.zenith));
        assert!(lum(Environment::NIGHT.sun) * 5.0 < lum(Environment::DAYLIGHT.sun));
    }
}
