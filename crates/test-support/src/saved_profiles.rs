//! Profiles saved through the real use case, for tests of what comes after (deleting an
//! account or a profile, exporting).

use avatar_domain::service::{ProfileService, SaveProfile};
use avatar_domain::values::{
    AccountId, AvatarChange, ContentType, Expected, FullName, UploadKey, Username,
};

use crate::{TestStack, images};

/// A profile `username` of the account `sub`, with a freshly uploaded `side`² picture.
pub async fn save_with_picture(
    stack: &TestStack,
    profiles: &ProfileService,
    sub: &str,
    username: &str,
    side: u32,
) {
    let owner = AccountId::try_from(sub).expect("account");
    let upload = UploadKey::new(owner, ContentType::Png);
    stack
        .put(upload.as_str(), images::png(side, side), "image/png")
        .await;
    let command = SaveProfile {
        username: Username::try_from(username).expect("username"),
        full_name: FullName::try_from("Ada").expect("name"),
        avatar: AvatarChange::Replace(upload),
        crop: None,
        expected: Expected::Any,
    };
    profiles.save(&owner, command).await.expect("saved");
}
