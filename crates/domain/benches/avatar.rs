//! Publishing an avatar in memory: sniffing, dimensions and cleaning by allow-list of an
//! upload about 1 MiB large, as `save-profile` does between reading and writing S3. Both
//! images carry EXIF with GPS, XMP, text and an ICC profile, so every walker drops blocks
//! and copies the rest once.

use std::hint::black_box;
use std::time::Duration;

use avatar_domain::avatar::verify_and_clean;
use avatar_domain::render::render_variants;
use avatar_domain::values::ContentType;
use avatar_domain::values::VariantFormat;
use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use test_support::bench_images::{noisy_jpeg_with_metadata, noisy_png_with_metadata, photo_jpeg};
use test_support::images::leaks;

fn publish(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify_and_clean");
    for (name, bytes, content_type) in [
        (
            "JPEG 1024x1024",
            noisy_jpeg_with_metadata(1024),
            ContentType::Jpeg,
        ),
        (
            "PNG 560x560",
            noisy_png_with_metadata(560),
            ContentType::Png,
        ),
    ] {
        let bytes = Bytes::from(bytes);
        // The benchmark is only worth its number if the work really happens.
        let clean = verify_and_clean(bytes.clone(), content_type).expect("a valid image");
        assert!(leaks(&clean.bytes).is_empty(), "{name} still leaks");
        let name = format!("{name}, {} KiB", bytes.len() / 1024);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| black_box(verify_and_clean(bytes.clone(), content_type).ok()))
        });
    }
    group.finish();
}

/// What publishing adds after cleaning: decode, orientation, crop, resize and encode of
/// the four square variants, for the largest picture accepted (a 4096×4096 photo).
fn variants(c: &mut Criterion) {
    let mut group = c.benchmark_group("render_variants");
    group.sample_size(10);
    let bytes = Bytes::from(photo_jpeg(4096));
    let clean = verify_and_clean(bytes.clone(), ContentType::Jpeg).expect("a valid image");
    let rendered = render_variants(&clean.bytes, ContentType::Jpeg, None).expect("renders");
    assert_eq!(rendered.format, VariantFormat::Webp);
    assert_eq!(rendered.images.len(), 4);
    let name = format!(
        "publish a 4096x4096 JPEG with all variants, {} KiB",
        bytes.len() / 1024
    );
    group.bench_function(name, |b| {
        b.iter(|| {
            let clean = verify_and_clean(bytes.clone(), ContentType::Jpeg).ok();
            black_box(clean.and_then(|c| render_variants(&c.bytes, ContentType::Jpeg, None).ok()))
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = publish, variants
}
criterion_main!(benches);
