//! Radiance `.hdr` (RGBE) images, the format HDR environment maps come in (Poly Haven, the
//! Khronos sample environments): a text header, then scanlines of shared-exponent RGB, flat or
//! run-length encoded per channel. Every length is checked against the bytes given.

use super::{Equirect, check_size};

/// Whether `bytes` start like a Radiance file.
pub fn is_hdr(bytes: &[u8]) -> bool {
    bytes.starts_with(b"#?")
}

pub fn decode(bytes: &[u8]) -> Result<Equirect, String> {
    if !is_hdr(bytes) {
        return Err("not a Radiance .hdr image (it does not begin with #?)".into());
    }
    // Header lines up to an empty one, then the resolution line.
    let mut pos = 0;
    let mut line = || -> Result<&[u8], String> {
        let rest = &bytes[pos..];
        let end = rest.iter().take(4096).position(|&b| b == b'\n').ok_or("a .hdr header line does not end")?;
        pos += end + 1;
        Ok(&rest[..end])
    };
    loop {
        let l = line()?;
        if l.is_empty() {
            break;
        }
        if let Some(format) = l.strip_prefix(b"FORMAT=") {
            if format != b"32-bit_rle_rgbe" {
                return Err(format!("a .hdr image in {} (only 32-bit_rle_rgbe is read)", String::from_utf8_lossy(format)));
            }
        }
    }
    let res = String::from_utf8_lossy(line()?).into_owned();
    let parts: Vec<&str> = res.split_whitespace().collect();
    let (flip, height, width) = match parts.as_slice() {
        [y, h, "+X", w] if *y == "-Y" || *y == "+Y" => (*y == "+Y", h.parse::<u32>().ok(), w.parse::<u32>().ok()),
        _ => return Err(format!("a .hdr image laid out as \"{res}\" (only -Y h +X w, or +Y, is read)")),
    };
    let (Some(width), Some(height)) = (width, height) else { return Err(format!("a .hdr size that is not a number: \"{res}\"")) };
    check_size(width, height)?;
    let data = &bytes[pos..];
    let (w, h) = (width as usize, height as usize);
    let mut texels = Vec::with_capacity(w * h);
    let mut at = 0;
    let mut scan = vec![0u8; w * 4];
    let short = || "the .hdr image ends before its last scanline".to_string();
    for _ in 0..h {
        let head = data.get(at..at + 4).ok_or_else(short)?;
        if (8..0x8000).contains(&w) && head[0] == 2 && head[1] == 2 && usize::from(head[2]) << 8 | usize::from(head[3]) == w {
            // Run-length encoded: each channel of the scanline in turn.
            at += 4;
            for c in 0..4 {
                let mut x = 0;
                while x < w {
                    let count = *data.get(at).ok_or_else(short)? as usize;
                    at += 1;
                    if count > 128 {
                        let n = count - 128;
                        let v = *data.get(at).ok_or_else(short)?;
                        at += 1;
                        if x + n > w {
                            return Err("a .hdr run goes past the end of its scanline".into());
                        }
                        (x..x + n).for_each(|i| scan[i * 4 + c] = v);
                        x += n;
                    } else {
                        if count == 0 || x + count > w {
                            return Err("a .hdr run goes past the end of its scanline".into());
                        }
                        let run = data.get(at..at + count).ok_or_else(short)?;
                        at += count;
                        run.iter().enumerate().for_each(|(i, &v)| scan[(x + i) * 4 + c] = v);
                        x += count;
                    }
                }
            }
        } else {
            scan.copy_from_slice(data.get(at..at + w * 4).ok_or_else(short)?);
            at += w * 4;
        }
        texels.extend(scan.chunks_exact(4).map(|p| {
            if p[3] == 0 {
                return [0.0; 3];
            }
            let f = 2f32.powi(i32::from(p[3]) - 136);
            [f32::from(p[0]) * f, f32::from(p[1]) * f, f32::from(p[2]) * f]
        }));
    }
    if flip {
        let rows: Vec<[f32; 3]> = texels.chunks_exact(w).rev().flatten().copied().collect();
        texels = rows;
    }
    Ok(Equirect { width, height, texels })
}

/// Encodes an equirect as a run-length encoded Radiance file (tests and the fixtures tools
/// make environments with).
pub fn encode(e: &Equirect) -> Vec<u8> {
    let mut out = format!("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y {} +X {}\n", e.height, e.width).into_bytes();
    for row in e.texels.chunks_exact(e.width as usize) {
        let rgbe: Vec<[u8; 4]> = row.iter().map(|&t| rgbe(t)).collect();
        out.extend([2, 2, (e.width >> 8) as u8, e.width as u8]);
        for c in 0..4 {
            let channel: Vec<u8> = rgbe.iter().map(|p| p[c]).collect();
            let mut i = 0;
            while i < channel.len() {
                let run = channel[i..].iter().take(127).take_while(|&&v| v == channel[i]).count();
                if run >= 3 {
                    out.extend([128 + run as u8, channel[i]]);
                    i += run;
                } else {
                    let n = (channel.len() - i).min(128);
                    // Literals up to the next run of three.
                    let n = (0..n).find(|&k| k + 2 < channel.len() - i && channel[i + k] == channel[i + k + 1] && channel[i + k] == channel[i + k + 2]).unwrap_or(n).max(1);
                    out.push(n as u8);
                    out.extend(&channel[i..i + n]);
                    i += n;
                }
            }
        }
    }
    out
}

fn rgbe(c: [f32; 3]) -> [u8; 4] {
    let m = c[0].max(c[1]).max(c[2]);
    if m < 1e-32 {
        return [0; 4];
    }
    let e = m.log2().floor() as i32 + 1;
    let scale = 256.0 / 2f32.powi(e);
    [(c[0] * scale).min(255.0) as u8, (c[1] * scale).min(255.0) as u8, (c[2] * scale).min(255.0) as u8, (e + 128) as u8]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> Equirect {
        let (w, h) = (40, 20);
        let texels = (0..w * h).map(|i| if i % w < 25 { [1.0, 0.5, 0.25] } else { [(i % 7) as f32 * 3.0, 0.0, 100.0] }).collect();
        Equirect { width: w, height: h, texels }
    }

    #[test]
    fn run_length_encoded_round_trip() {
        let e = image();
        let bytes = encode(&e);
        assert!(is_hdr(&bytes));
        assert!(bytes.len() < 40 * 20 * 4, "runs made it smaller: {}", bytes.len());
        let d = decode(&bytes).unwrap();
        assert_eq!((d.width, d.height), (40, 20));
        for (a, b) in d.texels.iter().zip(&e.texels) {
            for c in 0..3 {
                assert!((a[c] - b[c]).abs() <= b[c] / 64.0 + 1e-6, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn flat_and_bottom_up() {
        // 2 × 2, flat (too narrow to be run-length encoded), rows from the bottom.
        let mut bytes = b"#?RGBE\nEXPOSURE=1.0\n\n+Y 2 +X 2\n".to_vec();
        bytes.extend([128, 0, 0, 129, 0, 128, 0, 129, 0, 0, 128, 129, 0, 0, 0, 0]);
        let d = decode(&bytes).unwrap();
        // 128 · 2^(129 − 136) = 1.
        assert_eq!(d.texels, vec![[0.0, 0.0, 1.0], [0.0; 3], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]);
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        let good = encode(&image());
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"P6\n".to_vec(), "not a Radiance"),
            (b"#?RADIANCE\nFORMAT=32-bit_rle_xyze\n\n-Y 1 +X 1\n\0\0\0\0".to_vec(), "32-bit_rle_xyze"),
            (b"#?RADIANCE\n\n+X 2 -Y 2\n".to_vec(), "laid out"),
            (b"#?RADIANCE\n\n-Y 0 +X 2\n".to_vec(), "0 texels"),
            (b"#?RADIANCE\n\n-Y 99999 +X 99999\n".to_vec(), "at most"),
            (b"#?RADIANCE\n\n-Y x +X 2\n".to_vec(), "not a number"),
            (b"#?RADIANCE".to_vec(), "does not end"),
            (good[..good.len() - 10].to_vec(), "ends before"),
        ];
        for (bytes, want) in cases {
            let e = decode(&bytes).unwrap_err();
            assert!(e.contains(want), "{want}: {e}");
        }
        // A run past its scanline's end.
        let mut bad = b"#?RADIANCE\n\n-Y 1 +X 8\n".to_vec();
        bad.extend([2, 2, 0, 8, 128 + 9, 1]);
        assert!(decode(&bad).unwrap_err().contains("past the end"));
        // Any cut or flipped byte gives an image or a reason, never a panic.
        for cut in 0..good.len() {
            let _ = decode(&good[..cut]);
        }
        for i in 30..good.len() {
            let mut b = good.clone();
            b[i] ^= 0xa5;
            let _ = decode(&b);
        }
    }
}
