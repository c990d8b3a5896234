//! The HTTP-facing edge shared by every function: JSON-only bodies, the §3 error shape,
//! and the request/response types of each route.

mod body;
mod response;
mod save_profile;
mod sign_upload;

pub use body::{JsonObject, require_json};
pub use response::{error_response, json_response};
pub use save_profile::SaveProfileRequest;
pub use sign_upload::SignUploadRequest;
