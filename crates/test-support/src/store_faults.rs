//! The real stores with the faults a network causes, and what a published avatar
//! leaves in the bucket: shared by the flow tests that check nothing is lost or left.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use avatar_aws::adapters::{DynamoProfiles, S3Objects};
use avatar_domain::ports::{
    DeleteStart, Fetched, ObjectStore, ProfileStore, ProfileWrite, StoreError, Stored, WriteOutcome,
};
use avatar_domain::render::Variants;
use avatar_domain::values::{
    AccountId, AvatarKey, ContentType, Profile, UploadKey, Username, VARIANT_SIZES,
};
use bytes::Bytes;

use crate::{BUCKET, TestStack};

/// A store whose every write lands but whose answer is lost: the caller sees a 503-kind
/// error and must find out from a read whether its write happened.
pub struct LandsThenFails {
    store: DynamoProfiles,
    reads_fail: bool,
}

impl LandsThenFails {
    /// Writes land and their answers are lost; reads work.
    pub fn new(store: DynamoProfiles) -> Self {
        Self {
            store,
            reads_fail: false,
        }
    }

    /// Writes land and their answers are lost, and every read by username fails too.
    pub fn blind(store: DynamoProfiles) -> Self {
        Self {
            store,
            reads_fail: true,
        }
    }

    fn read_failure(&self) -> Result<(), StoreError> {
        if self.reads_fail {
            Err(StoreError::Unavailable("read failed too".into()))
        } else {
            Ok(())
        }
    }
}

#[async_trait::async_trait]
impl ProfileStore for LandsThenFails {
    async fn get(&self, username: &Username) -> Result<Option<Profile>, StoreError> {
        self.read_failure()?;
        self.store.get(username).await
    }

    async fn get_stored(&self, username: &Username) -> Result<Option<Stored>, StoreError> {
        self.read_failure()?;
        self.store.get_stored(username).await
    }

    async fn get_owned(&self, owner: &AccountId) -> Result<Option<Profile>, StoreError> {
        self.store.get_owned(owner).await
    }

    async fn write(&self, write: &ProfileWrite) -> Result<WriteOutcome, StoreError> {
        self.store.write(write).await?;
        Err(StoreError::Unavailable("response lost".into()))
    }

    async fn begin_delete(&self, owner: &AccountId) -> Result<DeleteStart, StoreError> {
        self.store.begin_delete(owner).await
    }

    async fn finish_delete(&self, owner: &AccountId) -> Result<(), StoreError> {
        self.store.finish_delete(owner).await
    }
}

/// A published avatar's objects, sorted as `TestStack::keys` lists them: the cleaned
/// original and its square variants in the recorded format.
pub fn published(avatar: &AvatarKey) -> Vec<String> {
    let format = avatar
        .variants()
        .expect("a published avatar records its variants");
    let mut keys: Vec<String> = VARIANT_SIZES
        .iter()
        .map(|&size| avatar.variant_key(size, format))
        .collect();
    keys.push(avatar.to_string());
    keys.sort();
    keys
}

/// Faults an object store can be switched into while a test runs, and a count of the
/// calls made through it.
#[derive(Clone, Default)]
pub struct ObjectFaults {
    /// Reads answer other bytes than S3 stored (a corrupted read, or bytes swapped
    /// behind the checksum).
    pub altered_reads: Arc<AtomicBool>,
    /// Avatar deletes fail, as while S3 is down for a moment.
    pub failing_deletes: Arc<AtomicBool>,
    /// One variant lands, then S3 fails.
    pub failing_variant_puts: Arc<AtomicBool>,
    /// Every call made through the store.
    pub calls: Arc<AtomicUsize>,
}

impl ObjectFaults {
    pub fn set(flag: &AtomicBool, on: bool) {
        flag.store(on, Ordering::SeqCst);
    }

    fn on(flag: &AtomicBool) -> bool {
        flag.load(Ordering::SeqCst)
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn count(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

/// The real S3 adapter, with the faults `ObjectFaults` switches on.
pub struct FaultyObjects(pub S3Objects, pub ObjectFaults);

impl FaultyObjects {
    /// The adapter on `stack`'s bucket, with the stack's own key.
    pub fn on(stack: &TestStack, faults: &ObjectFaults) -> Self {
        Self(
            S3Objects::new(stack.sdk_config(), BUCKET, Some(&stack.s3.url())),
            faults.clone(),
        )
    }
}

#[async_trait]
impl ObjectStore for FaultyObjects {
    async fn get_upload(&self, key: &UploadKey, max_bytes: u64) -> Result<Fetched, StoreError> {
        self.1.count();
        match self.0.get_upload(key, max_bytes).await? {
            Fetched::Found {
                bytes,
                checksum_sha256,
            } if ObjectFaults::on(&self.1.altered_reads) => {
                let mut altered = bytes.to_vec();
                let last = altered.len() - 1;
                altered[last] ^= 0xff;
                Ok(Fetched::Found {
                    bytes: altered.into(),
                    checksum_sha256,
                })
            }
            other => Ok(other),
        }
    }

    async fn put_avatar(
        &self,
        key: &AvatarKey,
        body: Bytes,
        content_type: ContentType,
    ) -> Result<(), StoreError> {
        self.1.count();
        self.0.put_avatar(key, body, content_type).await
    }

    async fn put_variants(&self, key: &AvatarKey, variants: &Variants) -> Result<(), StoreError> {
        self.1.count();
        if ObjectFaults::on(&self.1.failing_variant_puts) {
            // One variant lands, then S3 fails: the publish must not leave it behind.
            let first = Variants {
                format: variants.format,
                images: variants.images[..1].to_vec(),
            };
            self.0.put_variants(key, &first).await?;
            return Err(StoreError::Unavailable("S3 is down for a moment".into()));
        }
        self.0.put_variants(key, variants).await
    }

    async fn delete_upload(&self, key: &UploadKey) -> Result<(), StoreError> {
        self.1.count();
        self.0.delete_upload(key).await
    }

    async fn delete_avatar(&self, key: &AvatarKey) -> Result<(), StoreError> {
        self.1.count();
        if ObjectFaults::on(&self.1.failing_deletes) {
            return Err(StoreError::Unavailable("S3 is down for a moment".into()));
        }
        self.0.delete_avatar(key).await
    }
}
