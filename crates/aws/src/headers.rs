//! The response headers CloudFront adds (template.yaml's response headers policies), in
//! one place for the code: the S3 adapter stores the avatar's Cache-Control, the local
//! edge plays CloudFront with the rest, and a drift test holds template.yaml to them.

/// Avatar keys are unique per publish, so a cached avatar never goes stale.
pub const AVATAR_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";
/// An avatar opened directly runs nothing and loads nothing.
pub const AVATAR_CSP: &str = "default-src 'none'; sandbox";
/// On every response: never sniff a body into another type.
pub const NOSNIFF: &str = "nosniff";

/// The site's pages: markup, one ES module tree and CSS from their own origin; previews
/// from `blob:`/`data:`; the file goes straight to the uploads bucket (`UPLOAD_ORIGIN`);
/// sign-in tokens come from the provider's token endpoint (`AUTH_ORIGIN`: Cognito's
/// domain on AWS; same-origin locally).
pub const SITE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' blob: data:; connect-src 'self' UPLOAD_ORIGIN AUTH_ORIGIN; \
    font-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; \
    frame-ancestors 'none'";
pub const SITE_FRAME_OPTIONS: &str = "DENY";
pub const SITE_REFERRER_POLICY: &str = "strict-origin-when-cross-origin";
pub const SITE_PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=()";
pub const SITE_OPENER_POLICY: &str = "same-origin";

/// The site's CSP for an uploads origin and a sign-in origin (empty when same-origin).
pub fn site_csp(upload_origin: &str, auth_origin: &str) -> String {
    SITE_CSP
        .replace("UPLOAD_ORIGIN", upload_origin)
        .replace("AUTH_ORIGIN", auth_origin)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
