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

/// `S3Objects` as the deleting function uses it: one `DeleteObjects` per avatar (authorised
/// key by key as `s3:DeleteObject`).
pub const OBJECT_DELETES: &[&str] = &["s3:DeleteObject"];

/// The browser's POST through a signed form is authorised as the signer's role.
pub const SIGNED_POST: &[&str] = &["s3:PutObject"];

/// `DynamoProfiles` reading only (`get`, `get_owned`): consistent `GetItem`s.
pub const PROFILE_READS: &[&str] = &["dynamodb:GetItem"];

/// `DynamoProfiles` as save-profile uses it: an update, a create's transaction (authorised
/// per item as `PutItem`; there is no transaction action), and the consistent read that
/// settles a write whose answer was lost.
pub const PROFILE_WRITES: &[&str] = &[
    "dynamodb:UpdateItem",
    "dynamodb:PutItem",
    "dynamodb:GetItem",
];

/// `DynamoProfiles` as the deleting function uses it (`begin_delete`, `finish_delete`):
/// the reads of the purge, owner and profile items, the transaction that deletes the
/// profile and its owner record (`DeleteItem` each) and records the objects left to
/// delete (`PutItem`, on `PURGE#` items only: template.yaml narrows it by
/// `dynamodb:LeadingKeys`), and the purge record's removal.
pub const PROFILE_DELETES: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
];

/// `DynamoRateLimiter`: one conditional `UpdateItem` per counted request.
pub const LIMIT_COUNTERS: &[&str] = &["dynamodb:UpdateItem"];

/// `CognitoAccounts`: deleting the caller's user from this app's pool (template.yaml grants
/// it on the pool's ARN, to the account-deleting function alone).
pub const ACCOUNT_DELETES: &[&str] = &["cognito-idp:AdminDeleteUser"];
