//! The use cases, one per route; each takes parsed values and answers with domain values
//! or an `ApiError`. The caller (`AccountId`) is an explicit input that the handler reads
//! from the verified claims; reading a public profile needs none.

mod profiles;
mod uploads;

pub use profiles::{ProfileService, Saved, get_profile, my_profile};
pub use uploads::{SignedUpload, UploadSigner};
