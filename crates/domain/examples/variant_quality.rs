//! Bytes and quality of the variants, as published (WebP, lossy or lossless as each
//! picture needs) against the format before (JPEG q80, PNG for transparency), for a photo,
//! a screenshot and a logo with alpha: the table in BENCHMARKS.md, "Variant bytes and
//! quality", with each row checked against the contract of
//! `test_support::variant_quality` (at least 40 % fewer bytes, PSNR no more than 0.5 dB
//! below the old format's).
//!
//! The reference is the same square, decoded whole and resized with Lanczos3, kept
//! lossless. PSNR is over RGB after compositing on white, as a page shows the picture.
//! The render times are the best of five of the whole render (decode, resize, encode) of
//! each picture, before (as published before WebP) and now.
//!
//!     cargo run --release -p avatar-domain --example variant_quality

use std::time::Instant;

use avatar_domain::render::{RenderOptions, Variants, render_with};
use avatar_domain::values::{ContentType, VariantFormat};
use test_support::bench_images::{logo_png, photo_jpeg, screenshot_png};
use test_support::variant_images::webp_chunks;
use test_support::variant_quality::Row;

fn main() {
    println!(
        "| picture | size | before: format, bytes | before: PSNR | WebP: kind, bytes | WebP PSNR | bytes saved | ≥ 40 % fewer, PSNR ≥ before − 0.5 dB |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut times = Vec::new();
    let (mut failed, mut rows) = (0, 0);
    for (name, bytes, content_type) in [
        ("photo 4096² JPEG", photo_jpeg(4096), ContentType::Jpeg),
        (
            "screenshot 2560×1600 PNG",
            screenshot_png(2560, 1600),
            ContentType::Png,
        ),
        ("logo 1024² PNG, alpha", logo_png(1024), ContentType::Png),
    ] {
        let render = |format, shrink_on_load| {
            let options = RenderOptions {
                format,
                shrink_on_load,
            };
            render_with(&bytes, content_type, None, options).expect("renders")
        };
        let reference = render(VariantFormat::Png, false);
        let before = render(VariantFormat::Jpeg, false);
        let after = render(VariantFormat::Webp, true);
        for (i, variant) in reference.images.iter().enumerate() {
            let (b, a) = (&before.images[i].bytes, &after.images[i].bytes);
            let row = Row::measure(variant.size, &variant.bytes, b, a);
            rows += 1;
            failed += usize::from(!row.passes());
            println!(
                "| {name} | {} | {} {} | {:.2} dB | {} {} | {:.2} dB ({}) | {:.0} % | {} |",
                row.size,
                before.format.extension(),
                row.before_bytes,
                row.before_psnr,
                kind(a),
                row.after_bytes,
                row.after_psnr,
                difference(row.after_psnr, row.before_psnr),
                100.0 * row.saved(),
                if row.passes() { "pass" } else { "**fail**" },
            );
        }
        let best_of_five = |format, shrink_on_load| {
            (0..5)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box(render(format, shrink_on_load));
                    start.elapsed().as_secs_f64() * 1e3
                })
                .fold(f64::INFINITY, f64::min)
        };
        times.push((
            name,
            best_of_five(VariantFormat::Jpeg, false),
            best_of_five(VariantFormat::Webp, true),
            total(&before),
            total(&after),
        ));
    }
    println!("\n{} of {rows} rows pass", rows - failed);
    println!(
        "\n| picture | render before (JPEG/PNG) | render now (WebP) | all sizes' bytes before → now |"
    );
    println!("|---|---|---|---|");
    for (name, before, now, bytes_before, bytes_now) in times {
        println!("| {name} | {before:.1} ms | {now:.1} ms | {bytes_before} → {bytes_now} |");
    }
}

/// `after − before` in dB; "=" when both are lossless.
fn difference(after: f64, before: f64) -> String {
    if after.is_infinite() && before.is_infinite() {
        "=".into()
    } else {
        format!("{:+.2}", after - before)
    }
}

fn total(variants: &Variants) -> usize {
    variants.images.iter().map(|v| v.bytes.len()).sum()
}

/// "lossy" (a VP8 chunk) or "lossless" (VP8L).
fn kind(webp: &[u8]) -> &'static str {
    if webp_chunks(webp).iter().any(|c| c == "VP8L") {
        "lossless"
    } else {
        "lossy"
    }
}
