//! The avatar app's domain: values parsed once at the boundary, the use cases, the ports
//! they call, cleaning an upload by allow-list and rendering its square variants.
//!
//! It knows no HTTP, Lambda or AWS: its errors are in the domain's words
//! ([`ValueError`], [`ServiceError`]); `avatar-http` maps them to statuses and codes,
//! `avatar-aws` implements the ports.

pub mod avatar;
pub mod error;
pub mod limits;
pub mod ports;
pub mod render;
pub mod service;
pub mod upload_form;
pub mod values;

pub use error::{BoxError, Field, ServiceError, StoreError, ValueError};
