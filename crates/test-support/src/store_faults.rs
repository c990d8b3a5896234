//! The real profile store with the faults a network causes, and what a published avatar
//! leaves in the bucket: shared by the flow tests that check nothing is lost or left.

use avatar_aws::adapters::DynamoProfiles;
use avatar_domain::ports::{
    DeleteStart, ProfileStore, ProfileWrite, StoreError, Stored, WriteOutcome,
};
use avatar_domain::values::{AccountId, AvatarKey, Profile, Username, VARIANT_SIZES};

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
