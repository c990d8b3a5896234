//! Shared by the integration tests: the embedded S3 and DynamoDB on ephemeral ports, real
//! images that carry the metadata a phone would add, a browser-like multipart POST, the
//! local edge with a stand-in for the functions, and signing in as the page does.

pub mod avatar_headers;
pub mod bench_images;
pub mod carriers;
pub mod colour;
pub mod edge;
pub mod events;
pub mod fake_lambda;
pub mod images;
pub mod render;
pub mod runtime_api;
pub mod saved_profiles;
pub mod serve;
pub mod sign_in;
mod stack;
pub mod store_faults;
pub mod template;
pub mod unread_bytes;
pub mod variant_images;
pub mod variant_quality;

pub use stack::{
    ACCESS_KEY, BUCKET, PAGE_ORIGIN, REGION, SECRET_KEY, TABLE, TestStack, USER_POOL,
    function_keys, post_form, post_form_from, sdk_config, template_text,
};
