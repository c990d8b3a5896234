use sha2::{Digest, Sha256};

use crate::error::{Field, ValueError};

/// A file's SHA-256 as S3 names it: standard base64 (with padding) of the raw 32-byte
/// digest — not hex. Pinned in the upload policy, so S3 refuses any other bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sha256Checksum(String);

impl Sha256Checksum {
    /// The checksum of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(base64_simd::STANDARD.encode_to_string(Sha256::digest(bytes)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for Sha256Checksum {
    type Error = ValueError;

    fn try_from(value: &str) -> Result<Self, Self::Error> {
        let refused = || {
            ValueError::invalid(
                Field::Checksum,
                "The field checksumSha256 must be the standard base64 of the file's 32-byte SHA-256 digest.",
            )
        };
        let digest = base64_simd::STANDARD
            .decode_to_vec(value)
            .map_err(|_| refused())?;
        // One spelling per digest: the policy compares strings.
        if digest.len() != 32 || base64_simd::STANDARD.encode_to_string(&digest) != value {
            return Err(refused());
        }
        Ok(Self(value.to_string()))
    }
}

impl std::fmt::Display for Sha256Checksum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_base64_of_a_32_byte_digest_is_accepted() {
        // SHA-256 of the empty string, as S3 writes it.
        let empty = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        assert_eq!(Sha256Checksum::of(b"").as_str(), empty);
        assert_eq!(Sha256Checksum::try_from(empty).unwrap().as_str(), empty);
        for bad in [
            "",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", // hex
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",                      // no padding
            "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=",                     // base64url
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU= ",
            "AAAA",                                             // 3 bytes
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFUAAAA=", // 35 bytes
            "not base64 at all!",
        ] {
            let err = Sha256Checksum::try_from(bad).unwrap_err();
            assert!(matches!(err, ValueError::Invalid { .. }), "{bad}");
            assert_eq!(err.field(), Field::Checksum, "{bad}");
        }
    }
}
