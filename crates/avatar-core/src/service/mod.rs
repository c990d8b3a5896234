//! The use cases, one per route; each takes parsed values and answers with a value or an
//! `ApiError`. The caller is an explicit input so sign-in can arrive without touching them.

mod profiles;
mod setup;
mod uploads;

pub use profiles::{ProfileService, ProfileView, Saved, get_profile};
pub use uploads::{SignedUpload, UploadForm, UploadSigner};

/// Who is asking. Until sign-in exists everyone is anonymous and may edit any profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
}
