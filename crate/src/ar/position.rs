//! The visitor's position from the browser's fixes: fixes worse than a threshold are ignored,
//! the rest filtered (a Kalman filter on the ground plane) so that labels do not jump with each
//! fix — AR.js users see labels "follow them" because raw GPS wanders by metres a second.

use crate::poi::GeoReference;

/// Walking pace uncertainty added per second between fixes (m²/s): a tourist moves ~1.4 m/s.
const PROCESS_NOISE: f64 = 2.0;
/// Past this distance from the frame's origin the ground plane is re-centred (curvature).
const RECENTRE_M: f64 = 2000.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fix {
    /// WGS84 degrees (convert GCJ-02 / BD-09 first: `Datum::to_wgs84`).
    pub lon: f64,
    pub lat: f64,
    /// Metres above the ellipsoid, when the device gives one.
    pub altitude: Option<f64>,
    /// Radius of 68 % confidence in metres (the Geolocation API's `accuracy`).
    pub accuracy: f64,
    /// Milliseconds (the fix's timestamp).
    pub time_ms: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Rejected {
    /// The fix is less precise than the threshold: kept out, and its accuracy shown.
    Inaccurate { accuracy: f64, threshold: f64 },
    /// Not a position on the earth.
    Invalid,
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejected::Inaccurate { accuracy, threshold } => write!(f, "a position fix of ±{accuracy:.0} m was ignored (worse than ±{threshold:.0} m)"),
            Rejected::Invalid => write!(f, "a position fix outside longitude -180..180 / latitude -90..90 was ignored"),
        }
    }
}

/// The filtered position: a ground-plane estimate around a local origin, with its variance.
#[derive(Debug, Clone, Default)]
pub struct Visitor {
    origin: Option<GeoReference>,
    /// East and north of the origin (metres).
    estimate: glam::DVec2,
    variance: f64,
    altitude: Option<f64>,
    last_ms: f64,
    /// The last fix's accuracy, accepted or not (shown to the visitor).
    pub last_accuracy: Option<f64>,
}

impl Visitor {
    /// Takes a fix, or says why it was ignored.
    pub fn accept(&mut self, fix: Fix, threshold: f64) -> Result<(), Rejected> {
        let valid = (-180.0..=180.0).contains(&fix.lon) && (-90.0..=90.0).contains(&fix.lat) && fix.accuracy.is_finite() && fix.time_ms.is_finite();
        if !valid {
            return Err(Rejected::Invalid);
        }
        let accuracy = fix.accuracy.max(1.0);
        self.last_accuracy = Some(accuracy);
        if accuracy > threshold {
            return Err(Rejected::Inaccurate { accuracy, threshold });
        }
        let variance = accuracy * accuracy;
        let far = self.origin.is_some_and(|o| o.enu(fix.lon, fix.lat, 0.0).truncate().length() > RECENTRE_M);
        match self.origin {
            Some(origin) if !far => {
                let z = origin.enu(fix.lon, fix.lat, 0.0).truncate();
                let dt = ((fix.time_ms - self.last_ms) / 1000.0).clamp(0.0, 600.0);
                let prior = self.variance + PROCESS_NOISE * dt;
                // A fix far outside what the estimate and the fix together allow is a jump (a
                // tunnel exit, a new session): start again from it rather than crawl over.
                let gain = if (z - self.estimate).length_squared() > 9.0 * (prior + variance) { 1.0 } else { prior / (prior + variance) };
                self.estimate += gain * (z - self.estimate);
                self.variance = ((1.0 - gain) * prior).max(if gain >= 1.0 { variance } else { 0.0 });
            }
            _ => {
                self.origin = Some(GeoReference::new(fix.lon, fix.lat, 0.0, 0.0));
                self.estimate = glam::DVec2::ZERO;
                self.variance = variance;
            }
        }
        if fix.altitude.is_some_and(f64::is_finite) {
            self.altitude = fix.altitude;
        }
        self.last_ms = fix.time_ms;
        Ok(())
    }

    /// The filtered position as a frame to place POIs in: its origin is the visitor (on the
    /// ground: altitude when the device gives one, else the ground the POIs stand on).
    pub fn frame(&self) -> Option<GeoReference> {
        let o = self.origin?;
        let (lon, lat) = o.offset(self.estimate.x, self.estimate.y);
        Some(GeoReference::new(lon, lat, self.altitude.unwrap_or(0.0), 0.0))
    }

    /// The estimate's 68 % radius in metres.
    pub fn uncertainty(&self) -> Option<f64> {
        self.origin.map(|_| self.variance.sqrt())
    }

    pub fn has_altitude(&self) -> bool {
        self.altitude.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(lon: f64, lat: f64, accuracy: f64, t: f64) -> Fix {
        Fix { lon, lat, altitude: None, accuracy, time_ms: t }
    }

    #[test]
    fn ignores_bad_fixes_and_smooths_noise() {
        let mut v = Visitor::default();
        v.accept(fix(121.5, 29.87, 10.0, 0.0), 50.0).unwrap();
        let origin = v.frame().unwrap();
        assert!(matches!(v.accept(fix(121.51, 29.87, 400.0, 1000.0), 50.0), Err(Rejected::Inaccurate { .. })));
        assert_eq!(v.frame(), Some(origin), "an inaccurate fix moves nothing");
        assert_eq!(v.last_accuracy, Some(400.0));
        // A fix 8 m east with ±10 m accuracy one second later: the estimate moves part way.
        let (lon8, lat8) = origin.offset(8.0, 0.0);
        v.accept(fix(lon8, lat8, 10.0, 1000.0), 50.0).unwrap();
        let moved = origin.enu(v.frame().unwrap().lon, v.frame().unwrap().lat, 0.0);
        assert!(moved.x > 2.0 && moved.x < 6.0, "{moved:?}");
        assert!(v.uncertainty().unwrap() < 10.0);
    }

    #[test]
    fn follows_a_walk_and_restarts_after_a_jump() {
        let mut v = Visitor::default();
        v.accept(fix(121.5, 29.87, 5.0, 0.0), 50.0).unwrap();
        let origin = v.frame().unwrap();
        // Walking north at 1.4 m/s with accurate fixes: the estimate stays within a few metres.
        for s in 1..=30 {
            let (lon, lat) = origin.offset(0.0, 1.4 * s as f64);
            v.accept(fix(lon, lat, 5.0, s as f64 * 1000.0), 50.0).unwrap();
        }
        let p = origin.enu(v.frame().unwrap().lon, v.frame().unwrap().lat, 0.0);
        assert!((p.y - 42.0).abs() < 5.0 && p.x.abs() < 0.5, "{p:?}");
        // A kilometre away a second later: taken at once, not crawled towards.
        let (lon, lat) = origin.offset(1000.0, 0.0);
        v.accept(fix(lon, lat, 5.0, 31_000.0), 50.0).unwrap();
        let p = origin.enu(v.frame().unwrap().lon, v.frame().unwrap().lat, 0.0);
        assert!((p.x - 1000.0).abs() < 1.0, "{p:?}");
        assert!(v.accept(fix(200.0, 29.0, 5.0, 0.0), 50.0).is_err());
    }
}
