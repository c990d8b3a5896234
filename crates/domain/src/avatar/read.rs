//! Bounds-checked reads. The format walkers index untrusted bytes only through these, so a
//! short or lying file ends in a refusal, never in a panic.

pub fn u8_at(data: &[u8], at: usize) -> Option<u8> {
    data.get(at).copied()
}

/// `len` bytes from `at`, if the file has them.
pub fn bytes(data: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    data.get(at..at.checked_add(len)?)
}

fn array<const N: usize>(data: &[u8], at: usize) -> Option<[u8; N]> {
    bytes(data, at, N)?.try_into().ok()
}

pub fn be16(data: &[u8], at: usize) -> Option<u16> {
    array(data, at).map(u16::from_be_bytes)
}

pub fn be32(data: &[u8], at: usize) -> Option<u32> {
    array(data, at).map(u32::from_be_bytes)
}

pub fn le16(data: &[u8], at: usize) -> Option<u16> {
    array(data, at).map(u16::from_le_bytes)
}

pub fn le24(data: &[u8], at: usize) -> Option<u32> {
    let [a, b, c] = array(data, at)?;
    Some(u32::from_le_bytes([a, b, c, 0]))
}

pub fn le32(data: &[u8], at: usize) -> Option<u32> {
    array(data, at).map(u32::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_inside_and_refuses_past_the_end() {
        let data = [1, 2, 3, 4];
        assert_eq!(be16(&data, 2), Some(0x0304));
        assert_eq!(le24(&data, 1), Some(0x04_03_02));
        assert_eq!(be32(&data, 1), None);
        assert_eq!(bytes(&data, usize::MAX, 2), None);
        assert_eq!(u8_at(&data, 4), None);
    }
}
