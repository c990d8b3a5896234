//! `GET /api/me/export`: everything the app stores about the caller, as a JSON download.

use http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;

use avatar_domain::values::{AccountId, Profile};

use crate::profile::ProfileView;
use crate::response::json_response;

/// The name the browser saves the download under.
pub const EXPORT_FILENAME: &str = "avatar-account-data.json";
const DISPOSITION: &str = "attachment; filename=\"avatar-account-data.json\"";

/// The export's JSON: the account id, the profile with its avatar and variant URLs and
/// its time of last change (`null` without one), and when it was made.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ExportView {
    pub account_id: String,
    pub profile: Option<ProfileView>,
    /// RFC 3339, UTC.
    pub exported_at: String,
}

impl ExportView {
    pub fn new(account: &AccountId, profile: Option<&Profile>) -> Self {
        let now = time::OffsetDateTime::now_utc();
        let now = now.replace_nanosecond(0).unwrap_or(now);
        Self {
            account_id: account.to_string(),
            profile: profile.map(ProfileView::from),
            exported_at: now.format(&Rfc3339).unwrap_or_default(),
        }
    }
}

/// `200`, JSON, to be saved rather than shown (`Content-Disposition: attachment`).
pub fn export_response(view: &ExportView) -> Response<String> {
    let mut response = json_response(StatusCode::OK, view);
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(DISPOSITION),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_is_a_json_attachment_with_every_member() {
        let account = AccountId::try_from("0f8fad5b-d9cb-469f-a165-70867728950e").unwrap();
        let view = ExportView::new(&account, None);
        let response = export_response(&view);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(
            response.headers()[header::CONTENT_DISPOSITION],
            format!("attachment; filename=\"{EXPORT_FILENAME}\"")
        );
        let body: serde_json::Value = serde_json::from_str(response.body()).unwrap();
        assert_eq!(body["accountId"], account.to_string());
        assert!(body["profile"].is_null(), "{body}");
        assert!(
            time::OffsetDateTime::parse(body["exportedAt"].as_str().unwrap(), &Rfc3339).is_ok(),
            "{body}"
        );
    }
}
