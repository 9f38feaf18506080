//! Geodesy for placing POIs: WGS84 → a scene's local east-north-up frame, and the Chinese web-map
//! datums (GCJ-02, used by Amap and Tencent; BD-09, used by Baidu) back to WGS84.

use glam::DVec3;

/// WGS84 ellipsoid.
const A: f64 = 6_378_137.0;
const F: f64 = 1.0 / 298.257_223_563;

/// The datum a source's longitude/latitude are given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Datum {
    #[default]
    Wgs84,
    Gcj02,
    Bd09,
}

impl Datum {
    /// Reads a declared datum or CRS name; `Err` names CRSs that are not longitude/latitude.
    pub fn parse(name: &str) -> Result<Datum, String> {
        let n = name.trim().to_ascii_lowercase().replace(['-', '_', ' '], "");
        match n.as_str() {
            "wgs84" | "epsg:4326" | "crs84" | "ogc:crs84" | "urn:ogc:def:crs:ogc:1.3:crs84" | "http://www.opengis.net/def/crs/ogc/1.3/crs84"
            | "urn:ogc:def:crs:epsg::4326" | "http://www.opengis.net/def/crs/epsg/0/4326" => Ok(Datum::Wgs84),
            "gcj02" | "gcj" | "mars" | "amap" | "gaode" => Ok(Datum::Gcj02),
            "bd09" | "bd09ll" | "baidu" => Ok(Datum::Bd09),
            _ => Err(format!("coordinate system {name:?} is not WGS84, GCJ-02 or BD-09 longitude/latitude")),
        }
    }

    /// Converts (lon, lat) in this datum to WGS84.
    pub fn to_wgs84(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Datum::Wgs84 => (lon, lat),
            Datum::Gcj02 => gcj02_to_wgs84(lon, lat),
            Datum::Bd09 => {
                let (g_lon, g_lat) = bd09_to_gcj02(lon, lat);
                gcj02_to_wgs84(g_lon, g_lat)
            }
        }
    }
}

// GCJ-02 is WGS84 plus a published obfuscating offset (Krasovsky ellipsoid constants), applied
// only inside China.
const GCJ_A: f64 = 6_378_245.0;
const GCJ_EE: f64 = 0.006_693_421_622_965_943_23;

fn outside_china(lon: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

fn offset(lon: f64, lat: f64) -> (f64, f64) {
    use std::f64::consts::PI;
    let (x, y) = (lon - 105.0, lat - 35.0);
    let common = (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    let mut dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt() + common;
    dlat += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlat += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    let mut dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt() + common;
    dlon += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlon += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    let rad = lat.to_radians();
    let m = 1.0 - GCJ_EE * rad.sin() * rad.sin();
    let s = m.sqrt();
    (dlon * 180.0 / (GCJ_A / s * rad.cos() * PI), dlat * 180.0 / (GCJ_A * (1.0 - GCJ_EE) / (m * s) * PI))
}

pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if outside_china(lon, lat) {
        return (lon, lat);
    }
    let (dlon, dlat) = offset(lon, lat);
    (lon + dlon, lat + dlat)
}

/// Inverts GCJ-02 by fixed-point iteration (the offset is smooth): better than 1 cm.
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    let (mut w_lon, mut w_lat) = (lon, lat);
    for _ in 0..30 {
        let (g_lon, g_lat) = wgs84_to_gcj02(w_lon, w_lat);
        let (e_lon, e_lat) = (g_lon - lon, g_lat - lat);
        w_lon -= e_lon;
        w_lat -= e_lat;
        if e_lon.abs() < 1e-10 && e_lat.abs() < 1e-10 {
            break;
        }
    }
    (w_lon, w_lat)
}

const BD_X: f64 = std::f64::consts::PI * 3000.0 / 180.0;

pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let z = (lon * lon + lat * lat).sqrt() + 0.00002 * (lat * BD_X).sin();
    let t = lat.atan2(lon) + 0.000003 * (lon * BD_X).cos();
    (z * t.cos() + 0.0065, z * t.sin() + 0.006)
}

pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = (lon - 0.0065, lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * BD_X).sin();
    let t = y.atan2(x) - 0.000003 * (x * BD_X).cos();
    (z * t.cos(), z * t.sin())
}

/// Earth-centred, earth-fixed coordinates of a WGS84 point (metres).
pub fn ecef(lon: f64, lat: f64, h: f64) -> DVec3 {
    let e2 = F * (2.0 - F);
    let (sl, cl) = lat.to_radians().sin_cos();
    let (so, co) = lon.to_radians().sin_cos();
    let n = A / (1.0 - e2 * sl * sl).sqrt();
    DVec3::new((n + h) * cl * co, (n + h) * cl * so, (n * (1.0 - e2) + h) * sl)
}

/// The WGS84 longitude, latitude (degrees) and height (metres) of an ECEF point: latitude by
/// fixed-point iteration, to well under a millimetre for points near the surface.
pub fn from_ecef(p: DVec3) -> (f64, f64, f64) {
    let e2 = F * (2.0 - F);
    let r = (p.x * p.x + p.y * p.y).sqrt();
    let lon = p.y.atan2(p.x);
    let mut lat = p.z.atan2(r * (1.0 - e2));
    let mut h = 0.0;
    for _ in 0..6 {
        let sl = lat.sin();
        let n = A / (1.0 - e2 * sl * sl).sqrt();
        h = if lat.cos().abs() > 1e-9 { r / lat.cos() - n } else { p.z.abs() - n * (1.0 - e2) };
        lat = p.z.atan2(r * (1.0 - e2 * n / (n + h)));
    }
    (lon.to_degrees(), lat.to_degrees(), h)
}

/// Where a scene sits on the earth: its origin's WGS84 position and the compass heading of its
/// -Z axis (0 = the scene's -Z points north), from the glTF `extras` or element attributes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoReference {
    pub lon: f64,
    pub lat: f64,
    pub height: f64,
    pub heading_deg: f64,
    /// Metres in one scene unit (1 for glTF's metres; 0.01 for a model left in centimetres):
    /// what places POIs and sizes the walker.
    pub metres_per_unit: f64,
}

impl GeoReference {
    /// East, north, up (metres) of a WGS84 point relative to the origin.
    pub fn enu(&self, lon: f64, lat: f64, h: f64) -> DVec3 {
        let d = ecef(lon, lat, h) - ecef(self.lon, self.lat, self.height);
        let (sl, cl) = self.lat.to_radians().sin_cos();
        let (so, co) = self.lon.to_radians().sin_cos();
        let east = -so * d.x + co * d.y;
        let north = -sl * co * d.x - sl * so * d.y + cl * d.z;
        let up = cl * co * d.x + cl * so * d.y + sl * d.z;
        DVec3::new(east, north, up)
    }

    /// Scene (glTF, Y up) coordinates of a WGS84 point: east is +X and north is -Z when the
    /// heading is 0; otherwise the scene's -Z faces the compass bearing `heading_deg`.
    pub fn to_scene(&self, lon: f64, lat: f64, h: f64) -> [f32; 3] {
        let e = self.enu(lon, lat, h) / self.metres_per_unit;
        let (s, c) = self.heading_deg.to_radians().sin_cos();
        // Rotate the ground-plane vector into the scene's frame.
        let x = e.x * c - e.y * s;
        let north_in_scene = e.x * s + e.y * c;
        [x as f32, e.z as f32, -north_in_scene as f32]
    }

    /// Approximate WGS84 (lon, lat) of a scene point, on the tangent plane (good to metres over
    /// tens of kilometres: enough for a `bbox` query).
    pub fn to_geo(&self, p: [f32; 3]) -> (f64, f64) {
        let (x, north_in_scene) = (p[0] as f64 * self.metres_per_unit, -(p[2] as f64) * self.metres_per_unit);
        let (s, c) = self.heading_deg.to_radians().sin_cos();
        // Invert the rotation in `to_scene`.
        let east = x * c + north_in_scene * s;
        let north = -x * s + north_in_scene * c;
        self.offset(east, north)
    }

    /// WGS84 (lon, lat) of the point `east` and `north` metres from the origin, on the tangent
    /// plane (well under a metre over the few kilometres a visitor sees).
    pub fn offset(&self, east: f64, north: f64) -> (f64, f64) {
        let e2 = F * (2.0 - F);
        let sl = self.lat.to_radians().sin();
        let w = (1.0 - e2 * sl * sl).sqrt();
        let (n_radius, m_radius) = (A / w, A * (1.0 - e2) / (w * w * w));
        (self.lon + (east / (n_radius * self.lat.to_radians().cos())).to_degrees(), self.lat + (north / m_radius).to_degrees())
    }

    /// A reference in metres.
    pub fn new(lon: f64, lat: f64, height: f64, heading_deg: f64) -> GeoReference {
        GeoReference { lon, lat, height, heading_deg, metres_per_unit: 1.0 }
    }

    /// Reads `{"longitude", "latitude", "height"?, "heading"?, "metresPerUnit"?}` (degrees,
    /// metres), as found in a glTF asset's or scene's `extras.geoReference`.
    pub fn from_json(v: &serde_json::Value) -> Option<GeoReference> {
        let num = |k: &str| v.get(k).and_then(serde_json::Value::as_f64);
        let (lon, lat) = (num("longitude")?, num("latitude")?);
        ((-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)).then(|| GeoReference {
            lon,
            lat,
            height: num("height").unwrap_or(0.0),
            heading_deg: num("heading").unwrap_or(0.0),
            metres_per_unit: num("metresPerUnit").filter(|m| m.is_finite() && (1e-4..=1e4).contains(m)).unwrap_or(1.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecef_round_trips() {
        for (lon, lat, h) in [(121.55, 29.87, 35.0), (-75.61, 40.04, 0.0), (0.0, -89.9, 1000.0), (179.0, 0.0, -50.0)] {
            let (lo, la, hh) = from_ecef(ecef(lon, lat, h));
            assert!((lo - lon).abs() < 1e-9 && (la - lat).abs() < 1e-9 && (hh - h).abs() < 1e-4, "{lon} {lat} {h}: {lo} {la} {hh}");
        }
    }

    fn close(a: (f64, f64), b: (f64, f64), tol: f64) -> bool {
        (a.0 - b.0).abs() < tol && (a.1 - b.1).abs() < tol
    }

    // Published vectors: googollee/eviltransform's test suite (lat/lng given there as pairs) and
    // wandergis/coordtransform's README results.
    #[test]
    fn wgs84_to_gcj02_matches_published_vectors() {
        for (w, g) in [
            ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
            ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
            ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
            ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
        ] {
            assert!(close(wgs84_to_gcj02(w.0, w.1), g, 1e-9), "{w:?}");
            assert!(close(gcj02_to_wgs84(g.0, g.1), w, 1e-7), "{g:?}");
        }
    }

    #[test]
    fn bd09_matches_published_vectors() {
        assert!(close(gcj02_to_bd09(116.404, 39.915), (116.41036949371029, 39.92133699351021), 1e-9));
        assert!(close(bd09_to_gcj02(116.404, 39.915), (116.39762729119315, 39.90865673957631), 1e-9));
        // The inverse round-trips (eviltransform's BD-09 vectors use another BD formula and
        // differ from these by about 10 m, so they are not used here).
        let (g_lon, g_lat) = bd09_to_gcj02(120.019809, 29.199786);
        let back = gcj02_to_bd09(g_lon, g_lat);
        assert!(close(back, (120.019809, 29.199786), 1e-6), "{back:?}");
    }

    #[test]
    fn outside_china_is_unchanged() {
        assert_eq!(wgs84_to_gcj02(2.35, 48.85), (2.35, 48.85));
    }

    #[test]
    fn enu_of_known_offsets() {
        let r = GeoReference::new(121.5, 29.87, 0.0, 0.0);
        // 0.001° of latitude is about 110.8 m at this latitude; of longitude, 96.6 m.
        let n = r.enu(121.5, 29.871, 0.0);
        assert!((n.y - 110.85).abs() < 0.2 && n.x.abs() < 1e-6 && n.z.abs() < 0.01, "{n}");
        let e = r.enu(121.501, 29.87, 0.0);
        assert!((e.x - 96.63).abs() < 0.2 && e.y.abs() < 0.01, "{e}");
        let up = r.enu(121.5, 29.87, 50.0);
        assert!((up.z - 50.0).abs() < 1e-6);
        // North is -Z in the scene. With heading 90° the scene's -Z faces east, so east lies
        // along -Z and north along -X.
        let s = r.to_scene(121.5, 29.871, 0.0);
        assert!((s[2] + 110.85).abs() < 0.2 && s[0].abs() < 1e-3);
        let turned = GeoReference { heading_deg: 90.0, ..r };
        let north = turned.to_scene(121.5, 29.871, 0.0);
        assert!((north[0] + 110.85).abs() < 0.2 && north[2].abs() < 1e-3, "{north:?}");
        let east = turned.to_scene(121.501, 29.87, 0.0);
        assert!((east[2] + 96.63).abs() < 0.2 && east[0].abs() < 1e-3, "{east:?}");
    }

    #[test]
    fn to_geo_inverts_to_scene() {
        let r = GeoReference::new(121.55, 29.87, 0.0, 30.0);
        for (lon, lat) in [(121.56, 29.88), (121.5, 29.8), (121.7, 29.95)] {
            let (l2, b2) = r.to_geo(r.to_scene(lon, lat, 0.0));
            // Within about 20 m at 20 km (the tangent plane's curvature).
            assert!((l2 - lon).abs() < 2e-4 && (b2 - lat).abs() < 2e-4, "{lon},{lat} → {l2},{b2}");
        }
    }

    #[test]
    fn datum_names() {
        assert_eq!(Datum::parse("GCJ-02"), Ok(Datum::Gcj02));
        assert_eq!(Datum::parse("http://www.opengis.net/def/crs/OGC/1.3/CRS84"), Ok(Datum::Wgs84));
        assert!(Datum::parse("http://www.opengis.net/def/crs/EPSG/0/25832").unwrap_err().contains("25832"));
    }
}
