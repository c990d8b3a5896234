//! Renders the variants of a generated 4096×4096 photo once and prints their sizes and the
//! time taken: run under `/usr/bin/time -v` for the peak RSS of a publish (BENCHMARKS.md).

use std::time::Instant;

use avatar_core::domain::ContentType;
use avatar_core::render::render_variants;
use test_support::bench_images::{logo_png, photo_jpeg, screenshot_png};

fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "photo".into());
    let (bytes, content_type) = match which.as_str() {
        "photo" => (photo_jpeg(4096), ContentType::Jpeg),
        "screenshot" => (screenshot_png(2560, 1600), ContentType::Png),
        "logo" => (logo_png(1024), ContentType::Png),
        other => panic!("unknown picture {other}: photo, screenshot or logo"),
    };
    let start = Instant::now();
    let variants = render_variants(&bytes, content_type, None).expect("renders");
    let elapsed = start.elapsed();
    println!(
        "{which}: input {} KiB, {:?}, rendered in {elapsed:.1?}",
        bytes.len() / 1024,
        variants.format
    );
    for v in &variants.images {
        println!("  {} px: {} bytes", v.size, v.bytes.len());
    }
}
