use std::sync::Arc;

use serde::Serialize;
use time::OffsetDateTime;

use avatar_domain::service::{NewUpload, SignedUpload};
use avatar_domain::upload_form::UploadAnswer;
use avatar_domain::values::{ContentType, Sha256Checksum};
use serde::ser::SerializeMap;

use crate::body::JsonObject;
use crate::error::ApiError;

/// Longer filenames are refused rather than truncated, so logs never hold a surprise.
pub const MAX_FILENAME_CHARS: usize = 1024;

/// `POST /api/uploads`, parsed: `{"filename"?, "contentType", "size", "checksumSha256",
/// "successActionStatus"?}`. The size limit is the signer's to apply: it is
/// configuration, not syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUploadRequest {
    /// A hint for logs only; never part of the key.
    pub filename: Option<String>,
    pub upload: NewUpload,
}

impl TryFrom<&[u8]> for SignUploadRequest {
    type Error = ApiError;

    fn try_from(body: &[u8]) -> Result<Self, Self::Error> {
        let obj = JsonObject::parse(body)?;
        let filename = obj.optional_str("filename")?;
        if let Some(name) = filename
            && name.chars().count() > MAX_FILENAME_CHARS
        {
            return Err(ApiError::invalid(
                "filename",
                format!("The file name must be at most {MAX_FILENAME_CHARS} characters."),
            ));
        }
        let content_type = ContentType::try_from(obj.required_str("contentType")?)?;
        let size = obj.required_u64("size")?;
        if size == 0 {
            return Err(ApiError::invalid("size", "The file is empty."));
        }
        let checksum_sha256 = Sha256Checksum::try_from(obj.required_str("checksumSha256")?)?;
        let success_action_status = obj
            .optional_u64("successActionStatus")?
            .map(|code| {
                success_action_status(code).ok_or_else(|| {
                    ApiError::invalid(
                        "successActionStatus",
                        "The field successActionStatus must be 200, 201 or 204.",
                    )
                })
            })
            .transpose()?;
        Ok(Self {
            filename: filename.map(str::to_string),
            upload: NewUpload {
                content_type,
                size,
                checksum_sha256,
                answer: success_action_status,
            },
        })
    }
}

/// `successActionStatus`: which success answer the uploader wants from S3 — `201` with an
/// XML document naming the object, or an empty `200`/`204`. Only the values S3 honours: it
/// answers any other value with its default `204`, so signing one would promise an answer
/// that never comes.
fn success_action_status(code: u64) -> Option<UploadAnswer> {
    match code {
        200 => Some(UploadAnswer::Empty),
        201 => Some(UploadAnswer::Document),
        204 => Some(UploadAnswer::NoContent),
        _ => None,
    }
}

/// The `201` body of `POST /api/uploads`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUploadResponse<'a> {
    pub key: &'a str,
    pub upload: UploadForm<'a>,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub max_bytes: u64,
}

/// The form the browser POSTs: `fields` in order, then the file, to `url`.
#[derive(Debug, Serialize)]
pub struct UploadForm<'a> {
    pub url: &'a Arc<str>,
    pub fields: FormFields<'a>,
}

/// The form's fields as one JSON object, in form order.
#[derive(Debug)]
pub struct FormFields<'a>(&'a [(&'static str, String)]);

impl Serialize for FormFields<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'a> From<&'a SignedUpload> for SignUploadResponse<'a> {
    fn from(signed: &'a SignedUpload) -> Self {
        Self {
            key: signed.key.as_str(),
            upload: UploadForm {
                url: &signed.post.url,
                fields: FormFields(&signed.post.fields),
            },
            expires_at: signed.post.expires_at,
            max_bytes: signed.max_bytes,
        }
    }
}
