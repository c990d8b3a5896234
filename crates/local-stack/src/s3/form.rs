//! The text fields of a browser POST (multipart/form-data), read before the request goes
//! on to the verifier: S3's answers name the form's key and quote its policy, and the
//! verifier keeps neither. Only the fields before the file are read; S3 ignores any after
//! it, and the file itself streams on untouched.

use axum::body::Body;
use bytes::Bytes;
use futures_util::{StreamExt, stream};
use memchr::memmem;

/// Fields larger than this together are not read ahead (the request still goes on): a
/// real form's fields, policy and session token included, are a few kilobytes.
pub(crate) const MAX_FIELDS_BYTES: usize = 1024 * 1024;

/// The form's fields before the file, in order, with lower-cased names as S3 compares them.
#[derive(Debug, Default)]
pub(crate) struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    /// The value of a field; the last one wins when a name repeats, as in the verifier.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|(n, _)| n.as_str())
    }

    #[cfg(test)]
    pub(crate) fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self {
            fields: pairs
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), (*v).to_string()))
                .collect(),
        }
    }
}

/// The `boundary` parameter of a `multipart/form-data` Content-Type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let essence = params.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

/// Reads the body until the file part begins, then gives back the fields read and a body
/// that yields every byte (and any error) exactly as the original would have.
pub(crate) async fn peek(body: Body, boundary: &str) -> (Option<Form>, Body) {
    let mut rest = body.into_data_stream();
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut head: Vec<u8> = Vec::new();
    let mut failed = None;
    let form = loop {
        match parse(&head, boundary) {
            Parsed::Complete(form) => break Some(form),
            Parsed::Invalid => break None,
            Parsed::NeedMore if head.len() > MAX_FIELDS_BYTES => break None,
            Parsed::NeedMore => {}
        }
        match rest.next().await {
            Some(Ok(chunk)) => {
                head.extend_from_slice(&chunk);
                chunks.push(chunk);
            }
            Some(Err(err)) => {
                failed = Some(err);
                break None;
            }
            // The body ended without a file: the fields read so far are still the form's.
            None => break fields_until_end(&head, boundary),
        }
    };
    let replay = stream::iter(chunks.into_iter().map(Ok))
        .chain(stream::iter(failed.map(Err)))
        .chain(rest);
    (form, Body::from_stream(replay))
}

enum Parsed {
    Complete(Form),
    NeedMore,
    Invalid,
}

/// Parts are `--boundary CRLF headers CRLF CRLF value CRLF --boundary …`; the file part
/// ends the reading as soon as its headers are complete.
fn parse(head: &[u8], boundary: &str) -> Parsed {
    let delimiter = format!("--{boundary}");
    let Some(first) = memmem::find(head, delimiter.as_bytes()) else {
        return if head.len() > MAX_FIELDS_BYTES {
            Parsed::Invalid
        } else {
            Parsed::NeedMore
        };
    };
    let next_delimiter = format!("\r\n--{boundary}");
    let mut form = Form::default();
    let mut at = first + delimiter.len();
    loop {
        let Some(after) = head.get(at..at + 2) else {
            return Parsed::NeedMore;
        };
        if after == b"--" {
            return Parsed::Complete(form);
        }
        if after != b"\r\n" {
            return Parsed::Invalid;
        }
        let headers_start = at + 2;
        let Some(headers_len) = memmem::find(&head[headers_start..], b"\r\n\r\n") else {
            return Parsed::NeedMore;
        };
        let headers = &head[headers_start..headers_start + headers_len];
        let Some(name) = field_name(headers) else {
            return Parsed::Invalid;
        };
        if name == "file" {
            return Parsed::Complete(form);
        }
        let value_start = headers_start + headers_len + 4;
        let Some(value_len) = memmem::find(&head[value_start..], next_delimiter.as_bytes()) else {
            return Parsed::NeedMore;
        };
        let value = &head[value_start..value_start + value_len];
        form.fields
            .push((name, String::from_utf8_lossy(value).into_owned()));
        at = value_start + value_len + next_delimiter.len();
    }
}

fn fields_until_end(head: &[u8], boundary: &str) -> Option<Form> {
    match parse(head, boundary) {
        Parsed::Complete(form) => Some(form),
        Parsed::NeedMore | Parsed::Invalid => None,
    }
}

/// `Content-Disposition: form-data; name="key"` → `key` (lower-cased).
fn field_name(headers: &[u8]) -> Option<String> {
    let headers = std::str::from_utf8(headers).ok()?;
    let disposition = headers.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-disposition")
            .then_some(value)
    })?;
    disposition.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("name")
            .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(parts: &[(&str, &str)], file: &str) -> String {
        let mut out = String::from("preamble\r\n");
        for (name, value) in parts {
            out.push_str(&format!(
                "--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        out.push_str(&format!(
            "--XyZ\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n{file}\r\n--XyZ--\r\n"
        ));
        out
    }

    #[test]
    fn boundaries() {
        assert_eq!(
            boundary("multipart/form-data; boundary=----WebKitFormBoundaryA1").as_deref(),
            Some("----WebKitFormBoundaryA1")
        );
        assert_eq!(
            boundary("Multipart/Form-Data;charset=utf-8; Boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("multipart/mixed; boundary=x"), None);
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(boundary("multipart/form-data; boundary="), None);
    }

    #[tokio::test]
    async fn reads_the_fields_and_replays_every_byte() {
        let text = body(
            &[
                ("key", "incoming/a b.png"),
                ("Content-Type", "image/png"),
                ("key", "last"),
            ],
            &"\u{1}".repeat(100_000),
        );
        // Chunked at odd places, as a network delivers it.
        let chunks: Vec<Result<Bytes, std::io::Error>> = text
            .as_bytes()
            .chunks(7)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let (form, replay) = peek(Body::from_stream(stream::iter(chunks)), "XyZ").await;
        let form = form.expect("fields read");
        assert_eq!(form.get("key"), Some("last"));
        assert_eq!(form.get("content-type"), Some("image/png"));
        assert_eq!(form.get("file"), None);
        assert_eq!(form.names().count(), 3);
        let replayed = axum::body::to_bytes(replay, usize::MAX).await.unwrap();
        assert_eq!(replayed, text.as_bytes());
    }

    #[tokio::test]
    async fn a_form_without_a_file_still_yields_its_fields() {
        let text = "--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--b--\r\n";
        let (form, _) = peek(Body::from(text), "b").await;
        assert_eq!(form.unwrap().get("key"), Some("k"));
    }

    #[tokio::test]
    async fn garbage_is_passed_on_unread() {
        for text in ["not a form at all", "--b\r\nX-Nothing: 1\r\n\r\nv\r\n--b--"] {
            let (form, replay) = peek(Body::from(text), "b").await;
            assert!(form.is_none(), "{text}");
            let replayed = axum::body::to_bytes(replay, usize::MAX).await.unwrap();
            assert_eq!(replayed, text.as_bytes());
        }
    }
}
