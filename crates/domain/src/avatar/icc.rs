//! An ICC profile is kept for colour fidelity, but only if it is one: a profile states its
//! own size in its first four bytes and carries the signature `acsp` at byte 36. Bytes past
//! that size, or a block that merely claims to be a profile, would carry anything.

/// Size of the fixed profile header.
const HEADER_LEN: usize = 128;

/// Does `header` (the profile's first bytes) start a profile exactly `total_len` long?
pub fn is_profile(header: &[u8], total_len: usize) -> bool {
    header.len() >= HEADER_LEN
        && super::read::be32(header, 0).map(|n| n as usize) == Some(total_len)
        && header.get(36..40) == Some(b"acsp".as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_size_and_signature() {
        let mut profile = vec![0u8; 132];
        profile[..4].copy_from_slice(&132u32.to_be_bytes());
        profile[36..40].copy_from_slice(b"acsp");
        assert!(is_profile(&profile, 132));
        assert!(!is_profile(&profile, 140), "trailing bytes");
        profile[36] = b'x';
        assert!(!is_profile(&profile, 132));
        assert!(!is_profile(b"ICC-PROFILE", 11));
    }
}
