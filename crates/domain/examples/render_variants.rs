//! Renders the variants of a generated 4096×4096 photo once and prints their sizes and the
//! time taken: run under `/usr/bin/time -v` for the peak RSS of a publish (BENCHMARKS.md).

use std::time::Instant;

use image::ImageEncoder;

use avatar_domain::render::render_variants;
use avatar_domain::values::ContentType;
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
    // The alternatives the encoder choice was weighed against, from the same 256 px pixels.
    if let Some(v) = variants.images.iter().find(|v| v.size == 256) {
        let pixels = image::load_from_memory(&v.bytes)
            .expect("decodes")
            .into_rgba8();
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new_with_quality(
            &mut png,
            image::codecs::png::CompressionType::Best,
            image::codecs::png::FilterType::Adaptive,
        )
        .write_image(&pixels, 256, 256, image::ExtendedColorType::Rgba8)
        .expect("png");
        let mut webp = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
            .write_image(&pixels, 256, 256, image::ExtendedColorType::Rgba8)
            .expect("webp");
        println!(
            "  256 px as PNG: {} bytes; as lossless WebP (image): {} bytes",
            png.len(),
            webp.len()
        );
    }
}
