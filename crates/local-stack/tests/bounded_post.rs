//! The local S3 reads no more of a browser POST than it may store: a 96 MiB form is refused
//! with S3's `400 EntityTooLarge` — declared by its Content-Length, or chunked and counted
//! as it streams, with or without a SHA-256 to check — or, forged, with `403
//! SignatureDoesNotMatch` before its body is read, and the stack's peak memory grows by
//! less than 24 MiB. The stack runs as its own process (the `local-stack` binary, as
//! `scripts/dev` runs it), so its peak resident set (`VmHWM`) is its alone.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime};

use avatar_aws::signer::PostSigner;
use avatar_domain::upload_form::UploadTerms;
use avatar_domain::values::{AccountId, ContentType, UploadKey};
use aws_credential_types::Credentials;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BIG: usize = 96 * 1024 * 1024;
const MAX_GROWTH_KIB: u64 = 24 * 1024;
/// The app's limit in local.env (MAX_UPLOAD_BYTES), which the policy carries.
const MAX_UPLOAD: u64 = 5 * 1024 * 1024;
const BOUNDARY: &str = "----bounded-post-boundary";

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The stack as its own process, stopped when dropped.
struct Stack {
    child: Child,
    s3: String,
    data: tempfile::TempDir,
    access_key: String,
    secret_key: String,
    bucket: String,
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Stack {
    fn start() -> Self {
        let data = tempfile::tempdir().expect("tempdir");
        let (s3_port, dynamo_port, edge_port) = (free_port(), free_port(), free_port());
        let local = std::fs::read_to_string(repository().join("local.env")).expect("local.env");
        let env: String = local
            .lines()
            .map(|line| match line.split_once('=') {
                Some(("AWS_ENDPOINT_URL_S3", _)) => {
                    format!("AWS_ENDPOINT_URL_S3=http://127.0.0.1:{s3_port}")
                }
                Some(("AWS_ENDPOINT_URL_DYNAMODB", _)) => {
                    format!("AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:{dynamo_port}")
                }
                _ => line.to_string(),
            })
            .map(|line| line + "\n")
            .collect();
        let env_file = data.path().join("stack.env");
        std::fs::write(&env_file, &env).expect("env file");
        let vars = local_stack::dev_config::parse_env_file(&env);
        let mut child = Command::new(env!("CARGO_BIN_EXE_local-stack"))
            .arg(&env_file)
            .current_dir(repository())
            .env("PORT", edge_port.to_string())
            .env("LOCAL_DATA_DIR", data.path().join("data"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("local-stack starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("local stack ready") => break,
                Some(Ok(_)) => {}
                _ => panic!("local-stack stopped before it was ready"),
            }
        }
        // Keep reading its output so a full pipe never blocks it.
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            child,
            s3: format!("127.0.0.1:{s3_port}"),
            data,
            access_key: vars["AWS_ACCESS_KEY_ID"].clone(),
            secret_key: vars["AWS_SECRET_ACCESS_KEY"].clone(),
            bucket: vars["UPLOADS_BUCKET"].clone(),
        }
    }

    /// Peak resident memory so far, in KiB.
    fn peak_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM")
    }

    /// A form from the app's signer, for a PNG of at most the app's limit.
    fn form(&self, checksum: Option<&str>) -> Vec<(String, String)> {
        let creds = Credentials::new(&self.access_key, &self.secret_key, None, None, "test");
        let owner = AccountId::try_from(test_support::events::FIXTURE_SUB).expect("account id");
        let key = UploadKey::new(owner, ContentType::Png);
        let signer = PostSigner::new(
            &self.bucket,
            "us-east-1",
            Some(&format!("http://{}", self.s3)),
        )
        .expect("signer");
        let terms = UploadTerms {
            key: key.as_str(),
            content_type: ContentType::Png,
            max_bytes: MAX_UPLOAD,
            answer: None,
            checksum_sha256: checksum,
        };
        let post = signer.sign_terms(&creds, &terms, Duration::from_secs(60), SystemTime::now());
        post.pairs()
            .into_iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    fn stored(&self) -> usize {
        let dir = self.data.path().join("data/s3").join(&self.bucket);
        walk(&dir)
    }
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| {
                let path = e.path();
                if path.is_dir() {
                    walk(&path)
                } else {
                    usize::from(!e.file_name().to_string_lossy().starts_with('.'))
                }
            })
            .sum()
    })
}

/// The form's multipart text before the file's bytes, and after them.
fn multipart(fields: &[(String, String)]) -> (Vec<u8>, Vec<u8>) {
    let mut head = String::new();
    for (name, value) in fields {
        head.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    head.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    ));
    (
        head.into_bytes(),
        format!("\r\n--{BOUNDARY}--\r\n").into_bytes(),
    )
}

/// Sends the form with a file of `file_len` bytes over a raw connection (declared or
/// chunked), reading the answer while it writes; returns the status and body.
async fn post(
    stack: &Stack,
    fields: &[(String, String)],
    file_len: usize,
    chunked: bool,
) -> (u16, String) {
    let (head, tail) = multipart(fields);
    let total = head.len() + file_len + tail.len();
    let length = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {total}")
    };
    let request = format!(
        "POST /{} HTTP/1.1\r\nHost: {}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n{length}\r\nConnection: close\r\n\r\n",
        stack.bucket, stack.s3
    );
    let stream = TcpStream::connect(&stack.s3).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let writing = tokio::spawn(async move {
        let frame = |data: &[u8]| -> Vec<u8> {
            if chunked {
                let mut out = format!("{:x}\r\n", data.len()).into_bytes();
                out.extend_from_slice(data);
                out.extend_from_slice(b"\r\n");
                out
            } else {
                data.to_vec()
            }
        };
        writer.write_all(request.as_bytes()).await?;
        writer.write_all(&frame(&head)).await?;
        let block = vec![0u8; 64 * 1024];
        let mut left = file_len;
        while left > 0 {
            let n = left.min(block.len());
            writer.write_all(&frame(&block[..n])).await?;
            left -= n;
        }
        writer.write_all(&frame(&tail)).await?;
        if chunked {
            writer.write_all(b"0\r\n\r\n").await?;
        }
        Ok::<_, std::io::Error>(())
    });
    let mut answer = Vec::new();
    // The stack may close the connection once it has answered; what it sent is read.
    let _ = tokio::time::timeout(Duration::from_secs(120), reader.read_to_end(&mut answer)).await;
    writing.abort();
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_96_mib_post_is_refused_and_the_stack_holds_none_of_it() {
    let stack = Stack::start();
    // A real upload first, so the stack's ordinary working set is in the baseline.
    let png = test_support::images::png(8, 8);
    let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&png));
    let fields = stack.form(Some(&digest));
    let (head, tail) = multipart(&fields);
    let body = [head, png, tail].concat();
    let stored = reqwest::Client::new()
        .post(format!("http://{}/{}", stack.s3, stack.bucket))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .expect("small upload");
    assert_eq!(
        stored.status().as_u16(),
        204,
        "{}",
        stored.text().await.unwrap_or_default()
    );
    assert_eq!(stack.stored(), 1);
    let before = stack.peak_kib();

    let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(vec![0u8; BIG]));
    // name, named digest, chunked, signature tampered, expected status and code.
    let cases = [
        (
            "declared length, SHA-256 named",
            Some(digest.as_str()),
            false,
            false,
            400,
            "EntityTooLarge",
        ),
        (
            "chunked, SHA-256 named",
            Some(digest.as_str()),
            true,
            false,
            400,
            "EntityTooLarge",
        ),
        (
            "chunked, no SHA-256",
            None,
            true,
            false,
            400,
            "EntityTooLarge",
        ),
        // The signature is checked before the body is read, so a forged form names no size.
        (
            "chunked, SHA-256 named, wrong signature",
            Some(digest.as_str()),
            true,
            true,
            403,
            "SignatureDoesNotMatch",
        ),
    ];
    for (name, checksum, chunked, forged, status, code) in cases {
        let mut fields = stack.form(checksum);
        if forged {
            let signature = fields
                .iter_mut()
                .find(|(n, _)| n == "x-amz-signature")
                .expect("a signature");
            signature.1 = "0".repeat(64);
        }
        let (got, answer) = post(&stack, &fields, BIG, chunked).await;
        assert_eq!(got, status, "{name}: {answer}");
        assert!(
            answer.contains(&format!("<Code>{code}</Code>")),
            "{name}: {answer}"
        );
        assert_eq!(stack.stored(), 1, "{name}: nothing more stored");
    }
    let after = stack.peak_kib();
    let growth = after.saturating_sub(before);
    println!("local-stack VmHWM: {before} KiB before, {after} KiB after, growth {growth} KiB");
    assert!(
        growth < MAX_GROWTH_KIB,
        "peak memory grew by {growth} KiB ({before} → {after})"
    );
}
