//! What every served avatar must carry: CloudFront's avatar headers policy, played by the
//! local edge.

use avatar_aws::headers;

/// The avatar's stored type, and the headers CloudFront's response headers policy adds.
pub fn assert_avatar_headers(map: &reqwest::header::HeaderMap, content_type: &str) {
    assert_eq!(map["content-type"], content_type);
    assert_eq!(map["x-content-type-options"], headers::NOSNIFF);
    assert_eq!(map["content-security-policy"], headers::AVATAR_CSP);
    assert_eq!(map["cache-control"], headers::AVATAR_CACHE_CONTROL);
}
