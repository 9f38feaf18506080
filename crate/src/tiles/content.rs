//! Tile content formats to glTF: a `.glb` as it is, 1.0's Batched 3D Model (`b3dm`: a GLB after
//! a feature and batch table, `RTC_CENTER`), Instanced 3D Model (`i3dm`: a GLB drawn once per
//! instance, placed by the feature table), and Composite (`cmpt`: several of those). The GLB then
//! goes through the same loader as any model. Point clouds (`pnts`) are said to be unsupported.
//!
//! Each piece's placement is in the tile's frame (z up, as 3D Tiles): the web room composes it
//! with the tile's transform and the y-up-to-z-up turn every glTF in 3D Tiles takes.

use std::ops::Range;

use glam::{DMat3, DMat4, DQuat, DVec3};
use serde_json::Value;

/// More instances than this in one i3dm are refused (a hostile count would allocate for them).
pub const MAX_INSTANCES: usize = 1 << 20;
/// Composites nest at most this deep.
const MAX_NESTING: u32 = 4;

/// One glTF to draw: its GLB's bytes in the tile file, the centre its positions are relative to
/// (`RTC_CENTER`, `CESIUM_RTC`; tile frame), and for an i3dm the instances (tile frame, applied
/// to the z-up model).
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub glb: Range<usize>,
    pub rtc: DVec3,
    pub instances: Option<Vec<DMat4>>,
}

/// Splits a tile file into the glTFs it holds.
pub fn unpack(bytes: &[u8]) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    unpack_into(bytes, 0, 0, &mut out)?;
    Ok(out)
}

fn u32_at(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
}

fn unpack_into(all: &[u8], start: usize, depth: u32, out: &mut Vec<Piece>) -> Result<(), String> {
    let b = &all[start..];
    let magic = b.get(..4).ok_or("the tile is empty or truncated")?;
    match magic {
        b"glTF" => {
            let len = u32_at(b, 8).filter(|&l| l <= b.len()).ok_or("GLB: its length runs past the end of the tile")?;
            let rtc = cesium_rtc(&b[..len]).unwrap_or(DVec3::ZERO);
            out.push(Piece { glb: start..start + len, rtc, instances: None });
        }
        b"b3dm" => {
            let (tables, body) = tables(b, 28, "b3dm")?;
            let ft = feature_table(b, &tables)?;
            let rtc = vec3(&ft, "RTC_CENTER", b, &tables, "b3dm")?.unwrap_or(DVec3::ZERO);
            let glb = start + body..start + u32_at(b, 8).unwrap_or(0).min(b.len());
            let inner = cesium_rtc(&all[glb.clone()]).unwrap_or(DVec3::ZERO);
            out.push(Piece { glb, rtc: rtc + inner, instances: None });
        }
        b"i3dm" => {
            let (tables, body) = tables(b, 32, "i3dm")?;
            if u32_at(b, 28) != Some(1) {
                return Err("i3dm: its glTF is given by URL (gltfFormat 0), which is not supported yet".into());
            }
            let ft = feature_table(b, &tables)?;
            let instances = instances(&ft, b, &tables)?;
            let glb = start + body..start + u32_at(b, 8).unwrap_or(0).min(b.len());
            let inner = cesium_rtc(&all[glb.clone()]).unwrap_or(DVec3::ZERO);
            out.push(Piece { glb, rtc: inner, instances: Some(instances) });
        }
        b"cmpt" => {
            if depth >= MAX_NESTING {
                return Err(format!("cmpt: composites nested more than {MAX_NESTING} deep"));
            }
            let len = u32_at(b, 8).filter(|&l| l <= b.len() && l >= 16).ok_or("cmpt: its length runs past the end of the tile")?;
            let count = u32_at(b, 12).ok_or("cmpt: truncated header")?;
            let mut at = 16;
            for i in 0..count {
                let inner = u32_at(b, at + 8).filter(|&l| l >= 12 && at + l <= len).ok_or_else(|| format!("cmpt: inner tile {i} runs past the composite"))?;
                unpack_into(all, start + at, depth + 1, out).map_err(|e| format!("cmpt: inner tile {i}: {e}"))?;
                at += inner;
            }
        }
        b"pnts" => return Err("point clouds (pnts) are not supported yet".into()),
        m => return Err(format!("not a tile format Scenic reads (magic {:?})", String::from_utf8_lossy(m))),
    }
    Ok(())
}

/// The feature table's JSON and binary ranges, and where the GLB starts, after a header of
/// `header` bytes (b3dm 28, i3dm 32) ending in the four table lengths.
struct Tables {
    ft_json: Range<usize>,
    ft_bin: Range<usize>,
}

fn tables(b: &[u8], header: usize, what: &str) -> Result<(Tables, usize), String> {
    if u32_at(b, 4) != Some(1) {
        return Err(format!("{what}: version {:?} is not read (1 is)", u32_at(b, 4)));
    }
    let len = u32_at(b, 8).filter(|&l| l <= b.len() && l >= header).ok_or_else(|| format!("{what}: its length runs past the end of the tile (truncated?)"))?;
    let [fj, fb, bj, bb] = [0, 1, 2, 3].map(|k| u32_at(b, 12 + 4 * k).unwrap_or(usize::MAX));
    // Cesium's legacy b3dm headers put a batch length where these lengths are: their values are
    // huge (a JSON length read from a glTF magic).
    if what == "b3dm" && (bj >= 570_425_344 || bb >= 570_425_344) {
        return Err("b3dm: a legacy header (before 3D Tiles 1.0) is not read".into());
    }
    let ft_json = header..header.checked_add(fj).ok_or("length overflow")?;
    let ft_bin = ft_json.end..ft_json.end.checked_add(fb).ok_or("length overflow")?;
    let body = ft_bin.end.checked_add(bj).and_then(|x| x.checked_add(bb)).filter(|&e| e <= len).ok_or_else(|| format!("{what}: its tables run past the end of the tile"))?;
    Ok((Tables { ft_json, ft_bin }, body))
}

fn feature_table(b: &[u8], t: &Tables) -> Result<serde_json::Map<String, Value>, String> {
    let json = &b[t.ft_json.clone()];
    // Padding with spaces (or nothing) is allowed.
    if json.iter().all(|c| c.is_ascii_whitespace() || *c == 0) {
        return Ok(Default::default());
    }
    let end = json.iter().rposition(|&c| c == b'}').map_or(json.len(), |p| p + 1);
    match serde_json::from_slice(&json[..end]) {
        Ok(Value::Object(o)) => Ok(o),
        _ => Err("the feature table is not a JSON object".into()),
    }
}

/// A property's floats: a JSON array, or `{byteOffset}` into the binary body (f32, or the
/// given component size for quantized and oct-encoded semantics).
fn floats(ft: &serde_json::Map<String, Value>, key: &str, b: &[u8], t: &Tables, n: usize, kind: Kind) -> Result<Option<Vec<f64>>, String> {
    let Some(v) = ft.get(key) else { return Ok(None) };
    if let Some(a) = v.as_array() {
        let out: Option<Vec<f64>> = a.iter().map(|x| x.as_f64().filter(|x| x.is_finite())).collect();
        return out.filter(|o| o.len() == n).map(Some).ok_or_else(|| format!("{key}: {n} numbers are needed"));
    }
    let offset = v.get("byteOffset").and_then(Value::as_u64).ok_or_else(|| format!("{key}: an array or a byteOffset is needed"))? as usize;
    let size = kind.size();
    let bin = &b[t.ft_bin.clone()];
    let bytes = offset.checked_add(n.checked_mul(size).ok_or("length overflow")?).and_then(|end| bin.get(offset..end)).ok_or_else(|| format!("{key}: runs past the feature table"))?;
    Ok(Some(
        bytes
            .chunks_exact(size)
            .map(|c| match kind {
                Kind::F32 => f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
                Kind::U16 => f64::from(u16::from_le_bytes([c[0], c[1]])),
                Kind::U32 => f64::from(u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            })
            .collect(),
    ))
}

#[derive(Clone, Copy)]
enum Kind {
    F32,
    U16,
    U32,
}

impl Kind {
    fn size(self) -> usize {
        match self {
            Kind::U16 => 2,
            _ => 4,
        }
    }
}

fn vec3(ft: &serde_json::Map<String, Value>, key: &str, b: &[u8], t: &Tables, what: &str) -> Result<Option<DVec3>, String> {
    Ok(floats(ft, key, b, t, 3, Kind::F32).map_err(|e| format!("{what}: {e}"))?.map(|v| DVec3::new(v[0], v[1], v[2])))
}

/// An oct-encoded unit vector (16 bits a component), as Cesium's AttributeCompression.
fn oct(x: f64, y: f64) -> DVec3 {
    let (x, y) = (x / 65535.0 * 2.0 - 1.0, y / 65535.0 * 2.0 - 1.0);
    let z = 1.0 - x.abs() - y.abs();
    let (x, y) = if z < 0.0 { ((1.0 - y.abs()) * x.signum(), (1.0 - x.abs()) * y.signum()) } else { (x, y) };
    DVec3::new(x, y, z).normalize_or_zero()
}

/// WGS84's east-north-up frame at ECEF point `p` (Cesium's eastNorthUpToFixedFrame): columns
/// east, north, up (the ellipsoid's normal there), translation `p`.
pub fn east_north_up(p: DVec3) -> DMat4 {
    const A2: f64 = 6_378_137.0 * 6_378_137.0;
    const B2: f64 = 6_356_752.314_245_179 * 6_356_752.314_245_179;
    let up = DVec3::new(p.x / A2, p.y / A2, p.z / B2).normalize_or(DVec3::Z);
    let east = DVec3::new(-p.y, p.x, 0.0).normalize_or(DVec3::X);
    let north = up.cross(east);
    DMat4::from_cols(east.extend(0.0), north.extend(0.0), up.extend(0.0), p.extend(1.0))
}

fn instances(ft: &serde_json::Map<String, Value>, b: &[u8], t: &Tables) -> Result<Vec<DMat4>, String> {
    let e = |m: String| format!("i3dm: {m}");
    let n = ft.get("INSTANCES_LENGTH").and_then(Value::as_u64).ok_or_else(|| e("INSTANCES_LENGTH is missing".into()))? as usize;
    if n > MAX_INSTANCES {
        return Err(e(format!("{n} instances (at most {MAX_INSTANCES} are drawn)")));
    }
    let rtc = vec3(ft, "RTC_CENTER", b, t, "i3dm")?.unwrap_or(DVec3::ZERO);
    let positions = match floats(ft, "POSITION", b, t, n * 3, Kind::F32).map_err(e)? {
        Some(p) => p,
        None => {
            let q = floats(ft, "POSITION_QUANTIZED", b, t, n * 3, Kind::U16).map_err(e)?.ok_or_else(|| e("POSITION or POSITION_QUANTIZED is needed".into()))?;
            let offset = vec3(ft, "QUANTIZED_VOLUME_OFFSET", b, t, "i3dm")?.ok_or_else(|| e("QUANTIZED_VOLUME_OFFSET is missing".into()))?;
            let scale = vec3(ft, "QUANTIZED_VOLUME_SCALE", b, t, "i3dm")?.ok_or_else(|| e("QUANTIZED_VOLUME_SCALE is missing".into()))?;
            q.chunks_exact(3).flat_map(|c| (offset + DVec3::new(c[0], c[1], c[2]) / 65535.0 * scale).to_array()).collect()
        }
    };
    let up = floats(ft, "NORMAL_UP", b, t, n * 3, Kind::F32).map_err(e)?;
    let right = floats(ft, "NORMAL_RIGHT", b, t, n * 3, Kind::F32).map_err(e)?;
    let up_oct = floats(ft, "NORMAL_UP_OCT32P", b, t, n * 2, Kind::U16).map_err(e)?;
    let right_oct = floats(ft, "NORMAL_RIGHT_OCT32P", b, t, n * 2, Kind::U16).map_err(e)?;
    let scale = floats(ft, "SCALE", b, t, n, Kind::F32).map_err(e)?;
    let scale3 = floats(ft, "SCALE_NON_UNIFORM", b, t, n * 3, Kind::F32).map_err(e)?;
    let enu = ft.get("EAST_NORTH_UP").and_then(Value::as_bool).unwrap_or(false);
    // BATCH_ID (U32 by default) is read only to check its length.
    let _ = floats(ft, "BATCH_ID", b, t, n, Kind::U32);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let local = DVec3::new(positions[3 * i], positions[3 * i + 1], positions[3 * i + 2]);
        let at = local + rtc;
        let v3 = |v: &Vec<f64>| DVec3::new(v[3 * i], v[3 * i + 1], v[3 * i + 2]);
        let basis = match (&up, &right, &up_oct, &right_oct) {
            (Some(u), Some(r), _, _) => Some((v3(u).normalize_or(DVec3::Y), v3(r).normalize_or(DVec3::X))),
            (_, _, Some(u), Some(r)) => Some((oct(u[2 * i], u[2 * i + 1]), oct(r[2 * i], r[2 * i + 1]))),
            _ => None,
        };
        // Columns right, up, right × up (Cesium's Instanced3DModel3DTileContent); else east,
        // north, up at the instance (EAST_NORTH_UP); else unturned.
        let rotation = match basis {
            Some((u, r)) => DMat3::from_cols(r, u, r.cross(u)),
            None if enu => DMat3::from_mat4(east_north_up(at)),
            None => DMat3::IDENTITY,
        };
        let s = match (&scale3, &scale) {
            (Some(s), _) => v3(s),
            (None, Some(s)) => DVec3::splat(s[i]),
            _ => DVec3::ONE,
        };
        if !at.is_finite() || !s.is_finite() {
            return Err(e(format!("instance {i}: a position or scale that is not a number")));
        }
        out.push(DMat4::from_scale_rotation_translation(s, DQuat::from_mat3(&rotation), at));
    }
    Ok(out)
}

/// The glTF's `extensions.CESIUM_RTC.center`, read from its JSON chunk without the loader (the
/// loader takes the extension by name and leaves the placement to the tiles room).
pub fn cesium_rtc(glb: &[u8]) -> Option<DVec3> {
    let len = u32_at(glb, 12)?;
    let json = glb.get(20..20usize.checked_add(len)?)?;
    // Most tiles have none: a substring check spares parsing their JSON twice.
    json.windows(10).any(|w| w == b"CESIUM_RTC").then_some(())?;
    let v: Value = serde_json::from_slice(json).ok()?;
    let c = v.pointer("/extensions/CESIUM_RTC/center")?.as_array()?;
    let c: Vec<f64> = c.iter().filter_map(Value::as_f64).collect();
    (c.len() == 3).then(|| DVec3::new(c[0], c[1], c[2]))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A GLB of one JSON chunk (no BIN): enough for the container checks here.
    pub fn glb(json: &str) -> Vec<u8> {
        let mut j = json.as_bytes().to_vec();
        while j.len() % 4 != 0 {
            j.push(b' ');
        }
        let mut out = Vec::new();
        out.extend(b"glTF");
        out.extend(2u32.to_le_bytes());
        out.extend((20 + j.len() as u32).to_le_bytes());
        out.extend((j.len() as u32).to_le_bytes());
        out.extend(b"JSON");
        out.extend(j);
        out
    }

    /// A b3dm or i3dm around `glb` with feature table `ft` (JSON) and `bin`.
    pub fn wrap(magic: &[u8; 4], ft: &str, bin: &[u8], glb: &[u8]) -> Vec<u8> {
        let mut ft = ft.as_bytes().to_vec();
        let header = if magic == b"i3dm" { 32 } else { 28 };
        while (header + ft.len()) % 8 != 0 {
            ft.push(b' ');
        }
        let mut out = Vec::new();
        out.extend(magic);
        out.extend(1u32.to_le_bytes());
        out.extend(((header + ft.len() + bin.len() + glb.len()) as u32).to_le_bytes());
        for l in [ft.len(), bin.len(), 0, 0] {
            out.extend((l as u32).to_le_bytes());
        }
        if magic == b"i3dm" {
            out.extend(1u32.to_le_bytes());
        }
        out.extend(ft);
        out.extend(bin);
        out.extend(glb);
        out
    }

    #[test]
    fn b3dm_and_composites_give_their_glbs_and_centres() {
        let g = glb(r#"{"asset":{"version":"2.0"}}"#);
        let b = wrap(b"b3dm", r#"{"BATCH_LENGTH":0,"RTC_CENTER":[1,2,3]}"#, &[], &g);
        let p = unpack(&b).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(&b[p[0].glb.clone()], &g[..]);
        assert_eq!(p[0].rtc, DVec3::new(1.0, 2.0, 3.0));
        // CESIUM_RTC inside the glTF adds to it.
        let g2 = glb(r#"{"asset":{"version":"2.0"},"extensions":{"CESIUM_RTC":{"center":[10,0,0]}}}"#);
        assert_eq!(unpack(&g2).unwrap()[0].rtc, DVec3::new(10.0, 0.0, 0.0));
        // A composite of the two, in order.
        let mut c = Vec::new();
        c.extend(b"cmpt");
        c.extend(1u32.to_le_bytes());
        c.extend(((16 + b.len() + g2.len()) as u32).to_le_bytes());
        c.extend(2u32.to_le_bytes());
        c.extend(&b);
        c.extend(&g2);
        let p = unpack(&c).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(&c[p[0].glb.clone()], &g[..]);
        assert_eq!(&c[p[1].glb.clone()], &g2[..]);
    }

    #[test]
    fn broken_tiles_are_said() {
        let g = glb(r#"{"asset":{"version":"2.0"}}"#);
        let b = wrap(b"b3dm", r#"{"BATCH_LENGTH":0}"#, &[], &g);
        assert!(unpack(&b[..40]).unwrap_err().contains("truncated"), "{}", unpack(&b[..40]).unwrap_err());
        assert!(unpack(b"").unwrap_err().contains("empty"));
        assert!(unpack(b"<html>404</html>").unwrap_err().contains("magic"));
        assert!(unpack(b"pnts\x01\0\0\0").unwrap_err().contains("point clouds"));
        let mut bad = b.clone();
        bad[28] = b'[';
        assert!(unpack(&bad).unwrap_err().contains("feature table"));
        let i = wrap(b"i3dm", r#"{"INSTANCES_LENGTH":2,"POSITION":{"byteOffset":0}}"#, &[0; 12], &g);
        assert!(unpack(&i).unwrap_err().contains("POSITION: runs past"), "{}", unpack(&i).unwrap_err());
        let i = wrap(b"i3dm", r#"{"INSTANCES_LENGTH":4000000000,"POSITION":{"byteOffset":0}}"#, &[], &g);
        assert!(unpack(&i).unwrap_err().contains("instances"));
    }

    #[test]
    fn i3dm_instances_are_placed_turned_and_scaled() {
        let g = glb(r#"{"asset":{"version":"2.0"}}"#);
        let mut bin = Vec::new();
        for v in [10.0f32, 0.0, 0.0, 0.0, 20.0, 0.0] {
            bin.extend(v.to_le_bytes());
        }
        let ups = bin.len();
        // The first instance's up along +x, right along -y; the second's the default frame.
        for v in [1.0f32, 0.0, 0.0, 0.0, 0.0, 1.0] {
            bin.extend(v.to_le_bytes());
        }
        let rights = bin.len();
        for v in [0.0f32, -1.0, 0.0, 1.0, 0.0, 0.0] {
            bin.extend(v.to_le_bytes());
        }
        let ft = format!(r#"{{"INSTANCES_LENGTH":2,"POSITION":{{"byteOffset":0}},"NORMAL_UP":{{"byteOffset":{ups}}},"NORMAL_RIGHT":{{"byteOffset":{rights}}},"SCALE_NON_UNIFORM":[1,1,1],"RTC_CENTER":[0,0,5]}}"#);
        // SCALE_NON_UNIFORM as a JSON array of 3 is for one instance only: refused for two.
        assert!(unpack(&wrap(b"i3dm", &ft, &bin, &g)).unwrap_err().contains("SCALE_NON_UNIFORM"));
        let ft = ft.replace(r#","SCALE_NON_UNIFORM":[1,1,1]"#, r#","SCALE":[2,3]"#);
        let p = unpack(&wrap(b"i3dm", &ft, &bin, &g)).unwrap();
        let inst = p[0].instances.as_ref().unwrap();
        assert_eq!(inst.len(), 2);
        assert!((inst[0].transform_point3(DVec3::ZERO) - DVec3::new(10.0, 0.0, 5.0)).length() < 1e-9);
        // Model y (up) goes along the instance's up, model x along its right, scaled.
        assert!((inst[0].transform_vector3(DVec3::Y) - DVec3::new(2.0, 0.0, 0.0)).length() < 1e-6);
        assert!((inst[0].transform_vector3(DVec3::X) - DVec3::new(0.0, -2.0, 0.0)).length() < 1e-6);
        assert!((inst[1].transform_point3(DVec3::X) - DVec3::new(3.0, 20.0, 5.0)).length() < 1e-6);
    }

    #[test]
    fn the_corpus_trees_stand_up_on_the_ellipsoid() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/tiles/1.0/TilesetWithTreeBillboards/tree.i3dm");
        let Ok(bytes) = std::fs::read(path) else { return };
        let p = unpack(&bytes).unwrap();
        let inst = p[0].instances.as_ref().unwrap();
        assert_eq!(inst.len(), 25);
        for m in inst {
            let at = m.transform_point3(DVec3::ZERO);
            // Near Philadelphia on the ground, and the model's z (up after the y-to-z turn)
            // along the ellipsoid's normal there: within 0.2° of the geocentric direction.
            assert!((at.length() - 6_369_000.0).abs() < 10_000.0);
            let up = m.transform_vector3(DVec3::Z).normalize();
            assert!(up.dot(at.normalize()) > 0.99, "{up} {at}");
        }
        let g = &bytes[p[0].glb.clone()];
        assert!(crate::gltf::parse(g).is_ok());
    }
}
