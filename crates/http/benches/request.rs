//! Reading a `POST /api/uploads` body: the Content-Type check, JSON parsing and every
//! field's validation, on the valid request the page sends.

use std::hint::black_box;
use std::time::Duration;

use avatar_http::{SignUploadRequest, require_json};
use criterion::{Criterion, criterion_group, criterion_main};

const BODY: &[u8] =
    br#"{"filename": "IMG_20261126_120000.jpg", "contentType": "image/jpeg", "size": 1048576, "checksumSha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}"#;

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("sign request");
    group.bench_function("SignUploadRequest::parse", |b| {
        b.iter(|| black_box(SignUploadRequest::try_from(black_box(BODY)).ok()))
    });
    group.bench_function("require_json + parse", |b| {
        b.iter(|| {
            let parsed = require_json(Some(black_box(b"application/json; charset=utf-8")))
                .and_then(|()| SignUploadRequest::try_from(black_box(BODY)));
            black_box(parsed.ok())
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = parse
}
criterion_main!(benches);
