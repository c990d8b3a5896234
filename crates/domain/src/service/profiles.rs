use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::avatar::{self, Rejection};
use crate::error::{Field, ServiceError};
use crate::limits::AccountLimit;
use crate::ports::{
    Conflict, Fetched, ObjectStore, ProfileStore, ProfileWrite, StoreError, Stored, WriteOutcome,
};
use crate::render::{self, RenderError};
use crate::values::{
    AccountId, AvatarChange, AvatarKey, ContentType, Crop, Expected, FullName, Profile,
    Sha256Checksum, UploadKey, Username,
};

/// Profiles and their avatars: verifies uploads, publishes clean copies, writes atomically.
pub struct ProfileService {
    objects: Box<dyn ObjectStore>,
    profiles: Box<dyn ProfileStore>,
    max_upload_bytes: u64,
    /// Profile writes per account and hour; `None` (tests, benchmarks) counts nothing.
    limit: Option<AccountLimit>,
}

/// `POST /api/profile` as a command.
#[derive(Debug, Clone)]
pub struct SaveProfile {
    pub username: Username,
    pub full_name: FullName,
    /// Keep the current avatar, remove it, or replace it with this upload.
    pub avatar: AvatarChange<UploadKey>,
    /// The square of the new avatar to show; `None` is the centred largest square. Only
    /// with a new avatar.
    pub crop: Option<Crop>,
    pub expected: Expected,
}

/// A landed write: the stored profile, and whether this save created it.
#[derive(Debug)]
pub struct Saved {
    pub profile: Profile,
    pub created: bool,
}

impl ProfileService {
    pub fn new(
        objects: Box<dyn ObjectStore>,
        profiles: Box<dyn ProfileStore>,
        max_upload_bytes: u64,
    ) -> Self {
        Self {
            objects,
            profiles,
            max_upload_bytes,
            limit: None,
        }
    }

    pub fn with_limit(mut self, limit: AccountLimit) -> Self {
        self.limit = Some(limit);
        self
    }

    pub async fn save(
        &self,
        caller: &AccountId,
        request: SaveProfile,
    ) -> Result<Saved, ServiceError> {
        if let AvatarChange::Replace(upload) = &request.avatar
            && upload.owner() != *caller
        {
            // Checked before anything is read: another account's upload stays untouched.
            return Err(ServiceError::NotYours {
                message: "That upload belongs to another account. Choose the picture again.".into(),
                field: Field::Upload,
            });
        }
        // Counted before the upload is read or anything is written.
        if let Some(limit) = &self.limit {
            limit.spend_now(caller).await?;
        }
        let published = match &request.avatar {
            AvatarChange::Replace(upload) => {
                // Another account's name, or a second name, is refused before the upload
                // is read, decoded or published: a 409 costs one read, not a render.
                self.may_write(caller, &request).await?;
                Some(
                    self.publish(&request.username, upload, request.crop)
                        .await?,
                )
            }
            AvatarChange::Keep | AvatarChange::Remove => None,
        };
        let write = ProfileWrite {
            username: request.username.clone(),
            owner: *caller,
            full_name: request.full_name.clone(),
            avatar: match (&request.avatar, &published) {
                (_, Some(avatar)) => AvatarChange::Replace(avatar.clone()),
                (AvatarChange::Remove, None) => AvatarChange::Remove,
                _ => AvatarChange::Keep,
            },
            expected: request.expected,
            write_id: uuid::Uuid::new_v4().to_string(),
            updated_at: now_rfc3339(),
        };
        let failure = match self.profiles.write(&write).await {
            Ok(WriteOutcome::Written {
                profile,
                created,
                replaced_avatar,
            }) => {
                return Ok(self
                    .finish(&request, profile, created, replaced_avatar)
                    .await);
            }
            Ok(WriteOutcome::Conflict(reason)) => conflict(&request, reason),
            Err(err) => ServiceError::from(err),
        };
        let Some(avatar) = published else {
            return Err(failure);
        };
        // A conflict or an error does not prove the write missed: a response lost after
        // the write landed, then a retry, looks just like one. Only the stored item tells
        // whether deleting the new avatar would break the profile.
        match self.profiles.get_stored(&request.username).await {
            Ok(Some(Stored {
                profile: current,
                replaced_avatar,
            })) if current.owner == *caller && current.avatar_key.as_ref() == Some(&avatar) => {
                // Our avatar is current, so ours was the last avatar change: what it
                // recorded as replaced is unreferenced and goes, as after a plain success.
                let created = current.version == 1;
                Ok(self
                    .finish(&request, current, created, replaced_avatar)
                    .await)
            }
            Ok(_) => {
                self.clean_up(self.objects.delete_avatar(&avatar).await, avatar.as_str());
                Err(failure)
            }
            Err(err) => {
                // Unknown: an unreferenced object is the lesser harm than a broken profile.
                tracing::warn!(key = %avatar, error = %err, "kept a possibly referenced avatar");
                Err(failure)
            }
        }
    }

    /// Refuses a save the stored claims already rule out, with the write's own answers.
    async fn may_write(
        &self,
        caller: &AccountId,
        request: &SaveProfile,
    ) -> Result<(), ServiceError> {
        let claims = self.profiles.claims(&request.username, caller).await?;
        let refused = match (&claims.profile, &claims.owned, request.expected) {
            (Some((owner, _)), _, _) if owner != caller => Some(Conflict::UsernameTaken),
            (_, Some(mine), _) if *mine != request.username => {
                Some(Conflict::AlreadyOwns(mine.clone()))
            }
            (Some(_), _, Expected::Absent) => Some(Conflict::Version),
            (Some((_, version)), _, Expected::Version(n)) if *version != n => {
                Some(Conflict::Version)
            }
            (None, _, Expected::Version(_)) => Some(Conflict::Version),
            _ => None,
        };
        match refused {
            Some(reason) => Err(conflict(request, reason)),
            None => Ok(()),
        }
    }

    /// After a write: the upload and the replaced avatar are no longer needed.
    async fn finish(
        &self,
        request: &SaveProfile,
        profile: Profile,
        created: bool,
        replaced_avatar: Option<AvatarKey>,
    ) -> Saved {
        let upload = async {
            if let AvatarChange::Replace(upload) = &request.avatar {
                self.clean_up(self.objects.delete_upload(upload).await, upload.as_str());
            }
        };
        let replaced = async {
            if let Some(old) = &replaced_avatar {
                self.clean_up(self.objects.delete_avatar(old).await, old.as_str());
            }
        };
        tokio::join!(upload, replaced);
        Saved { profile, created }
    }

    /// Reads the upload whole, verifies and cleans it, renders its square variants, and
    /// writes them all under `avatars/`. Checking and publishing the same bytes leaves no
    /// swap-after-check window; nothing is written before every check has passed.
    async fn publish(
        &self,
        username: &Username,
        upload: &UploadKey,
        crop: Option<Crop>,
    ) -> Result<AvatarKey, ServiceError> {
        let bytes = match self
            .objects
            .get_upload(upload, self.max_upload_bytes)
            .await?
        {
            Fetched::Found {
                bytes,
                checksum_sha256,
            } => {
                // S3 checked the digest the policy pinned; check that these are those bytes.
                let actual = Sha256Checksum::of(&bytes);
                if checksum_sha256.as_deref() != Some(actual.as_str()) {
                    tracing::info!(key = %upload, stored = ?checksum_sha256, "upload checksum mismatch");
                    self.clean_up(self.objects.delete_upload(upload).await, upload.as_str());
                    return Err(ServiceError::InvalidAvatar(
                        "The stored upload does not match the checksum it was uploaded with. Choose the picture again."
                            .into(),
                    ));
                }
                bytes
            }
            Fetched::Missing => {
                return Err(ServiceError::UploadNotFound(
                    "The upload was not found; it may have expired. Choose the picture again."
                        .into(),
                ));
            }
            Fetched::TooLarge(size) => {
                self.clean_up(self.objects.delete_upload(upload).await, upload.as_str());
                return Err(ServiceError::InvalidAvatar(format!(
                    "The upload is {size} bytes; the limit is {} bytes.",
                    self.max_upload_bytes
                )));
            }
        };
        let clean = match avatar::verify_and_clean(bytes, upload.content_type()) {
            Ok(clean) => clean,
            Err(rejection) => {
                tracing::info!(key = %upload, ?rejection, "upload rejected");
                self.clean_up(self.objects.delete_upload(upload).await, upload.as_str());
                return Err(ServiceError::InvalidAvatar(rejection_message(&rejection)));
            }
        };
        let variants = match render::render_variants(&clean.bytes, upload.content_type(), crop) {
            Ok(variants) => variants,
            // The picture is fine, only the square is wrong: the upload stays, so the page
            // can send another crop without uploading again.
            Err(RenderError::CropOutside {
                crop,
                width,
                height,
            }) => {
                return Err(ServiceError::invalid(
                    Field::Crop,
                    format!(
                        "The square at x {}, y {} of {} pixels does not lie inside the {width}×{height} picture.",
                        crop.x, crop.y, crop.size
                    ),
                ));
            }
            Err(err @ RenderError::Undecodable(_)) => {
                tracing::info!(key = %upload, error = %err, "upload could not be rendered");
                self.clean_up(self.objects.delete_upload(upload).await, upload.as_str());
                return Err(ServiceError::InvalidAvatar(format!(
                    "The picture could not be read. Choose a {} picture.",
                    ContentType::names("or")
                )));
            }
        };
        // A fresh id per publish: two saves of one upload never share (or delete) an object.
        let avatar = AvatarKey::new(username, upload.content_type())
            .with_variants(variants.format)
            .with_crop(crop);
        // Both run to the end before any clean-up, so no put still in flight can land
        // after the delete.
        let (original, variants) = tokio::join!(
            self.objects
                .put_avatar(&avatar, clean.bytes, upload.content_type()),
            self.objects.put_variants(&avatar, &variants),
        );
        if let Err(err) = original.and(variants) {
            // Some objects may have landed; none is referenced yet.
            self.clean_up(self.objects.delete_avatar(&avatar).await, avatar.as_str());
            return Err(err.into());
        }
        Ok(avatar)
    }

    /// Clean-up is best effort: the answer stands, and `incoming/` expires by lifecycle rule.
    fn clean_up(&self, result: Result<(), StoreError>, key: &str) {
        if let Err(err) = result {
            tracing::warn!(key, error = %err, "clean-up failed");
        }
    }
}

/// `GET /api/profile/{username}`: public, needs only the profile store.
pub async fn get_profile(
    store: &dyn ProfileStore,
    username: &Username,
) -> Result<Profile, ServiceError> {
    match store.get(username).await? {
        Some(profile) => Ok(profile),
        None => Err(not_found(username)),
    }
}

/// `GET /api/me`: the caller's own profile.
pub async fn my_profile(
    store: &dyn ProfileStore,
    caller: &AccountId,
) -> Result<Profile, ServiceError> {
    match store.get_owned(caller).await? {
        Some(profile) => Ok(profile),
        None => Err(ServiceError::NotFound(
            "You have no profile yet: choose a username to create one.".into(),
        )),
    }
}

fn conflict(request: &SaveProfile, reason: Conflict) -> ServiceError {
    let username = &request.username;
    match reason {
        Conflict::UsernameTaken => ServiceError::UsernameTaken(format!(
            "The username \"{username}\" belongs to another account. Choose another one."
        )),
        Conflict::AlreadyOwns(mine) => ServiceError::AlreadyHasProfile(format!(
            "You already have a profile, \"{mine}\"; usernames cannot be changed. Edit that profile instead."
        )),
        Conflict::Version if request.expected == Expected::Absent => ServiceError::VersionConflict(
            format!("You already have a profile named \"{username}\". Load it to edit it."),
        ),
        Conflict::Version => ServiceError::VersionConflict(
            "The profile was changed since you loaded it. Reload it and try again.".into(),
        ),
    }
}

fn rejection_message(rejection: &Rejection) -> String {
    format!(
        "{rejection}. Choose a {} picture.",
        ContentType::names("or")
    )
}

fn not_found(username: &Username) -> ServiceError {
    ServiceError::NotFound(format!("No profile named \"{username}\"."))
}

fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&Rfc3339).unwrap_or_default()
}
