use crate::bit_coder::{ByteWriter, Reader, ReaderErr};

pub fn leb128_read(reader: &mut Reader<'_>) -> Result<u64, ReaderErr> {
    let mut result: u64 = 0;
    let mut shift = 0;
    loop {
        let byte = reader.read_u8()?;
        // Scenic's patch: a u64 takes at most 10 bytes (as Draco's reference DecodeVarint
        // bounds it); a longer run of continuation bytes in a corrupt stream shifted past 63
        // bits, a panic with overflow checks on.
        if shift >= 64 {
            return Err(ReaderErr::InvalidVarint);
        }
        result |= ((byte & 0x7F) as u64) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    Ok(result)
}

pub fn leb128_write<W>(mut value: u64, writer: &mut W)
where
    W: ByteWriter,
{
    loop {
        let byte = (value & 0x7F) as u8;
        value >>= 7;
        if value == 0 {
            writer.write_u8(byte);
            break;
        } else {
            writer.write_u8(byte | 0x80);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlong_varint_is_an_error() {
        let bytes = [0xffu8; 11];
        assert!(matches!(leb128_read(&mut Reader::new(&bytes)), Err(ReaderErr::InvalidVarint)));
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(leb128_read(&mut Reader::new(&max)).ok(), Some(u64::MAX));
    }

    #[test]
    fn manual_test_leb128_write_read() {
        let mut buffer = Vec::new();
        leb128_write(300, &mut buffer);
        assert_eq!(buffer, vec![172, 2]);

        let mut reader = Reader::new(&buffer);
        let value = leb128_read(&mut reader).unwrap();
        assert_eq!(value, 300);
    }

    #[test]
    fn more_tests_leb128() {
        let testdata = vec![0, 1, 127, 128, 255, 256, 1234567890, 0xFFFFFFFFFFFFFFFF];
        let mut buffer = Vec::new();
        for &value in &testdata {
            leb128_write(value, &mut buffer);
        }
        let mut reader = Reader::new(&buffer);
        for &expected in &testdata {
            let value = leb128_read(&mut reader).unwrap();
            assert_eq!(value, expected);
        }
        assert!(
            reader.is_empty(),
            "Reader should be empty after reading all values"
        );
    }
}
