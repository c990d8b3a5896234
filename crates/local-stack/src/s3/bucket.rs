//! S3 answers `404 NoSuchBucket` to any request on a bucket that does not exist, before
//! it looks at credentials or the form. s3s-fs does not always: it reports `NoSuchKey`
//! for some reads, and a POST or PUT would create the bucket's folder and store the object.

use std::path::Path;

use axum::response::Response;
use http::{Method, StatusCode};

use super::xml;

/// The bucket of a path-style request, `/{bucket}` or `/{bucket}/{key}`.
pub(crate) fn of_path(path: &str) -> Option<String> {
    let first = path.strip_prefix('/')?.split('/').next()?;
    let bucket = percent_encoding::percent_decode_str(first)
        .decode_utf8()
        .ok()?;
    valid_name(&bucket).then(|| bucket.into_owned())
}

/// S3's bucket naming rules (lower-case letters, digits, dots, hyphens; 3–63); anything
/// else is left to the verifier, which refuses it as S3 does.
fn valid_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !name.contains("..")
}

/// `404 NoSuchBucket` when the request names a bucket that is not there — except the
/// request that creates it (`PUT /{bucket}`).
pub(crate) fn missing(root: &Path, method: &Method, path: &str) -> Option<Response> {
    let bucket = of_path(path)?;
    let bucket_only = path.trim_start_matches('/').trim_end_matches('/') == bucket;
    if (method == Method::PUT && bucket_only) || root.join(&bucket).is_dir() {
        return None;
    }
    Some(xml::error(
        StatusCode::NOT_FOUND,
        "NoSuchBucket",
        "The specified bucket does not exist",
        &[("BucketName", &bucket)],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_of_a_path() {
        assert_eq!(of_path("/uploads").as_deref(), Some("uploads"));
        assert_eq!(of_path("/uploads/").as_deref(), Some("uploads"));
        assert_eq!(
            of_path("/my.bucket-1/a/b.png").as_deref(),
            Some("my.bucket-1")
        );
        for none in [
            "/",
            "",
            "/UP",
            "/ab",
            "/../x",
            "/a..b/k",
            "/-ab/k",
            "/%2e%2e/k",
        ] {
            assert_eq!(of_path(none), None, "{none}");
        }
    }

    #[test]
    fn only_a_missing_bucket_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("uploads")).unwrap();
        assert!(missing(dir.path(), &Method::POST, "/uploads").is_none());
        assert!(missing(dir.path(), &Method::GET, "/uploads/a.png").is_none());
        assert!(missing(dir.path(), &Method::GET, "/").is_none());
        assert!(
            missing(dir.path(), &Method::PUT, "/other").is_none(),
            "CreateBucket"
        );
        for (method, path) in [
            (Method::POST, "/other"),
            (Method::GET, "/other/a.png"),
            (Method::HEAD, "/other/a.png"),
            (Method::PUT, "/other/a.png"),
            (Method::GET, "/other"),
        ] {
            let refused = missing(dir.path(), &method, path).expect(path);
            assert_eq!(refused.status(), 404, "{method} {path}");
        }
    }
}
