//! Values parsed once at the boundary; holding one means it is valid.

mod account;
mod account_id;
mod avatar_key;
mod checksum;
mod content_type;
mod crop;
mod full_name;
mod profile;
mod upload_key;
mod username;
mod variant_format;

pub use account::{Account, SignInName};
pub use account_id::AccountId;
pub use avatar_key::AvatarKey;
pub use checksum::Sha256Checksum;
pub use content_type::ContentType;
pub use crop::Crop;
pub use full_name::FullName;
pub use profile::{AvatarChange, Expected, Profile};
pub use upload_key::UploadKey;
pub use username::Username;
pub use variant_format::{VARIANT_SIZES, VariantFormat};
