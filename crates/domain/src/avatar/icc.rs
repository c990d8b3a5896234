//! An ICC profile is kept for colour fidelity, but only if it is one: a profile states its
//! own size in its first four bytes and carries the signature `acsp` at byte 36. Bytes past
//! that size, or a block that merely claims to be a profile, would carry anything. A
//! profile is also at most [`MAX_PROFILE_LEN`] long, in every format, and a compressed one
//! (PNG's) is inflated only that far: a few kilobytes of zlib can claim gigabytes.

use flate2::{Decompress, FlushDecompress, Status};

/// Size of the fixed profile header.
const HEADER_LEN: usize = 128;

/// Display and camera profiles are a few kilobytes; the largest common ones (lookup-table
/// printer profiles) stay well under this.
pub const MAX_PROFILE_LEN: usize = 1024 * 1024;

/// Does `header` (the profile's first bytes) start a profile exactly `total_len` long?
pub fn is_profile(header: &[u8], total_len: usize) -> bool {
    header.len() >= HEADER_LEN
        && total_len <= MAX_PROFILE_LEN
        && super::read::be32(header, 0).map(|n| n as usize) == Some(total_len)
        && header.get(36..40) == Some(b"acsp".as_slice())
}

/// Why a compressed profile was not inflated.
#[derive(Debug, PartialEq, Eq)]
pub enum Inflate {
    /// The stream is broken or ends early.
    Broken,
    /// It inflates past the limit; `inflated` is how far it got before stopping.
    TooLarge { inflated: usize },
}

/// A zlib stream inflated into at most `limit` bytes. The output buffer is allocated once
/// at `limit + 1` bytes and never grows (`decompress_vec` writes only into spare
/// capacity), so a bomb costs that buffer and no more; the one byte over says "too large".
pub fn inflate_within(compressed: &[u8], limit: usize) -> Result<Vec<u8>, Inflate> {
    let mut inflater = Decompress::new(true);
    let bound = limit.saturating_add(1);
    let mut out = Vec::with_capacity(bound.min(compressed.len().saturating_mul(8).max(4096)));
    loop {
        let read = usize::try_from(inflater.total_in()).map_err(|_| Inflate::Broken)?;
        let input = compressed.get(read..).ok_or(Inflate::Broken)?;
        let written = out.len();
        let status = inflater
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .map_err(|_| Inflate::Broken)?;
        if out.len() > limit {
            return Err(Inflate::TooLarge {
                inflated: out.len(),
            });
        }
        match status {
            Status::StreamEnd => return Ok(out),
            _ if out.len() == out.capacity() => {
                // Grows geometrically, never past the bound.
                let target = (out.capacity() * 2).min(bound);
                out.reserve_exact(target - out.len());
            }
            // Room was left and nothing moved: the stream ends early.
            _ if out.len() == written && inflater.total_in() as usize == read => {
                return Err(Inflate::Broken);
            }
            _ => {}
        }
    }
}

/// A compressed profile, if it inflates within [`MAX_PROFILE_LEN`] to a well-formed one.
pub fn inflate_profile(compressed: &[u8]) -> Option<Vec<u8>> {
    let profile = inflate_within(compressed, MAX_PROFILE_LEN).ok()?;
    is_profile(&profile, profile.len()).then_some(profile)
}

/// The profile deflated afresh: what is published is a function of the checked profile
/// alone, not of how the upload chose to encode it (a deflate stream can hide bytes in its
/// block choices and after its end).
pub fn deflate(profile: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(profile.len() / 2 + 64),
        flate2::Compression::default(),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(profile);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(len: usize) -> Vec<u8> {
        let mut profile = vec![0u8; len];
        profile[..4].copy_from_slice(&(len as u32).to_be_bytes());
        profile[36..40].copy_from_slice(b"acsp");
        profile
    }

    #[test]
    fn checks_size_and_signature() {
        let mut profile = profile(132);
        assert!(is_profile(&profile, 132));
        assert!(!is_profile(&profile, 140), "trailing bytes");
        profile[36] = b'x';
        assert!(!is_profile(&profile, 132));
        assert!(!is_profile(b"ICC-PROFILE", 11));
    }

    #[test]
    fn a_profile_over_the_limit_is_none() {
        let big = profile(MAX_PROFILE_LEN + 4);
        assert!(!is_profile(&big, big.len()));
        let largest = profile(MAX_PROFILE_LEN);
        assert!(is_profile(&largest, largest.len()));
    }

    /// 64 MiB of zeros, deflated: about 64 KiB that claim 64 MiB.
    fn bomb() -> Vec<u8> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..64 {
            std::io::Write::write_all(&mut encoder, &zeros).unwrap();
        }
        encoder.finish().unwrap()
    }

    #[test]
    fn a_bomb_stops_one_byte_past_the_limit() {
        let bomb = bomb();
        assert!(bomb.len() < 128 * 1024, "{} bytes", bomb.len());
        assert_eq!(
            inflate_within(&bomb, MAX_PROFILE_LEN),
            Err(Inflate::TooLarge {
                inflated: MAX_PROFILE_LEN + 1
            })
        );
        assert_eq!(inflate_profile(&bomb), None);
        // A smaller limit stops there too: the bound is the argument, not the input.
        assert_eq!(
            inflate_within(&bomb, 1000),
            Err(Inflate::TooLarge { inflated: 1001 })
        );
    }

    #[test]
    fn broken_and_short_streams_are_refused() {
        let good = deflate(&profile(4000));
        assert_eq!(inflate_profile(&good), Some(profile(4000)));
        let cases: [(&str, Vec<u8>); 4] = [
            ("empty", Vec::new()),
            ("not zlib", b"FAKE-ICC-SECRET not zlib".to_vec()),
            ("truncated", good[..good.len() / 2].to_vec()),
            ("no checksum", good[..good.len() - 4].to_vec()),
        ];
        for (name, bytes) in cases {
            assert_eq!(
                inflate_within(&bytes, MAX_PROFILE_LEN),
                Err(Inflate::Broken),
                "{name}"
            );
        }
    }

    #[test]
    fn inflated_bytes_that_are_no_profile_are_none() {
        let mut no_signature = profile(4000);
        no_signature[36..40].copy_from_slice(b"xxxx");
        let mut wrong_size = profile(4000);
        wrong_size[..4].copy_from_slice(&5000u32.to_be_bytes());
        let cases = [
            ("text", b"FAKE-ICC-SECRET, no profile at all".to_vec()),
            ("no acsp", no_signature),
            ("declared size differs", wrong_size),
            ("over the limit", profile(MAX_PROFILE_LEN + 1)),
        ];
        for (name, inflated) in cases {
            assert_eq!(inflate_profile(&deflate(&inflated)), None, "{name}");
        }
    }

    #[test]
    fn deflating_is_deterministic() {
        let p = profile(3000);
        assert_eq!(deflate(&p), deflate(&p));
        assert_eq!(inflate_profile(&deflate(&p)), Some(p));
    }
}
