//! The domain's errors: a value that breaks a rule, and why a use case did not happen.

pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The fields of the domain's commands, named for what they hold. The HTTP edge names
/// them on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Account,
    Username,
    FullName,
    /// The key of an upload that becomes the avatar.
    Upload,
    Crop,
    ContentType,
    Size,
    Checksum,
}

/// Why a port's call failed (a store, the credential source), after its own retries.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Unreachable, throttled or 5xx after the SDK's retries: worth retrying later.
    #[error("store unavailable: {0}")]
    Unavailable(#[source] BoxError),
    /// Anything else (access denied, a missing table): a misconfiguration.
    #[error("store failed: {0}")]
    Failed(#[source] BoxError),
}

/// A value from outside that is not a valid domain value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// The value breaks a rule of its field; the message says which.
    #[error("{message}")]
    Invalid { field: Field, message: String },
    /// A picture type outside the accepted list.
    #[error("{0}")]
    UnsupportedType(String),
}

impl ValueError {
    pub fn invalid(field: Field, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn field(&self) -> Field {
        match self {
            Self::Invalid { field, .. } => *field,
            Self::UnsupportedType(_) => Field::ContentType,
        }
    }
}

/// Why a use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Value(#[from] ValueError),
    /// The caller named something another account owns (an upload); nothing was read.
    #[error("{message}")]
    NotYours { field: Field, message: String },
    /// The file is larger than uploads may be.
    #[error("{0}")]
    TooLarge(String),
    /// The thing asked for does not exist (a profile).
    #[error("{0}")]
    NotFound(String),
    /// The upload named is not (or no longer) in the bucket.
    #[error("{0}")]
    UploadNotFound(String),
    /// The upload is not a picture this app publishes.
    #[error("{0}")]
    InvalidAvatar(String),
    /// The expected version did not hold.
    #[error("{0}")]
    VersionConflict(String),
    /// The username belongs to another account.
    #[error("{0}")]
    UsernameTaken(String),
    /// The caller already owns a profile under another username.
    #[error("{0}")]
    AlreadyHasProfile(String),
    /// The account used up its allowance for this window; `retry_after_secs` is the time
    /// to the window's end.
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    /// A dependency (a store, the credential source) failed after its retries: worth
    /// trying again later.
    #[error("The service is temporarily unavailable. Try again in a moment.")]
    Unavailable(#[source] BoxError),
    /// A bug or a misconfiguration.
    #[error("Something went wrong on our side.")]
    Failed(#[source] BoxError),
}

impl ServiceError {
    pub fn invalid(field: Field, message: impl Into<String>) -> Self {
        Self::Value(ValueError::invalid(field, message))
    }
}

/// A store failure after its retries: worth retrying, or a misconfiguration.
impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(e) => Self::Unavailable(e),
            StoreError::Failed(e) => Self::Failed(e),
        }
    }
}
