use crate::error::ServiceError;
use crate::ports::{DeleteStart, ObjectStore, ProfileStore};
use crate::values::AccountId;

/// Deleting an account's profile and every object of its avatar. Its own use case, so
/// the function that serves it can delete and do nothing else.
pub struct ProfileDeletion {
    objects: Box<dyn ObjectStore>,
    profiles: Box<dyn ProfileStore>,
}

impl ProfileDeletion {
    pub fn new(objects: Box<dyn ObjectStore>, profiles: Box<dyn ProfileStore>) -> Self {
        Self { objects, profiles }
    }

    /// `DELETE /api/profile`: the caller's profile, owner record and avatar objects, or
    /// `NotFound` when there is nothing to delete.
    pub async fn delete(&self, caller: &AccountId) -> Result<(), ServiceError> {
        if self.delete_if_any(caller).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound(
                "You have no profile to delete.".into(),
            ))
        }
    }

    /// Deletes the caller's profile, owner record and avatar objects, if there are any;
    /// whether there were. The username is free as soon as the items are gone; a retry
    /// after a failed object delete finishes the job.
    pub async fn delete_if_any(&self, caller: &AccountId) -> Result<bool, ServiceError> {
        // A clean-up left by an earlier attempt comes first, then the current profile (one
        // may have been made since); at most those two, then nothing is left.
        let mut deleted = false;
        for _ in 0..3 {
            let objects = match self.profiles.begin_delete(caller).await? {
                DeleteStart::NotFound => break,
                DeleteStart::Purge(objects) => objects,
            };
            for key in &objects {
                self.objects.delete_avatar(key).await?;
            }
            self.profiles.finish_delete(caller).await?;
            deleted = true;
        }
        Ok(deleted)
    }
}
