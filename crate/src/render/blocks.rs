//! Block-compressed textures (KHR_texture_basisu transcoded by the Basis module): the formats
//! both backends can upload, named by the module's codes, and the module's answer read back.
//! Pure, so the reading is tested natively.

/// A GPU block format of 4×4 texels, 16 bytes a block (1 byte a texel, against RGBA8's 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockFormat {
    Astc4x4,
    Bc7,
    Etc2Rgba8,
}

/// The Basis module's code for uncompressed RGBA8 of the base level.
pub const RGBA8: i32 = 13;

impl BlockFormat {
    /// The Basis module's codes (basisu's `transcoder_texture_format`).
    pub fn code(self) -> i32 {
        match self {
            BlockFormat::Astc4x4 => 10,
            BlockFormat::Bc7 => 6,
            BlockFormat::Etc2Rgba8 => 1,
        }
    }

    pub fn from_code(code: i32) -> Option<BlockFormat> {
        [BlockFormat::Astc4x4, BlockFormat::Bc7, BlockFormat::Etc2Rgba8].into_iter().find(|f| f.code() == code)
    }

    pub fn name(self) -> &'static str {
        match self {
            BlockFormat::Astc4x4 => "ASTC 4×4",
            BlockFormat::Bc7 => "BC7",
            BlockFormat::Etc2Rgba8 => "ETC2",
        }
    }
}

/// Bytes of one `width` × `height` level in a 4×4, 16-byte block format.
pub fn level_bytes(width: u32, height: u32) -> u64 {
    u64::from(width.max(1).div_ceil(4)) * u64::from(height.max(1).div_ceil(4)) * 16
}

/// The header of the module's answer: format code, base size, and each level's byte range in
/// the answer.
#[derive(Debug, PartialEq)]
pub struct Answer {
    pub format: i32,
    pub width: u32,
    pub height: u32,
    pub levels: Vec<std::ops::Range<usize>>,
}

/// Reads the module's answer (u32 LE: format, width, height, level count; each level's length;
/// the levels), checking each level against its size so that a short or wrong answer is an error
/// here rather than a GPU validation failure.
pub fn read_answer(head: &[u8], total: usize) -> Result<Answer, String> {
    let word = |i: usize| head.get(4 * i..4 * i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let short = || "the Basis module's answer is cut short".to_string();
    let (format, width, height, count) = match (word(0), word(1), word(2), word(3)) {
        (Some(f), Some(w), Some(h), Some(c)) => (f as i32, w, h, c as usize),
        _ => return Err(short()),
    };
    if width == 0 || height == 0 || count == 0 || count > 32 {
        return Err(format!("the Basis module answered {width} × {height} texels in {count} levels"));
    }
    let mut at = 16 + 4 * count;
    let mut levels = Vec::with_capacity(count);
    for l in 0..count {
        let len = word(4 + l).ok_or_else(short)? as usize;
        let expected = if format == RGBA8 {
            (l == 0).then(|| u64::from(width) * u64::from(height) * 4)
        } else {
            BlockFormat::from_code(format).map(|_| level_bytes(width >> l, height >> l))
        };
        match expected {
            Some(e) if e == len as u64 => {}
            Some(e) => return Err(format!("the Basis module answered {len} bytes for level {l}, which needs {e}")),
            None => return Err(format!("the Basis module answered format {format}, which Scenic does not upload")),
        }
        levels.push(at..at + len);
        at += len;
    }
    if at > total {
        return Err(short());
    }
    Ok(Answer { format, width, height, levels })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(format: i32, w: u32, h: u32, lens: &[u32]) -> Vec<u8> {
        let mut out = Vec::new();
        for v in [format as u32, w, h, lens.len() as u32].into_iter().chain(lens.iter().copied()) {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.resize(out.len() + lens.iter().sum::<u32>() as usize, 7);
        out
    }

    #[test]
    fn codes_round_trip() {
        for f in [BlockFormat::Astc4x4, BlockFormat::Bc7, BlockFormat::Etc2Rgba8] {
            assert_eq!(BlockFormat::from_code(f.code()), Some(f));
        }
        assert_eq!(BlockFormat::from_code(RGBA8), None);
    }

    #[test]
    fn reads_a_block_chain() {
        // 8×4: levels 8×4 (2 blocks), 4×2 (1), 2×1 (1), 1×1 (1).
        let bytes = answer(10, 8, 4, &[32, 16, 16, 16]);
        let a = read_answer(&bytes, bytes.len()).unwrap();
        assert_eq!((a.format, a.width, a.height), (10, 8, 4));
        assert_eq!(a.levels, vec![32..64, 64..80, 80..96, 96..112]);
    }

    #[test]
    fn reads_rgba8() {
        let bytes = answer(RGBA8, 3, 2, &[24]);
        assert_eq!(read_answer(&bytes, bytes.len()).unwrap().levels, vec![20..44]);
    }

    #[test]
    fn refuses_wrong_answers() {
        let short = answer(10, 8, 4, &[32, 16, 16, 16]);
        assert!(read_answer(&short, short.len() - 1).unwrap_err().contains("cut short"));
        let wrong = answer(6, 8, 8, &[32]);
        assert!(read_answer(&wrong, wrong.len()).unwrap_err().contains("needs 64"));
        let unknown = answer(3, 4, 4, &[16]);
        assert!(read_answer(&unknown, unknown.len()).unwrap_err().contains("format 3"));
        assert!(read_answer(&[1, 0, 0], 3).is_err());
        let empty = answer(10, 0, 4, &[]);
        assert!(read_answer(&empty, empty.len()).is_err());
    }
}
