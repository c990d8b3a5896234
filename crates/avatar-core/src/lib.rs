//! The core of the avatar-upload app: domain values, the presigned-POST signer, avatar
//! verification, the ports to storage and their AWS adapters, and the HTTP-facing API.

pub mod adapters;
pub mod api;
pub mod avatar;
pub mod aws;
pub mod config;
pub mod domain;
pub mod error;
pub mod headers;
pub mod limits;
pub mod ports;
pub mod render;
pub mod service;
pub mod setup;
pub mod signer;
pub mod telemetry;

pub use error::ApiError;
