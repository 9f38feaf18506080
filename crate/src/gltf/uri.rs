//! URIs inside a glTF: data URIs decoded here; relative references resolved against the model's URL.

use base64::Engine;

/// A decoded `data:` URI: its MIME type and bytes.
pub struct DataUri {
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// `Ok(None)` when `uri` is not a data URI; an error message when it is a malformed one.
pub fn parse_data_uri(uri: &str) -> Result<Option<DataUri>, String> {
    let Some(rest) = uri.strip_prefix("data:") else { return Ok(None) };
    let (head, payload) = rest.split_once(',').ok_or("data URI has no ',' before its payload")?;
    let (mime, base64) = match head.strip_suffix(";base64") {
        Some(mime) => (mime, true),
        None => (head, false),
    };
    let bytes = if base64 {
        base64::engine::general_purpose::STANDARD.decode(payload.trim()).map_err(|e| format!("data URI is not valid base64: {e}"))?
    } else {
        percent_encoding::percent_decode_str(payload).collect()
    };
    Ok(Some(DataUri { mime: mime.to_owned(), bytes }))
}

/// Resolves a relative URI reference against `base` (a URL or a path), RFC 3986 style for the
/// cases glTF files use: absolute URIs pass through, `/path` keeps the origin, others replace the
/// last segment. Percent-encoding is left as is: a browser's fetch decodes it.
pub fn resolve(base: &str, reference: &str) -> String {
    if has_scheme(reference) {
        return reference.to_owned();
    }
    let base = base.split(['?', '#']).next().unwrap_or(base);
    if let Some(path) = reference.strip_prefix('/') {
        if let Some(i) = base.find("://") {
            let origin_end = base[i + 3..].find('/').map_or(base.len(), |j| i + 3 + j);
            return format!("{}/{}", &base[..origin_end], path);
        }
        return reference.to_owned();
    }
    let dir = base.rfind('/').map_or("", |i| &base[..=i]);
    let mut out: Vec<&str> = dir.split('/').collect();
    out.pop(); // the empty piece after the trailing '/'
    for seg in reference.split('/') {
        match seg {
            "." => {}
            ".." if out.len() > 1 && !out.last().is_some_and(|s| s.ends_with(':') || s.is_empty()) => {
                out.pop();
            }
            _ => out.push(seg),
        }
    }
    out.join("/")
}

fn has_scheme(s: &str) -> bool {
    let Some(i) = s.find(':') else { return false };
    let scheme = &s[..i];
    !scheme.is_empty()
        && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// Sniffs the image format from its first bytes; glTF only names it for buffer-view images.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        [0xAB, b'K', b'T', b'X', b' ', b'2', b'0', ..] => Some("image/ktx2"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_references() {
        assert_eq!(resolve("http://h:8/m/Box.gltf?x=1", "Box0.bin"), "http://h:8/m/Box0.bin");
        assert_eq!(resolve("http://h/m/a/Box.gltf", "../tex/a%20b.png"), "http://h/m/tex/a%20b.png");
        assert_eq!(resolve("http://h/m/Box.gltf", "/root.bin"), "http://h/root.bin");
        assert_eq!(resolve("http://h/m/Box.gltf", "https://cdn/x.bin"), "https://cdn/x.bin");
        assert_eq!(resolve("/srv/models/Box.gltf", "Box0.bin"), "/srv/models/Box0.bin");
        assert_eq!(resolve("Box.gltf", "Box0.bin"), "Box0.bin");
    }

    #[test]
    fn decodes_data_uris() {
        let d = parse_data_uri("data:application/octet-stream;base64,AAEC").unwrap().unwrap();
        assert_eq!((d.mime.as_str(), d.bytes), ("application/octet-stream", vec![0, 1, 2]));
        assert!(parse_data_uri("data:application/octet-stream;base64,@@").is_err());
        assert!(parse_data_uri("Box0.bin").unwrap().is_none());
    }
}
