//! The IAM actions each adapter's calls need: the one list template.yaml is checked
//! against (tests/template_drift.rs: each list matches the SDK calls in its adapter, and
//! each function's role grants exactly the lists of the adapters its service is built
//! from, `setup::*_NEEDS`). Locally, the embedded S3 and DynamoDB enforce the template.

/// `S3Objects`: read and delete uploads, publish and delete avatars. `s3:ListBucket`
/// makes a read of a missing upload `404 NoSuchKey` instead of `403 AccessDenied`.
pub const OBJECTS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
];

/// The browser's POST through a signed form is authorised as the signer's role.
pub const SIGNED_POST: &[&str] = &["s3:PutObject"];

/// `DynamoProfiles` reading only (`get`, `get_owned`): consistent `GetItem`s.
pub const PROFILE_READS: &[&str] = &["dynamodb:GetItem"];

/// `DynamoProfiles` as save-profile uses it: an update, a create's and a delete's
/// transactions (authorised per item: `PutItem`, `DeleteItem`; there is no transaction
/// action), the consistent read that settles a write whose answer was lost, and the
/// purge record's removal.
pub const PROFILE_WRITES: &[&str] = &[
    "dynamodb:UpdateItem",
    "dynamodb:PutItem",
    "dynamodb:GetItem",
    "dynamodb:DeleteItem",
];

/// `DynamoRateLimiter`: one conditional `UpdateItem` per counted request.
pub const LIMIT_COUNTERS: &[&str] = &["dynamodb:UpdateItem"];
