/// The form field `success_action_status`: which success answer the uploader wants from
/// S3 — `201` with an XML document naming Location, Bucket, Key and ETag, or an empty
/// `200`/`204`. Only the values S3 honours: it answers any other value with its default
/// `204`, so signing one would promise an answer that never comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuccessActionStatus {
    Ok,
    Created,
    NoContent,
}

impl SuccessActionStatus {
    pub fn from_code(code: u64) -> Option<Self> {
        match code {
            200 => Some(Self::Ok),
            201 => Some(Self::Created),
            204 => Some(Self::NoContent),
            _ => None,
        }
    }

    /// The field's value as the form carries it (and the policy pins it).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "200",
            Self::Created => "201",
            Self::NoContent => "204",
        }
    }
}
