//! The HTTP-facing edge shared by every function: JSON-only bodies, the §3 error shape,
//! the per-request wrapper, and the request and response types of each route.

mod body;
mod caller;
mod profile;
mod response;
mod route;
mod save_profile;
mod sign_upload;

pub use body::{JsonObject, require_json};
pub use caller::caller;
pub use profile::{DEFAULT_AVATAR_URL, ProfileView};
pub use response::{error_response, json_response, no_content};
pub use route::{json_body, micros, respond};
pub use save_profile::SaveProfileRequest;
pub use sign_upload::{MAX_FILENAME_CHARS, SignUploadRequest, SignUploadResponse, UploadForm};
