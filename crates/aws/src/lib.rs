//! The avatar app on AWS: the SDK's clients and trust store, the adapters that implement
//! the domain's ports on S3 and DynamoDB, the presigned-POST signer, the table's schema,
//! configuration read once at init, each function's setup, and the one-off maintenance
//! commands (`move-originals`).

pub mod adapters;
pub mod config;
pub mod headers;
pub mod maintenance;
pub mod schema;
pub mod sdk;
pub mod setup;
pub mod signer;
