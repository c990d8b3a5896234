//! `POST /api/uploads` without Lambda around it: everything the function does per request
//! once its event is parsed. The target is ≤ 5 µs median on a 2-core machine.

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use avatar_aws::signer::{CredentialSource, PostPolicy, PostSigner, S3FormSigner, SigningKeyCache};
use avatar_domain::service::{SignedUpload, UploadSigner};
use avatar_domain::upload_form::UploadTerms;
use avatar_domain::values::{ContentType, UploadKey};
use avatar_http::SignUploadResponse;
use avatar_http::{SignUploadRequest, json_response, require_json};
use aws_credential_types::Credentials;
use criterion::{Criterion, criterion_group, criterion_main};
use http::StatusCode;

/// Any signed-in account: the key prefix is the only thing it changes.
fn account() -> avatar_domain::values::AccountId {
    avatar_domain::values::AccountId::try_from("0f8fad5b-d9cb-469f-a165-70867728950e")
        .expect("account id")
}

const MAX_BYTES: u64 = 5_242_880;
const TTL: Duration = Duration::from_secs(300);

const BODY: &[u8] = br#"{"filename": "me.png", "contentType": "image/png", "size": 123456, "checksumSha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}"#;
/// The SHA-256 the page sends with every request, pinned in every policy.
const CHECKSUM: &str = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

/// Shaped like a Lambda execution role's: temporary, with a session token of about 1 KB
/// that goes into the policy, the form fields and so twice into the response.
fn role_credentials() -> Credentials {
    Credentials::new(
        "ASIAQEXAMPLEEXAMPLE1",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        Some("IQoJb3JpZ2luX2VjEOr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD".repeat(18)),
        Some(SystemTime::now() + Duration::from_secs(6 * 3600)),
        "bench",
    )
}

/// Long-lived keys, as in local.env: no token, so a smaller policy.
fn static_credentials() -> Credentials {
    Credentials::new(
        "AKIAQEXAMPLEEXAMPLE1",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "bench",
    )
}

fn signer() -> PostSigner {
    PostSigner::new("avatar-uploads-123456789012", "us-east-1", None).expect("form URL")
}

fn upload_signer() -> UploadSigner {
    UploadSigner::new(
        Box::new(S3FormSigner::new(
            signer(),
            CredentialSource::from_static(role_credentials()),
        )),
        MAX_BYTES,
        TTL,
    )
}

fn end_to_end(c: &mut Criterion) {
    let mut group = c.benchmark_group("sign");

    // Key, policy JSON, base64, SigV4 with the day's cached key, response JSON.
    let post_signer = signer();
    for (name, creds) in [
        (
            "sync: key + sign + to_vec (role credentials)",
            role_credentials(),
        ),
        (
            "sync: key + sign + to_vec (static keys)",
            static_credentials(),
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let key = UploadKey::new(account(), ContentType::Png);
                let terms = UploadTerms {
                    key: key.as_str(),
                    content_type: key.content_type(),
                    max_bytes: MAX_BYTES,
                    answer: None,
                    checksum_sha256: Some(CHECKSUM),
                };
                let post = post_signer.sign_terms(&creds, &terms, TTL, SystemTime::now());
                let signed = SignedUpload {
                    key,
                    post,
                    max_bytes: MAX_BYTES,
                };
                black_box(serde_json::to_vec(&SignUploadResponse::from(&signed)).ok())
            })
        });
    }

    // The service call the handler awaits: cached credentials, then the same signing.
    // One `block_on` per batch, as in the function, where the runtime is already running.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let service = upload_signer();
    let request = SignUploadRequest::try_from(BODY).expect("valid request");
    group.bench_function("async: UploadSigner::sign + to_vec", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let started = Instant::now();
                for _ in 0..iters {
                    let signed = service
                        .sign(&account(), &request.upload, SystemTime::now())
                        .await;
                    black_box(
                        signed
                            .ok()
                            .and_then(|s| serde_json::to_vec(&SignUploadResponse::from(&s)).ok()),
                    );
                }
                started.elapsed()
            })
        })
    });

    // The handler's work between the event and the response, minus logging.
    group.bench_function("handler: content-type + parse + sign + 201", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let started = Instant::now();
                for _ in 0..iters {
                    let response = async {
                        require_json(Some(b"application/json"))?;
                        let request = SignUploadRequest::try_from(black_box(BODY))?;
                        let signed = service
                            .sign(&account(), &request.upload, SystemTime::now())
                            .await?;
                        Ok::<_, avatar_http::ApiError>(json_response(
                            StatusCode::CREATED,
                            &SignUploadResponse::from(&signed),
                        ))
                    }
                    .await;
                    black_box(response.ok());
                }
                started.elapsed()
            })
        })
    });
    group.finish();
}

/// The same path in pieces, to see which one dominates.
fn parts(c: &mut Criterion) {
    let mut group = c.benchmark_group("sign parts");
    group.bench_function("Uuid::new_v4 (fast-rng)", |b| {
        b.iter(|| black_box(uuid::Uuid::new_v4()))
    });
    group.bench_function("UploadKey::new", |b| {
        b.iter(|| black_box(UploadKey::new(account(), ContentType::Png)))
    });

    let creds = role_credentials();
    let now = time::OffsetDateTime::now_utc();
    let credential = format!(
        "{}/{}/us-east-1/s3/aws4_request",
        creds.access_key_id(),
        avatar_aws::signer::format_credential_date(now)
    );
    let amz_date = avatar_aws::signer::format_amz_date(now);
    let policy = || PostPolicy {
        expiration: now + TTL,
        bucket: "avatar-uploads-123456789012",
        key: "incoming/0f8fad5b-d9cb-469f-a165-70867728950e/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.png",
        content_type: "image/png",
        success_action_status: None,
        checksum_sha256: Some(CHECKSUM),
        max_bytes: MAX_BYTES,
        credential: &credential,
        amz_date: &amz_date,
        security_token: creds.session_token(),
    };
    group.bench_function("policy JSON", |b| b.iter(|| black_box(policy().to_json())));
    let json = policy().to_json();
    group.bench_function("base64", |b| {
        b.iter(|| black_box(base64_simd::STANDARD.encode_to_string(black_box(&json))))
    });
    let policy_b64 = base64_simd::STANDARD.encode_to_string(&json);
    let keys = SigningKeyCache::new("us-east-1".into());
    group.bench_function("HMAC-SHA256 with the cached key", |b| {
        b.iter(|| {
            black_box(keys.sign(
                creds.access_key_id(),
                creds.secret_access_key(),
                now,
                policy_b64.as_bytes(),
            ))
        })
    });
    group.bench_function("HMAC-SHA256 deriving the key (uncached)", |b| {
        b.iter(|| {
            let keys = SigningKeyCache::new("us-east-1".into());
            black_box(keys.sign(
                creds.access_key_id(),
                creds.secret_access_key(),
                now,
                policy_b64.as_bytes(),
            ))
        })
    });
    let post = signer().sign(
        &creds,
        "incoming/0f8fad5b-d9cb-469f-a165-70867728950e/3f0c8a52-6b1e-4c9e-9a57-1d2f3e4a5b6c.png",
        ContentType::Png,
        MAX_BYTES,
        TTL,
        SystemTime::now(),
    );
    let signed = SignedUpload {
        key: UploadKey::try_from(post.field("key").expect("key")).expect("key"),
        post,
        max_bytes: MAX_BYTES,
    };
    group.bench_function("response JSON", |b| {
        b.iter(|| black_box(serde_json::to_vec(&SignUploadResponse::from(&signed)).ok()))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Short windows: the numbers are stable to a few percent and the whole file runs in ~30 s.
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = end_to_end, parts
}
criterion_main!(benches);
