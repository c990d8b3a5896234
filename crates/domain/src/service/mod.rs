//! The use cases, one per route; each takes parsed values and answers with domain values
//! or a `ServiceError`. The caller (`AccountId`) is an explicit input that the handler reads
//! from the verified claims; reading a public profile needs none.

mod deletion;
mod leaving;
mod profiles;
mod uploads;

pub use deletion::ProfileDeletion;
pub use leaving::{AccountDeleted, AccountDeletion, export};
pub use profiles::{ProfileService, SaveProfile, Saved, get_profile, my_profile};
pub use uploads::{NewUpload, SignedUpload, UploadSigner};
