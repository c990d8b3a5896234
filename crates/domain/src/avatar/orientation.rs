//! The one EXIF field worth keeping: Orientation. Phones store pictures unrotated and
//! say how to turn them; dropping it would show a portrait photo on its side.

const ORIENTATION_TAG: u16 = 0x0112;
const SHORT: u16 = 3;

/// Orientation (1–8) from a TIFF-structured EXIF block, if present and valid.
pub fn read(tiff: &[u8]) -> Option<u16> {
    let big_endian = match tiff.get(..4)? {
        b"MM\0\x2a" => true,
        b"II\x2a\0" => false,
        _ => return None,
    };
    let u16_at = |i: usize| {
        let b = [*tiff.get(i)?, *tiff.get(i + 1)?];
        Some(if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |i: usize| {
        let b = [
            *tiff.get(i)?,
            *tiff.get(i + 1)?,
            *tiff.get(i + 2)?,
            *tiff.get(i + 3)?,
        ];
        Some(if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let ifd = u32_at(4)? as usize;
    let count = u16_at(ifd)? as usize;
    (0..count)
        .map(|n| ifd + 2 + 12 * n)
        .find(|&entry| u16_at(entry) == Some(ORIENTATION_TAG))
        .and_then(|entry| (u16_at(entry + 2)? == SHORT).then(|| u16_at(entry + 8))?)
        .filter(|o| (1..=8).contains(o))
}

/// A TIFF block holding nothing but the orientation.
pub fn only(orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&ORIENTATION_TAG.to_be_bytes());
    tiff.extend_from_slice(&SHORT.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_little_endian() {
        for o in 1..=8 {
            assert_eq!(read(&only(o)), Some(o));
        }
        let le = [
            b'I', b'I', 0x2a, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0,
            0, 0,
        ];
        assert_eq!(read(&le), Some(6));
    }

    #[test]
    fn ignores_garbage() {
        assert_eq!(read(b""), None);
        assert_eq!(read(b"MM\0\x2a\xff\xff\xff\xff"), None);
        assert_eq!(read(&only(9)), None);
    }
}
