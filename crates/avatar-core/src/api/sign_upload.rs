use std::sync::Arc;

use serde::Serialize;
use time::OffsetDateTime;

use super::JsonObject;
use crate::domain::{ContentType, Sha256Checksum};
use crate::error::ApiError;
use crate::service::SignedUpload;
use crate::signer::PostFields;
use crate::signer::SuccessActionStatus;

/// Longer filenames are refused rather than truncated, so logs never hold a surprise.
pub const MAX_FILENAME_CHARS: usize = 1024;

/// `POST /api/uploads`, parsed: `{"filename"?, "contentType", "size", "checksumSha256",
/// "successActionStatus"?}`. The size limit is the signer's to apply: it is
/// configuration, not syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUploadRequest {
    /// A hint for logs only; never part of the key.
    pub filename: Option<String>,
    pub content_type: ContentType,
    pub size: u64,
    /// The file's SHA-256; the policy pins it, so S3 stores exactly these bytes.
    pub checksum_sha256: Sha256Checksum,
    /// Signed into the form as `success_action_status`, for uploaders that want S3's `201`
    /// XML answer (or an empty `200`) instead of its default `204`.
    pub success_action_status: Option<SuccessActionStatus>,
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
                SuccessActionStatus::from_code(code).ok_or_else(|| {
                    ApiError::invalid(
                        "successActionStatus",
                        "The field successActionStatus must be 200, 201 or 204.",
                    )
                })
            })
            .transpose()?;
        Ok(Self {
            filename: filename.map(str::to_string),
            content_type,
            size,
            checksum_sha256,
            success_action_status,
        })
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
    pub fields: &'a PostFields,
}

impl<'a> From<&'a SignedUpload> for SignUploadResponse<'a> {
    fn from(signed: &'a SignedUpload) -> Self {
        Self {
            key: signed.key.as_str(),
            upload: UploadForm {
                url: &signed.post.url,
                fields: &signed.post.fields,
            },
            expires_at: signed.post.expires_at,
            max_bytes: signed.max_bytes,
        }
    }
}
