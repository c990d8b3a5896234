use crate::error::ServiceError;
use crate::ports::{AccountGone, Accounts, ProfileStore};
use crate::values::{Account, AccountId, Profile};

use super::ProfileDeletion;

/// Deleting an account: its profile and every object first, then the account itself in
/// the user pool. Its own use case, so only the function that serves it may delete users.
pub struct AccountDeletion {
    profile: ProfileDeletion,
    accounts: Box<dyn Accounts>,
}

/// What an account deletion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountDeleted {
    /// Whether a profile (or the clean-up an earlier attempt left) was deleted.
    pub profile: bool,
    pub account: AccountGone,
}

impl AccountDeletion {
    pub fn new(profile: ProfileDeletion, accounts: Box<dyn Accounts>) -> Self {
        Self { profile, accounts }
    }

    /// `DELETE /api/account`. The data goes first: an account deleted before its data
    /// could never sign in again to finish the job. Each step is idempotent, so a retry
    /// after any failure finishes what the first attempt began, and a call after a
    /// finished deletion succeeds again with nothing left to do: whatever happened
    /// before, once it returns `Ok` neither the profile, its objects nor the user exist.
    pub async fn delete(&self, account: &Account) -> Result<AccountDeleted, ServiceError> {
        let profile = self.profile.delete_if_any(&account.id).await?;
        let account = self.accounts.delete(account).await?;
        Ok(AccountDeleted { profile, account })
    }
}

/// `GET /api/me/export`: everything stored about the caller, which is its profile or
/// nothing (the per-account limit counters are the app's bookkeeping, not the user's data,
/// and expire within the hour).
pub async fn export(
    store: &dyn ProfileStore,
    caller: &AccountId,
) -> Result<Option<Profile>, ServiceError> {
    Ok(store.get_owned(caller).await?)
}
