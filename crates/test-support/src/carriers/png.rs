//! PNG carriers: text of every kind, eXIf, tIME, C2PA's caBX, private and unknown chunks,
//! chunks that are not needed to render (pHYs, bKGD, hIST, sPLT, oFFs, sCAL, pCAL, sTER,
//! dSIG, iDOT), a palette in a true-colour image, palette entries no pixel can index,
//! APNG frame chunks without animation control, an iCCP name, bytes after IEND. Kept:
//! colour chunks, transparency and APNG animations.

use std::io::Write;

use super::{Fixture, gradient, icc_profile};
use crate::images::exif_with_gps;

const MIME: &str = "image/png";

/// A chunk with its length and CRC.
pub fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32fast::hash(&out[4..]);
    out.extend_from_slice(&crc.to_be_bytes());
    out
}

/// Where the chunk of `kind` starts (its first occurrence).
fn chunk_start(png: &[u8], kind: &[u8; 4]) -> usize {
    let mut i = 8;
    loop {
        let len = u32::from_be_bytes(png[i..i + 4].try_into().unwrap()) as usize;
        if &png[i + 4..i + 8] == kind {
            return i;
        }
        i += 12 + len;
    }
}

fn insert_before(mut png: Vec<u8>, kind: &[u8; 4], chunks: &[Vec<u8>]) -> Vec<u8> {
    let at = chunk_start(&png, kind);
    png.splice(at..at, chunks.concat());
    png
}

/// A 16×12 RGBA PNG with `chunks` inserted before its first chunk of kind `before`.
pub fn png_with_chunks(before: &[u8; 4], chunks: &[Vec<u8>]) -> Vec<u8> {
    insert_before(rgba(16, 12), before, chunks)
}

pub(super) fn rgba(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().expect("header");
    writer.write_image_data(&gradient(w, h, 4)).expect("data");
    writer.finish().expect("finish");
    out
}

/// A 2-bit palette image with a 4-entry palette (or `palette` as given).
fn indexed(palette: &[u8]) -> Vec<u8> {
    let (w, h) = (8, 4);
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Two);
    encoder.set_palette(palette.to_vec());
    encoder.set_trns(vec![255, 128, 0, 255]);
    let mut writer = encoder.write_header().expect("header");
    // Two bytes a row: indices 0,1,2,3,0,1,2,3.
    writer
        .write_image_data(&[0b0001_1011, 0b0001_1011].repeat(h as usize))
        .expect("data");
    writer.finish().expect("finish");
    out
}

/// A 1-bit greyscale square of `side`, cheap to encode even at 4096.
pub fn png_square(side: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().expect("header");
    let row = side.div_ceil(8) as usize;
    writer
        .write_image_data(&vec![0b1010_0101; row * side as usize])
        .expect("data");
    writer.finish().expect("finish");
    out
}

pub(super) fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).expect("deflate");
    encoder.finish().expect("deflate")
}

/// A three-frame APNG (the default image is the first frame) with `between` written
/// after the first frame's data.
fn apng(between: &[Vec<u8>]) -> Vec<u8> {
    let (w, h) = (12, 10);
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_animated(3, 0).expect("animated");
    encoder.set_frame_delay(1, 10).expect("delay");
    let mut writer = encoder.write_header().expect("header");
    writer
        .write_image_data(&gradient(w, h, 4))
        .expect("frame 1");
    for chunk in between {
        let kind: [u8; 4] = chunk[4..8].try_into().unwrap();
        writer
            .write_chunk(png::chunk::ChunkType(kind), &chunk[8..chunk.len() - 4])
            .expect("chunk");
    }
    writer.set_frame_dimension(6, 4).expect("size");
    writer.set_frame_position(3, 2).expect("position");
    writer.set_blend_op(png::BlendOp::Over).expect("blend");
    writer
        .write_image_data(
            &gradient(6, 4, 4)
                .iter()
                .map(|b| b ^ 0x55)
                .collect::<Vec<_>>(),
        )
        .expect("frame 2");
    writer
        .set_dispose_op(png::DisposeOp::Previous)
        .expect("dispose");
    writer.set_frame_delay(3, 100).expect("delay");
    writer
        .write_image_data(&gradient(6, 4, 4))
        .expect("frame 3");
    writer.finish().expect("finish");
    out
}

/// fcTL for a full-size first frame, 1/10 s.
fn frame_control(w: u32, h: u32) -> Vec<u8> {
    let mut data = 0u32.to_be_bytes().to_vec();
    for v in [w, h, 0, 0] {
        data.extend_from_slice(&v.to_be_bytes());
    }
    data.extend_from_slice(&[0, 1, 0, 10, 0, 0]);
    data
}

pub(super) fn carrier(name: &str, chunks: &[Vec<u8>], secrets: &[&[u8]]) -> Fixture {
    Fixture::new(
        name,
        MIME,
        insert_before(rgba(16, 12), b"IDAT", chunks),
        secrets,
    )
}

pub fn png_fixtures() -> Vec<Fixture> {
    let mut fixtures = vec![
        carrier(
            "png tEXt",
            &[png_chunk(b"tEXt", b"Comment\0TEXT-SECRET")],
            &[b"tEXt", b"TEXT-SECRET"],
        ),
        carrier(
            "png zTXt",
            &[png_chunk(
                b"zTXt",
                &[b"Comment\0\0".as_slice(), &zlib(b"ZTXT")].concat(),
            )],
            &[b"zTXt"],
        ),
        carrier(
            "png iTXt XMP",
            &[png_chunk(
                b"iTXt",
                b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta>ITXT-XMP-SECRET</x:xmpmeta>",
            )],
            &[b"iTXt", b"ITXT-XMP-SECRET"],
        ),
        carrier(
            "png eXIf (only its orientation is kept)",
            &[png_chunk(b"eXIf", &exif_with_gps())],
            &[b"GPS-SECRET", b"LeakyCam"],
        ),
        carrier(
            "png tIME",
            &[png_chunk(b"tIME", &[0x07, 0xEA, 11, 26, 12, 34, 56])],
            &[b"tIME"],
        ),
        carrier(
            "png caBX C2PA manifest",
            &[png_chunk(b"caBX", b"\0\0\0\x20jumbjumdc2paC2PA-PNG-SECRET")],
            &[b"caBX", b"C2PA-PNG-SECRET"],
        ),
        carrier(
            "png private chunks",
            &[
                png_chunk(b"prVt", b"PRIVATE-CHUNK-SECRET"),
                png_chunk(b"vpAg", b"\0\0\0\x10\0\0\0\x10\0"),
                png_chunk(b"ruSt", b"UNKNOWN-CHUNK-SECRET"),
            ],
            &[
                b"prVt",
                b"PRIVATE-CHUNK-SECRET",
                b"vpAg",
                b"ruSt",
                b"UNKNOWN-CHUNK-SECRET",
            ],
        ),
        carrier(
            "png chunks rendering does not need",
            &[
                png_chunk(b"pHYs", &[0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1]),
                png_chunk(b"bKGD", &[0, 1, 0, 2, 0, 3]),
                png_chunk(b"sPLT", b"SPLT-NAME-SECRET\0\x08\x01\x02\x03\x04\x00\x01"),
                png_chunk(b"oFFs", &[0, 0, 0, 1, 0, 0, 0, 2, 0]),
                png_chunk(b"sCAL", b"\x011.5\x002.5"),
                png_chunk(b"pCAL", b"PCAL-SECRET\0\0\0\0\0\0\0\x03\xff\0\x02\0"),
                png_chunk(b"sTER", &[0]),
                png_chunk(b"iDOT", &[0; 28]),
                png_chunk(b"dSIG", b"DSIG-SIGNATURE-SECRET"),
            ],
            &[
                b"dSIG",
                b"DSIG-SIGNATURE-SECRET",
                b"pHYs",
                b"bKGD",
                b"sPLT",
                b"SPLT-NAME-SECRET",
                b"oFFs",
                b"sCAL",
                b"pCAL",
                b"PCAL-SECRET",
                b"sTER",
                b"iDOT",
            ],
        ),
        carrier(
            "png suggested palette in a true-colour image",
            &[png_chunk(b"PLTE", b"PLTE-IN-RGBA-SECRET!!")],
            &[b"PLTE", b"PLTE-IN-RGBA-SECRET"],
        )
        .kept_elsewhere(),
        carrier(
            "png APNG frame chunks without acTL",
            &[
                png_chunk(b"fcTL", &frame_control(16, 12)),
                png_chunk(b"fdAT", b"\0\0\0\x01FDAT-WITHOUT-ACTL-SECRET"),
            ],
            &[b"fcTL", b"fdAT", b"FDAT-WITHOUT-ACTL-SECRET"],
        )
        // The png crate stops at fdAT without acTL; browsers ignore both chunks.
        .renders_like(rgba(16, 12))
        .kept_elsewhere(),
        carrier(
            "png iCCP name",
            &[png_chunk(
                b"iCCP",
                &[b"ICC-NAME-SECRET\0\0".as_slice(), &zlib(&icc_profile(300))].concat(),
            )],
            &[b"ICC-NAME-SECRET"],
        ),
        // Decoders let cICP override gAMA/cHRM, and sRGB override both: three fixtures.
        carrier(
            "png cICP, mDCV, cLLI (kept)",
            &[
                png_chunk(b"cICP", &[1, 13, 0, 1]),
                png_chunk(b"mDCV", &[0; 24]),
                png_chunk(b"cLLI", &[0, 0, 0x27, 0x10, 0, 0, 0x03, 0xE8]),
                png_chunk(b"tEXt", b"Software\0HDR-FIXTURE-SECRET"),
            ],
            &[b"HDR-FIXTURE-SECRET"],
        ),
        carrier(
            "png gAMA, cHRM, sBIT (kept)",
            &[
                png_chunk(b"gAMA", &45455u32.to_be_bytes()),
                png_chunk(
                    b"cHRM",
                    &[31270u32, 32900, 64000, 33000, 30000, 60000, 15000, 6000]
                        .iter()
                        .flat_map(|v| v.to_be_bytes())
                        .collect::<Vec<_>>(),
                ),
                png_chunk(b"sBIT", &[8, 8, 8, 8]),
                png_chunk(b"tEXt", b"Software\0COLOUR-FIXTURE-SECRET"),
            ],
            &[b"COLOUR-FIXTURE-SECRET"],
        ),
    ];
    fixtures.push(carrier(
        "png sRGB (kept)",
        &[
            png_chunk(b"sRGB", &[0]),
            png_chunk(b"tEXt", b"Software\0SRGB-FIXTURE-SECRET"),
        ],
        &[b"SRGB-FIXTURE-SECRET"],
    ));
    let mut late = rgba(16, 12);
    let iend = chunk_start(&late, b"IEND");
    late.splice(
        iend..iend,
        [
            png_chunk(b"tEXt", b"Comment\0AFTER-IDAT-SECRET"),
            png_chunk(b"gAMA", &45455u32.to_be_bytes()),
        ]
        .concat(),
    );
    fixtures.push(Fixture::new(
        "png chunks after the image data",
        MIME,
        late,
        &[b"AFTER-IDAT-SECRET", b"gAMA"],
    ));
    let mut trailing = rgba(16, 12);
    trailing.extend_from_slice(&png_chunk(b"tEXt", b"Comment\0AFTER-IEND-CHUNK-SECRET"));
    trailing.extend_from_slice(b"AFTER-IEND-SECRET");
    fixtures.push(Fixture::new(
        "png data after IEND",
        MIME,
        trailing,
        &[b"AFTER-IEND-SECRET", b"AFTER-IEND-CHUNK-SECRET"],
    ));
    // 2-bit indices reach 4 entries; the rest of a 256-entry palette is room for anything.
    let mut palette = vec![0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255];
    palette.extend_from_slice(b"PALETTE-TAIL-SECRET!");
    palette.resize(256 * 3, 0x42);
    fixtures.push(Fixture::new(
        "png palette entries no pixel can index",
        MIME,
        indexed(&palette),
        &[b"PALETTE-TAIL-SECRET"],
    ));
    let with_histogram = insert_before(
        indexed(&[0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]),
        b"IDAT",
        &[
            png_chunk(b"hIST", &[0, 8, 0, 8, 0, 8, 0, 8]),
            png_chunk(b"bKGD", &[2]),
        ],
    );
    fixtures.push(Fixture::new(
        "png hIST and bKGD of a palette image",
        MIME,
        with_histogram,
        &[b"hIST", b"bKGD"],
    ));
    fixtures.push(Fixture::new(
        "png palette and transparency (kept)",
        MIME,
        indexed(&[0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]),
        &[],
    ));
    fixtures.push(Fixture::new(
        "png APNG, three frames, with text between frames",
        MIME,
        apng(&[
            png_chunk(b"tEXt", b"Comment\0BETWEEN-FRAMES-SECRET"),
            png_chunk(b"tIME", &[0x07, 0xEA, 11, 26, 12, 34, 56]),
        ]),
        &[b"BETWEEN-FRAMES-SECRET", b"tIME"],
    ));
    fixtures
}
