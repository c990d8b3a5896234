use super::JsonObject;
use crate::domain::ContentType;
use crate::error::ApiError;

/// Longer filenames are refused rather than truncated, so logs never hold a surprise.
pub const MAX_FILENAME_CHARS: usize = 1024;

/// `POST /api/uploads`, parsed: `{"filename"?, "contentType", "size"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUploadRequest {
    /// A hint for logs only; never part of the key.
    pub filename: Option<String>,
    pub content_type: ContentType,
    pub size: u64,
}

impl SignUploadRequest {
    pub fn parse(body: &[u8], max_bytes: u64) -> Result<Self, ApiError> {
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
        if size > max_bytes {
            return Err(ApiError::TooLarge(format!(
                "The file is {size} bytes; the limit is {max_bytes} bytes."
            )));
        }
        Ok(Self {
            filename: filename.map(str::to_string),
            content_type,
            size,
        })
    }
}
