//! Magnetic declination: phones' compasses (Android's rotation vector behind
//! `deviceorientationabsolute`, iOS's `webkitCompassHeading`) give magnetic north, and POIs sit on
//! true north. In Ningbo the two are ~6° apart: 50 px at the edge of a phone's camera picture.
//! NOAA's World Magnetic Model (WMM2025, valid 2025–2029) gives the angle for a place and day.

use world_magnetic_model::GeomagneticField;
use world_magnetic_model::time::{Date, OffsetDateTime};
use world_magnetic_model::uom::si::angle::degree;
use world_magnetic_model::uom::si::f32::{Angle, Length};
use world_magnetic_model::uom::si::length::meter;

/// Declination in degrees (east of true north positive) at a place and a time (ms since 1970),
/// or None outside the model's years or coordinates (then north stays magnetic).
pub fn declination(lon: f64, lat: f64, unix_ms: f64) -> Option<f64> {
    let date: Date = OffsetDateTime::from_unix_timestamp((unix_ms / 1000.0) as i64).ok()?.date();
    let field = GeomagneticField::new(Length::new::<meter>(0.0), Angle::new::<degree>(lat as f32), Angle::new::<degree>(lon as f32), date).ok()?;
    Some(f64::from(field.declination().get::<degree>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1 December 2026, 00:00 UTC.
    const DEC_2026: f64 = 1_796_083_200_000.0;

    #[test]
    fn ningbo_is_about_six_degrees_west() {
        // NOAA's charts put eastern Zhejiang between 5° and 7° west (WMM2025).
        let d = declination(121.55, 29.87, DEC_2026).unwrap();
        assert!((-7.0..=-5.0).contains(&d), "{d}");
    }

    #[test]
    fn outside_the_model_is_none() {
        // 2040 is past WMM2025's validity.
        assert!(declination(121.55, 29.87, 2_208_988_800_000.0).is_none());
        assert!(declination(121.55, 95.0, DEC_2026).is_none());
    }
}
