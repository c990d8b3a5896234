//! The Rust side of `bench/render-vs-sharp/run`: what a publish does to a picture (cleaning,
//! then the four WebP variants of its centred square), timed.
//!
//!     publish_file write PATH       writes the benchmark's 4096×4096 photo (JPEG) to PATH
//!     publish_file time PATH RUNS   prints the median milliseconds of one publish of PATH
//!     publish_file stages PATH      where one publish's time goes

use std::time::Instant;

use avatar_domain::avatar::verify_and_clean;
use avatar_domain::render::render_variants;
use avatar_domain::values::ContentType;
use bytes::Bytes;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["write", path] => std::fs::write(path, test_support::bench_images::photo_jpeg(4096))
            .expect("writes the photo"),
        ["time", path, runs] => time(path, runs.parse().expect("a number of runs")),
        ["stages", path] => stages(path),
        _ => panic!(
            "usage: publish_file write PATH | publish_file time PATH RUNS | publish_file stages PATH"
        ),
    }
}

fn time(path: &str, runs: usize) {
    let upload = Bytes::from(std::fs::read(path).expect("reads the picture"));
    let publish = || {
        let clean = verify_and_clean(upload.clone(), ContentType::Jpeg).expect("a valid picture");
        render_variants(&clean.bytes, ContentType::Jpeg, None).expect("renders")
    };
    let sizes: Vec<String> = publish()
        .images
        .iter()
        .map(|v| v.bytes.len().to_string())
        .collect();
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(publish());
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "this project: median {:.1} ms (min {:.1}, max {:.1}, {runs} runs), peak RSS {} MiB, bytes {}",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        peak_rss_kib() / 1024,
        sizes.join("/")
    );
}

/// The process's peak resident set (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn stages(path: &str) {
    let upload = Bytes::from(std::fs::read(path).expect("reads the picture"));
    let best = |f: &dyn Fn()| {
        (0..10)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed().as_secs_f64() * 1e3
            })
            .fold(f64::INFINITY, f64::min)
    };
    let clean = verify_and_clean(upload.clone(), ContentType::Jpeg).expect("a valid picture");
    let cleaning = best(&|| {
        std::hint::black_box(verify_and_clean(upload.clone(), ContentType::Jpeg).ok());
    });
    // The render decodes a 4096² photo at 1/4 (its square at no less than 1024 px) with
    // libjpeg-turbo; jpeg-decoder, the decoder before it, for comparison.
    let libjpeg_at = |numerator: u8| {
        let mut decoder = mozjpeg::Decompress::new_mem(&clean.bytes).expect("a JPEG");
        decoder.scale(numerator);
        let mut started = decoder.rgb().expect("starts");
        let pixels: Vec<u8> = started.read_scanlines().expect("decodes");
        started.finish().expect("finishes");
        std::hint::black_box(pixels);
    };
    let jpeg_decoder_at = |side: u16| {
        let mut decoder = jpeg_decoder::Decoder::new(&clean.bytes[..]);
        decoder.scale(side, side).expect("scales");
        std::hint::black_box(decoder.decode().expect("decodes"));
    };
    let quarter = best(&|| libjpeg_at(2));
    let eighth = best(&|| libjpeg_at(1));
    let old_quarter = best(&|| jpeg_decoder_at(1024));
    let render = best(&|| {
        std::hint::black_box(render_variants(&clean.bytes, ContentType::Jpeg, None).ok());
    });
    println!(
        "best of 10: cleaning {cleaning:.1} ms; libjpeg-turbo at 1/4 {quarter:.1} ms (at 1/8 {eighth:.1} ms); jpeg-decoder at 1/4 {old_quarter:.1} ms; render (decode at 1/4, resize, sRGB, four WebP) {render:.1} ms"
    );
}
