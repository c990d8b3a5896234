//! The digest a browser POST names (`x-amz-checksum-sha256`), checked before the form
//! reaches the verifier. s3s-fs 0.14.1 compares checksums only after it has written the
//! object, so a refused upload would still be stored; S3 stores nothing.

use axum::body::Body;
use axum::response::Response;
use base64::Engine as _;
use http::StatusCode;
use memchr::memmem;
use sha2::{Digest, Sha256};

use super::form::Form;
use super::xml;

/// The body again when the form names no SHA-256 or the file matches it; S3's
/// `400 BadDigest` otherwise. The body arrives capped (`bounded`): at most `cap` bytes of
/// it are held here.
pub(crate) async fn verify(
    form: &Form,
    body: Body,
    boundary: &str,
    cap: u64,
) -> Result<Body, Response> {
    let Some(expected) = form.get("x-amz-checksum-sha256") else {
        return Ok(body);
    };
    let limit = usize::try_from(cap).unwrap_or(usize::MAX);
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return Err(xml::error(
            StatusCode::BAD_REQUEST,
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header.",
            &[],
        ));
    };
    let Some(file) = file_part(&bytes, boundary) else {
        // No file part: the verifier refuses the form in its own words.
        return Ok(Body::from(bytes));
    };
    let actual = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(file));
    if actual != expected {
        return Err(xml::error(
            StatusCode::BAD_REQUEST,
            "BadDigest",
            "The SHA256 you specified did not match the calculated checksum.",
            &[],
        ));
    }
    Ok(Body::from(bytes))
}

/// The content of the part named `file`, between its headers and the next boundary.
fn file_part<'a>(body: &'a [u8], boundary: &str) -> Option<&'a [u8]> {
    let delimiter = format!("--{boundary}");
    let closing = format!("\r\n--{boundary}");
    let mut at = memmem::find(body, delimiter.as_bytes())?;
    loop {
        let headers_start = at + delimiter.len();
        let headers_end = headers_start + memmem::find(&body[headers_start..], b"\r\n\r\n")?;
        let content_start = headers_end + 4;
        let content_end = content_start + memmem::find(&body[content_start..], closing.as_bytes())?;
        let headers =
            String::from_utf8_lossy(&body[headers_start..headers_end]).to_ascii_lowercase();
        let is_file = headers.lines().any(|line| {
            line.starts_with("content-disposition:")
                && line
                    .split(';')
                    .any(|p| matches!(p.trim(), "name=\"file\"" | "name=file"))
        });
        if is_file {
            return Some(&body[content_start..content_end]);
        }
        at = content_end + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::file_part;

    #[test]
    fn finds_the_file_part_among_fields() {
        let body =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nincoming/a.png\r\n\
            --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
            Content-Type: image/png\r\n\r\n\x89PNG\r\n--not-it\r\n--XyZ--\r\n";
        assert_eq!(file_part(body, "XyZ"), Some(&b"\x89PNG\r\n--not-it"[..]));
        assert_eq!(
            file_part(
                b"--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--XyZ--",
                "XyZ"
            ),
            None
        );
        assert_eq!(file_part(b"garbage", "XyZ"), None);
    }
}
