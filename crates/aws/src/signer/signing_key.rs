use std::sync::Mutex;

use aws_sigv4::sign::v4::{calculate_signature, generate_signing_key};
use time::OffsetDateTime;

/// The SigV4 signing key depends only on (secret, UTC day, region, service): derive it
/// once per access key and day instead of four HMACs per request.
pub struct SigningKeyCache {
    region: String,
    cached: Mutex<Option<CachedKey>>,
}

struct CachedKey {
    access_key_id: String,
    day: (i32, u8, u8),
    key: Vec<u8>,
}

impl SigningKeyCache {
    pub fn new(region: String) -> Self {
        Self {
            region,
            cached: Mutex::new(None),
        }
    }

    /// Hex signature of `string_to_sign` (for a POST, the base64 policy).
    pub fn sign(
        &self,
        access_key_id: &str,
        secret: &str,
        at: OffsetDateTime,
        string_to_sign: &[u8],
    ) -> String {
        let day = (at.year(), u8::from(at.month()), at.day());
        // A poisoned lock only means another request panicked mid-update: rebuild the key.
        let mut slot = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = matches!(&*slot, Some(c) if c.day == day && c.access_key_id == access_key_id);
        if !fresh {
            *slot = None;
        }
        let cached = slot.get_or_insert_with(|| CachedKey {
            access_key_id: access_key_id.to_string(),
            day,
            key: generate_signing_key(secret, at.into(), &self.region, "s3")
                .as_ref()
                .to_vec(),
        });
        calculate_signature(&cached.key, string_to_sign)
    }
}
