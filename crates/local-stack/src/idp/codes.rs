//! Authorization codes: random, single-use, valid for 60 seconds, and bound to the request
//! that asked for them (client, redirect URI, PKCE challenge, scopes).

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::request::AuthorizationRequest;
use super::tokens::Session;

/// Longest a code may wait for its exchange (OAuth 2.0 recommends at most ten minutes;
/// Cognito's last five; a page exchanges within a second).
pub const CODE_SECONDS: u64 = 60;

pub struct PendingCode {
    pub request: AuthorizationRequest,
    pub session: Session,
    pub issued_at: u64,
}

#[derive(Default)]
pub struct Codes(Mutex<HashMap<String, PendingCode>>);

impl Codes {
    /// Stores the code's grant and returns the code; `None` if the system RNG fails.
    pub fn issue(&self, pending: PendingCode, now: u64) -> Option<String> {
        let code = random_token()?;
        let mut codes = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Unused codes go once expired, so the map stays as small as the sign-ins in flight.
        codes.retain(|_, c| now.saturating_sub(c.issued_at) <= CODE_SECONDS);
        codes.insert(code.clone(), pending);
        Some(code)
    }

    /// Removes the code whatever happens next: a code is used at most once, even by an
    /// exchange that then fails its checks.
    pub fn take(&self, code: &str) -> Option<PendingCode> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(code)
    }
}

/// 256 random bits, base64url.
pub fn random_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).ok()?;
    Some(URL_SAFE_NO_PAD.encode(bytes))
}
