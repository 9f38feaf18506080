//! Numbers written as text: attribute values (`camera-orbit="30deg 75deg 1.5m"`) and schema.org's
//! quoted coordinates (`"latitude": "29.87"`). Parsed by serde_json, which every bundle carries for
//! glTF and POIs, not by `str::parse::<f64>`: core's correctly rounded parser links a 10 KB table
//! of powers of five that does not compress (~12 KB of the gzipped module with its code).
//! serde_json's result is within an ulp of the nearest f64, ample for degrees, metres and
//! coordinates.

use serde_json::Value;

/// A decimal number as CSS and JS write it: an optional sign, digits with an optional fraction
/// (`.5` and `5.` too), an optional exponent; blanks around it are ignored. `None` for anything
/// else (`inf`, `NaN`, `0x10`) and beyond f64's range.
pub fn parse(text: &str) -> Option<f64> {
    let s = text.trim();
    let (sign, s) = match s.as_bytes().first()? {
        b'-' => ("-", &s[1..]),
        b'+' => ("", &s[1..]),
        _ => ("", s),
    };
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |p: &str| p.bytes().all(|c| c.is_ascii_digit());
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.len() + frac.len() == 0 || !digits(int) || !digits(frac) {
        return None;
    }
    // Rewritten in JSON's grammar, which has no `+`, no leading zeros and no bare point.
    let int = int.trim_start_matches('0');
    let mut json = format!("{sign}{}", if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        json.push('.');
        json.push_str(frac);
    }
    if let Some(e) = exponent {
        let d = e.strip_prefix(['+', '-']).unwrap_or(e);
        if d.is_empty() || !digits(d) {
            return None;
        }
        json.push('e');
        json.push_str(e);
    }
    // from_slice, as glTF and POI documents are read: the same instantiation of the reader.
    serde_json::from_slice::<Value>(json.as_bytes()).ok()?.as_f64().filter(|x| x.is_finite())
}

/// A JSON number, or a string holding one.
pub fn from_value(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| parse(v.as_str()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_css_and_js_write() {
        for (text, want) in [
            ("1.5", 1.5),
            ("-.5", -0.5),
            ("+3", 3.0),
            ("5.", 5.0),
            ("007", 7.0),
            (" 2 ", 2.0),
            ("1e3", 1000.0),
            ("1E-2", 0.01),
            ("-2.5e+1", -25.0),
            ("0", 0.0),
            ("121.5436", 121.5436),
            ("12345678901234567890123", 1.2345678901234568e22),
        ] {
            assert_eq!(parse(text), Some(want), "{text:?}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_decimal_number() {
        for text in ["", " ", ".", "-", "+", "e5", "1e", "1e+", "abc", "1.2.3", "0x10", "inf", "NaN", "1,5", "--1", "1e999", "1 2"] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn within_an_ulp_of_core() {
        // Coordinates, angles and distances as pages write them: the two parsers agree to an ulp.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let x = (seed % 360_000_000) as f64 / 1e6 - 180.0;
            let text = format!("{x}");
            let (ours, core) = (parse(&text).unwrap(), text.parse::<f64>().unwrap());
            assert!((ours.to_bits() as i64 - core.to_bits() as i64).abs() <= 1, "{text}: {ours} against {core}");
        }
    }

    #[test]
    fn values_numbers_or_strings() {
        assert_eq!(from_value(&serde_json::json!(29.87)), Some(29.87));
        assert_eq!(from_value(&serde_json::json!(" 29.87")), Some(29.87));
        assert_eq!(from_value(&serde_json::json!("north")), None);
        assert_eq!(from_value(&serde_json::json!(null)), None);
    }
}
