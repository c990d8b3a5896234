//! The HTTP edge shared by every function: JSON-only bodies parsed into the domain's
//! commands, the caller from the verified claims, the one map from domain errors to the
//! §3 error shape, responses, and the route from API Gateway's `routeKey`.

mod body;
mod caller;
mod crop;
mod error;
mod export;
mod profile;
mod respond;
mod response;
mod route;
mod save_profile;
mod sign_upload;
pub mod telemetry;

pub use body::{JsonObject, require_json};
pub use caller::{caller, caller_account};
pub use error::{ApiError, field_name};
pub use export::{EXPORT_FILENAME, ExportView, export_response};
pub use profile::{DEFAULT_AVATAR_URL, ProfileView};
pub use respond::{json_body, micros, respond};
pub use response::{error_response, json_response, no_content};
pub use route::{Route, not_found};
pub use save_profile::save_profile;
pub use sign_upload::{MAX_FILENAME_CHARS, SignUploadRequest, SignUploadResponse, UploadForm};
