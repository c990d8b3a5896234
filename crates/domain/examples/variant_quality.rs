//! Bytes and quality of the variants, as published (lossy WebP) against the format before
//! (JPEG q80, PNG for transparency), for a photo, a screenshot and a logo with alpha: the
//! table in BENCHMARKS.md, "Variant bytes and quality".
//!
//! The reference is the same square, decoded whole and resized with Lanczos3, kept
//! lossless. PSNR is over RGB after compositing on white, as a page shows the picture.
//!
//!     cargo run --release -p avatar-core --example variant_quality

use avatar_domain::render::{RenderOptions, Variants, render_with};
use avatar_domain::values::{ContentType, VariantFormat};
use test_support::bench_images::{logo_png, photo_jpeg, screenshot_png};

fn main() {
    println!(
        "| picture | size | before: format, bytes | before: PSNR | WebP bytes | WebP PSNR | bytes saved |"
    );
    println!("|---|---|---|---|---|---|---|");
    let (mut before_total, mut after_total) = (0usize, 0usize);
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
        for (i, size) in sizes(&reference).into_iter().enumerate() {
            let truth = pixels(&reference, i);
            let (b, a) = (&before.images[i].bytes, &after.images[i].bytes);
            let (pb, pa) = (
                psnr(&truth, &pixels(&before, i)),
                psnr(&truth, &pixels(&after, i)),
            );
            if before.format == VariantFormat::Jpeg {
                before_total += b.len();
                after_total += a.len();
            }
            println!(
                "| {name} | {size} | {} {} | {pb:.2} dB | {} | {pa:.2} dB ({:+.2}) | {:.0} % |",
                before.format.extension(),
                b.len(),
                a.len(),
                pa - pb,
                100.0 * (1.0 - a.len() as f64 / b.len() as f64),
            );
        }
    }
    println!(
        "\nJPEG pictures, all sizes: {before_total} bytes before, {after_total} as WebP ({:.0} % fewer)",
        100.0 * (1.0 - after_total as f64 / before_total as f64)
    );
}

fn sizes(variants: &Variants) -> Vec<u32> {
    variants.images.iter().map(|v| v.size).collect()
}

/// Variant `i` decoded, composited on white, as RGB.
fn pixels(variants: &Variants, i: usize) -> Vec<u8> {
    let image = image::load_from_memory(&variants.images[i].bytes)
        .expect("decodes")
        .into_rgba8();
    image
        .pixels()
        .flat_map(|p| {
            let a = u32::from(p.0[3]);
            let over = |c: u8| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
            [over(p.0[0]), over(p.0[1]), over(p.0[2])]
        })
        .collect()
}

fn psnr(truth: &[u8], test: &[u8]) -> f64 {
    let mse = truth
        .iter()
        .zip(test)
        .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
        .sum::<f64>()
        / truth.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}
