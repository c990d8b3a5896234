//! Shared by the integration tests: the embedded S3 and DynamoDB on ephemeral ports, real
//! images that carry the metadata a phone would add, and a browser-like multipart POST.

pub mod bench_images;
pub mod carriers;
pub mod events;
pub mod images;
pub mod render;
mod stack;

pub use stack::{
    ACCESS_KEY, BUCKET, PAGE_ORIGIN, REGION, SECRET_KEY, TABLE, TestStack, post_form,
    post_form_from, sdk_config,
};
