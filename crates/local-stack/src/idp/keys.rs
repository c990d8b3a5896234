//! The provider's one RSA signing key. It is made on first start and kept in the local
//! data folder (owner-only), so tokens issued before a restart still verify after it.

use std::io::Write;
use std::path::{Path, PathBuf};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, TokenData, Validation};
use serde::Serialize;

use crate::StackError;

const KEY_FILE: &str = "signing-key.pem";

pub struct SigningKey {
    encoding: EncodingKey,
    decoding: DecodingKey,
    kid: String,
    jwks: JwkSet,
}

impl SigningKey {
    /// Reads `dir/signing-key.pem`, or makes a 2048-bit key and writes it there first.
    pub fn load_or_create(dir: &Path) -> Result<Self, StackError> {
        let path = dir.join(KEY_FILE);
        let pem = match std::fs::read(&path) {
            Ok(pem) => pem,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => create(dir, &path)?,
            Err(err) => {
                return Err(StackError::Io {
                    what: format!("local sign-in key {}", path.display()),
                    source: err,
                });
            }
        };
        let bad = |e: jsonwebtoken::errors::Error| {
            StackError::Setup(format!(
                "local sign-in key {} is not an RSA private key ({e}); delete it to make a new one",
                path.display()
            ))
        };
        let encoding = EncodingKey::from_rsa_pem(&pem).map_err(bad)?;
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256).map_err(bad)?;
        // The RFC 7638 thumbprint names the key by its public half: the same file gives the
        // same kid after every restart, a new file a new one.
        let kid = jwk.thumbprint(ThumbprintHash::SHA256).map_err(bad)?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let decoding = DecodingKey::from_jwk(&jwk).map_err(bad)?;
        Ok(Self {
            encoding,
            decoding,
            kid,
            jwks: JwkSet { keys: vec![jwk] },
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public keys, as `/jwks.json` serves them and the authorizer trusts them.
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }

    /// An RS256 JWT with this key's `kid` in its header.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
    }
}

impl SigningKey {
    /// Checks a token this provider signed itself (its refresh tokens).
    pub fn verify<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<TokenData<T>, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode(token, &self.decoding, validation)
    }
}

/// Makes the key and writes it owner-only, atomically, so a half-written file never exists.
fn create(dir: &Path, path: &PathBuf) -> Result<Vec<u8>, StackError> {
    let what = || format!("local sign-in key {}", path.display());
    let key = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| StackError::Setup(format!("{}: RSA key generation failed", what())))?;
    let der = key
        .as_der()
        .map_err(|_| StackError::Setup(format!("{}: cannot encode the key", what())))?;
    let pem = pem::encode(&pem::Pem::new("PRIVATE KEY", der.as_ref().to_vec())).into_bytes();

    std::fs::create_dir_all(dir).map_err(StackError::io(what()))?;
    let temp = dir.join(format!(".{KEY_FILE}.{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&temp).map_err(StackError::io(what()))?;
    file.write_all(&pem).map_err(StackError::io(what()))?;
    file.sync_all().map_err(StackError::io(what()))?;
    std::fs::rename(&temp, path).map_err(StackError::io(what()))?;
    Ok(pem)
}
