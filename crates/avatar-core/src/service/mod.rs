//! The use cases, one per route; each takes parsed values and answers with domain values
//! or an `ApiError`. The caller is an explicit input, read by the handler from the request.

mod profiles;
mod uploads;

pub use profiles::{ProfileService, Saved, get_profile};
pub use uploads::{SignedUpload, UploadSigner};

/// Who is asking. Until sign-in exists everyone is anonymous and may edit any profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
}
