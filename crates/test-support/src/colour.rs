//! Pictures in colour spaces other than sRGB, and littleCMS's conversion of them to sRGB
//! (through Pillow, `scripts/colour-reference`) to check the variants against.
//!
//! The matrix/curve profiles are written by moxcms; the LUT profile (`mft2`, an A2B0
//! table) is written here byte by byte, so its reading is tested on bytes moxcms did not
//! produce. Both readers, moxcms and littleCMS, see the very same bytes.

use std::path::Path;
use std::process::Command;

use moxcms::ColorProfile;

/// A 4×4 grid of flat patches: saturated primaries and secondaries (where wide gamuts
/// differ most from sRGB), skin and sky tones, greys.
pub const PATCHES: [[u8; 3]; 16] = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [255, 255, 0],
    [0, 255, 255],
    [255, 0, 255],
    [200, 40, 40],
    [40, 160, 70],
    [50, 80, 200],
    [224, 172, 140],
    [120, 170, 230],
    [90, 60, 40],
    [128, 128, 128],
    [64, 64, 64],
    [192, 192, 192],
    [250, 250, 250],
];

/// A 4×4 grid of flat ink patches for the CMYK pictures (0 no ink, 255 full): each ink
/// alone, the overprints, rich and plain blacks, a skin and a sky tone, tints, paper.
pub const CMYK_PATCHES: [[u8; 4]; 16] = [
    [255, 0, 0, 0],
    [0, 255, 0, 0],
    [0, 0, 255, 0],
    [0, 0, 0, 255],
    [255, 255, 0, 0],
    [0, 255, 255, 0],
    [255, 0, 255, 0],
    [150, 120, 110, 255],
    [20, 60, 80, 10],
    [120, 40, 0, 20],
    [128, 0, 0, 0],
    [0, 0, 0, 128],
    [40, 30, 30, 60],
    [200, 180, 10, 100],
    [10, 10, 10, 10],
    [0, 0, 0, 0],
];

/// The centre of patch `i` as fractions of the side.
pub fn patch_centre(i: usize) -> (f32, f32) {
    (((i % 4) as f32 + 0.5) / 4.0, ((i / 4) as f32 + 0.5) / 4.0)
}

/// `side`×`side` packed pixels of [`PATCHES`]: RGB, or grey (the red of each patch) when
/// `grey`.
pub fn patches(side: u32, grey: bool) -> Vec<u8> {
    let cell = side.div_ceil(4);
    let mut out = Vec::new();
    for y in 0..side {
        for x in 0..side {
            let colour = PATCHES[((y / cell) * 4 + x / cell) as usize];
            if grey {
                out.push(colour[0]);
            } else {
                out.extend_from_slice(&colour);
            }
        }
    }
    out
}

/// `side`×`side` packed CMYK ink values of [`CMYK_PATCHES`].
pub fn cmyk_patches(side: u32) -> Vec<u8> {
    let cell = side.div_ceil(4);
    (0..side * side)
        .flat_map(|i| CMYK_PATCHES[((i / side / cell) * 4 + i % side / cell) as usize])
        .collect()
}

pub fn adobe_rgb_icc() -> Vec<u8> {
    ColorProfile::new_adobe_rgb()
        .encode()
        .expect("Adobe RGB profile")
}

pub fn display_p3_icc() -> Vec<u8> {
    ColorProfile::new_display_p3()
        .encode()
        .expect("Display P3 profile")
}

/// A grey profile with a gamma of 1.8, far enough from sRGB's curve to show in mid greys.
pub fn grey_icc() -> Vec<u8> {
    ColorProfile::new_gray_with_gamma(1.8)
        .encode()
        .expect("grey profile")
}

/// An ICC v2 display profile whose only transform is a LUT: an `mft2` A2B0 with a gamma 2.2
/// curve per channel into a 2×2×2 table of Adobe RGB's primaries (D50) to XYZ.
pub fn lut_icc() -> Vec<u8> {
    lut_profile(Lut::Sixteen, Device::Rgb)
}

/// The same transform as an 8-bit `mft1` LUT.
pub fn lut8_icc() -> Vec<u8> {
    lut_profile(Lut::Eight, Device::Rgb)
}

/// The same transform as an ICC v4 `mAB ` (lutAtoBType): A curves of gamma 2.2 into a
/// 2×2×2 CLUT to XYZ, identity B curves.
pub fn lut_atob_icc() -> Vec<u8> {
    lut_profile(Lut::AtoB, Device::Rgb)
}

/// Display P3 with a private tag of 100 KB, so a JPEG carries it in two APP2 segments.
pub fn large_display_p3_icc() -> Vec<u8> {
    let profile = display_p3_icc();
    let count = u32::from_be_bytes(profile[128..132].try_into().expect("tag count")) as usize;
    let table_end = 132 + 12 * count;
    let mut data = profile[table_end..].to_vec();
    // Existing offsets move by the new table entry's 12 bytes.
    let mut table = Vec::new();
    for i in 0..count {
        let entry = &profile[132 + 12 * i..144 + 12 * i];
        let offset = u32::from_be_bytes(entry[4..8].try_into().expect("offset")) + 12;
        table.extend_from_slice(&entry[..4]);
        table.extend_from_slice(&offset.to_be_bytes());
        table.extend_from_slice(&entry[8..12]);
    }
    while !data.len().is_multiple_of(4) {
        data.push(0);
    }
    let private_at = (table_end + 12 + data.len()) as u32;
    let mut private = b"zzzz\0\0\0\0".to_vec();
    private.extend((0..100_000u32).map(|i| (i % 251) as u8));
    table.extend_from_slice(b"zzzz");
    table.extend_from_slice(&private_at.to_be_bytes());
    table.extend_from_slice(&(private.len() as u32).to_be_bytes());
    data.extend_from_slice(&private);
    let mut out = profile[..128].to_vec();
    out.extend_from_slice(&((count + 1) as u32).to_be_bytes());
    out.extend_from_slice(&table);
    out.extend_from_slice(&data);
    let size = out.len() as u32;
    out[..4].copy_from_slice(&size.to_be_bytes());
    // The profile ID (an MD5 over the profile) no longer holds: zero means "not computed".
    out[84..100].fill(0);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lut {
    Eight,
    Sixteen,
    AtoB,
}

/// What a LUT profile describes: an RGB display (into XYZ) or a CMYK printer (into Lab).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Device {
    Rgb,
    Cmyk,
}

/// Adobe RGB's primaries (D50) as XYZ columns: the RGB LUT profiles' table.
const ADOBE_PRIMARIES: [[f64; 3]; 3] = [
    [0.6097, 0.3111, 0.0195],
    [0.2053, 0.6257, 0.0609],
    [0.1492, 0.0632, 0.7446],
];

/// sRGB's primaries adapted to D50 (Bradford), as XYZ columns: the CMYK profiles' inks
/// filter these.
const SRGB_D50_PRIMARIES: [[f64; 3]; 3] = [
    [0.4361, 0.2225, 0.0139],
    [0.3851, 0.7169, 0.0971],
    [0.1431, 0.0606, 0.7141],
];

const D50: [f64; 3] = [0.9642, 1.0, 0.8249];

fn linear_rgb_to_xyz(rgb: [f64; 3], primaries: &[[f64; 3]; 3]) -> [f64; 3] {
    let mut xyz = [0.0; 3];
    for (channel, primary) in rgb.iter().zip(primaries) {
        for (out, p) in xyz.iter_mut().zip(primary) {
            *out += channel * p;
        }
    }
    xyz
}

fn xyz_to_lab(xyz: [f64; 3]) -> [f64; 3] {
    let f = |t: f64| {
        if t > (6.0f64 / 29.0).powi(3) {
            t.cbrt()
        } else {
            t / (3.0 * (6.0f64 / 29.0).powi(2)) + 4.0 / 29.0
        }
    };
    let [x, y, z] = [0, 1, 2].map(|i| f(xyz[i] / D50[i]));
    [116.0 * y - 16.0, 500.0 * (x - y), 200.0 * (y - z)]
}

/// A printer's CMYK as an ICC v2 output profile: an `mft2` A2B0 (identity input and
/// output tables) from CMYK into CIE Lab, over an 11-point grid per ink. The inks are a
/// simple subtractive model with some unwanted absorption (cyan takes some green, magenta
/// some blue, yellow a little red), as real inks have.
pub fn cmyk_icc() -> Vec<u8> {
    lut_profile(Lut::Sixteen, Device::Cmyk)
}

/// The same printer as an ICC v4 profile: a `mAB ` (lutAtoBType) into Lab.
pub fn cmyk_atob_icc() -> Vec<u8> {
    lut_profile(Lut::AtoB, Device::Cmyk)
}

/// The reflectance of the printer's page under ink `cmyk` (0 no ink, 1 full), as XYZ.
fn printed_xyz(cmyk: &[f64]) -> [f64; 3] {
    let [c, m, y, k] = [cmyk[0], cmyk[1], cmyk[2], cmyk[3]];
    let black = 1.0 - 0.95 * k;
    let rgb = [
        (1.0 - 0.9 * c) * (1.0 - 0.1 * y) * black,
        (1.0 - 0.9 * m) * (1.0 - 0.2 * c) * black,
        (1.0 - 0.9 * y) * (1.0 - 0.25 * m) * black,
    ];
    linear_rgb_to_xyz(rgb.map(|v| v.powf(1.6)), &SRGB_D50_PRIMARIES)
}

/// A LUT profile: an RGB display into XYZ (Adobe RGB's primaries through gamma 2.2 input
/// curves, 2 points per input), or the printer of [`printed_xyz`] (CMYK into Lab, 11
/// points per ink).
fn lut_profile(kind: Lut, device: Device) -> Vec<u8> {
    let cmyk = device == Device::Cmyk;
    let (inputs, points) = if cmyk { (4usize, 11usize) } else { (3, 2) };
    let input_gamma = if cmyk { 1.0 } else { 2.2 };
    let be16 = |v: &mut Vec<u8>, n: u16| v.extend_from_slice(&n.to_be_bytes());
    let s15 = |v: &mut Vec<u8>, x: f64| {
        v.extend_from_slice(&((x * 65536.0).round() as i32).to_be_bytes())
    };
    let curve = |i: usize, steps: usize| (i as f64 / (steps - 1) as f64).powf(input_gamma);

    // The PCS value at each grid point, the first input varying slowest, scaled to 0..1
    // of the table's range: XYZ's 1.0 is 0x8000 at 16 bits and 127.5 at 8; Lab's L* of
    // 100 is 0xFF00 in a v2 table and 0xFFFF in v4, a*/b* of 0 at 0x8000 (v2) or 0x8080.
    let mut grid = Vec::new();
    for n in 0..points.pow(inputs as u32) {
        let device: Vec<f64> = (0..inputs)
            .rev()
            .map(|d| (n / points.pow(d as u32) % points) as f64 / (points - 1) as f64)
            .collect();
        let value = if cmyk {
            let [l, a, b] = xyz_to_lab(printed_xyz(&device));
            let v4 = kind == Lut::AtoB;
            let (l_max, ab_scale) = if v4 {
                (65535.0, 257.0)
            } else {
                (65280.0, 256.0)
            };
            [
                l / 100.0 * l_max / 65535.0,
                (a + 128.0) * ab_scale / 65535.0,
                (b + 128.0) * ab_scale / 65535.0,
            ]
        } else {
            let xyz = linear_rgb_to_xyz([device[0], device[1], device[2]], &ADOBE_PRIMARIES);
            let one = if kind == Lut::Eight {
                0.5
            } else {
                32768.0 / 65535.0
            };
            xyz.map(|v| v * one)
        };
        grid.extend(value);
    }
    let table16 = |out: &mut Vec<u8>| {
        for v in &grid {
            be16(out, (v.clamp(0.0, 1.0) * 65535.0).round() as u16);
        }
    };

    let lut = match kind {
        Lut::Sixteen | Lut::Eight => {
            let eight = kind == Lut::Eight;
            let mut lut = if eight {
                b"mft1\0\0\0\0".to_vec()
            } else {
                b"mft2\0\0\0\0".to_vec()
            };
            lut.extend_from_slice(&[inputs as u8, 3, points as u8, 0]);
            for i in 0..9 {
                s15(&mut lut, if i % 4 == 0 { 1.0 } else { 0.0 });
            }
            if eight {
                for _ in 0..inputs {
                    lut.extend((0..256).map(|i| (curve(i, 256) * 255.0).round() as u8));
                }
                lut.extend(grid.iter().map(|v| (v * 255.0).round() as u8));
                for _ in 0..3 {
                    lut.extend((0..256).map(|i: u32| i as u8));
                }
            } else {
                be16(&mut lut, 256);
                be16(&mut lut, 2);
                for _ in 0..inputs {
                    for i in 0..256 {
                        be16(&mut lut, (curve(i, 256) * 65535.0).round() as u16);
                    }
                }
                table16(&mut lut);
                for _ in 0..3 {
                    be16(&mut lut, 0);
                    be16(&mut lut, 65535);
                }
            }
            lut
        }
        Lut::AtoB => {
            let identity = b"curv\0\0\0\0\0\0\0\0".to_vec();
            let a_curve = if cmyk {
                identity.clone()
            } else {
                let mut gamma = b"curv\0\0\0\0\0\0\0\x01".to_vec();
                gamma.extend_from_slice(&[0x02, 0x33, 0, 0]); // 2.2 as u8Fixed8, padded
                gamma
            };
            let b_curves = identity.repeat(3);
            let a_curves = a_curve.repeat(inputs);
            let mut clut = vec![0u8; 16];
            clut[..inputs].fill(points as u8);
            clut.extend_from_slice(&[2, 0, 0, 0]);
            table16(&mut clut);
            while !clut.len().is_multiple_of(4) {
                clut.push(0);
            }
            let header = 32;
            let b_at = header;
            let clut_at = b_at + b_curves.len();
            let a_at = clut_at + clut.len();
            let mut lut = b"mAB \0\0\0\0".to_vec();
            lut.extend_from_slice(&[inputs as u8, 3, 0, 0]);
            for offset in [b_at, 0, 0, clut_at, a_at] {
                lut.extend_from_slice(&(offset as u32).to_be_bytes());
            }
            lut.extend_from_slice(&b_curves);
            lut.extend_from_slice(&clut);
            lut.extend_from_slice(&a_curves);
            lut
        }
    };

    let mut white = b"XYZ \0\0\0\0".to_vec();
    for x in D50 {
        s15(&mut white, x);
    }
    let mut desc = b"desc\0\0\0\0".to_vec();
    let text = b"LUT test profile\0";
    desc.extend_from_slice(&(text.len() as u32).to_be_bytes());
    desc.extend_from_slice(text);
    desc.extend_from_slice(&[0; 4 + 4 + 2 + 1 + 67]);

    let tags: [(&[u8; 4], Vec<u8>); 3] = [(b"desc", desc), (b"wtpt", white), (b"A2B0", lut)];
    let mut header = vec![0u8; 128];
    let version: u32 = if kind == Lut::AtoB {
        0x0440_0000
    } else {
        0x0210_0000
    };
    header[8..12].copy_from_slice(&version.to_be_bytes());
    let (class, space, connection) = if cmyk {
        (b"prtr", b"CMYK", b"Lab ")
    } else {
        (b"mntr", b"RGB ", b"XYZ ")
    };
    header[12..16].copy_from_slice(class);
    header[16..20].copy_from_slice(space);
    header[20..24].copy_from_slice(connection);
    header[36..40].copy_from_slice(b"acsp");
    let mut d50 = Vec::new();
    for x in D50 {
        s15(&mut d50, x);
    }
    header[68..80].copy_from_slice(&d50);

    let mut table = (tags.len() as u32).to_be_bytes().to_vec();
    let mut data = Vec::new();
    let mut offset = 128 + 4 + 12 * tags.len();
    for (sig, body) in &tags {
        table.extend_from_slice(*sig);
        table.extend_from_slice(&(offset as u32).to_be_bytes());
        table.extend_from_slice(&(body.len() as u32).to_be_bytes());
        data.extend_from_slice(body);
        while !data.len().is_multiple_of(4) {
            data.push(0);
        }
        offset = 128 + 4 + 12 * tags.len() + data.len();
    }
    let mut profile = [header, table, data].concat();
    let size = profile.len() as u32;
    profile[..4].copy_from_slice(&size.to_be_bytes());
    profile
}

/// `pixels` (`channels` bytes each) with an alpha channel added: opaque, but for a
/// transparent 8×8 corner (away from every patch centre), so the picture counts as one
/// with transparency.
pub fn with_alpha(side: u32, pixels: &[u8], channels: usize) -> Vec<u8> {
    pixels
        .chunks_exact(channels)
        .enumerate()
        .flat_map(|(i, px)| {
            let (x, y) = (i as u32 % side, i as u32 / side);
            let alpha = if x < 8 && y < 8 { 0 } else { 255 };
            px.iter().copied().chain([alpha])
        })
        .collect()
}

/// A PNG of `pixels` (RGB, or grey when `grey`) carrying `icc` in an iCCP chunk.
pub fn png_with_icc(side: u32, pixels: &[u8], grey: bool, icc: &[u8]) -> Vec<u8> {
    let colour = if grey {
        image::ExtendedColorType::L8
    } else {
        image::ExtendedColorType::Rgb8
    };
    png_of(side, pixels, colour, icc)
}

/// The same with the transparent corner of [`with_alpha`] (RGBA, or grey and alpha).
pub fn png_with_icc_and_alpha(side: u32, pixels: &[u8], grey: bool, icc: &[u8]) -> Vec<u8> {
    let (colour, channels) = if grey {
        (image::ExtendedColorType::La8, 1)
    } else {
        (image::ExtendedColorType::Rgba8, 3)
    };
    png_of(side, &with_alpha(side, pixels, channels), colour, icc)
}

fn png_of(side: u32, pixels: &[u8], colour: image::ExtendedColorType, icc: &[u8]) -> Vec<u8> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    let mut encoder = image::codecs::png::PngEncoder::new(&mut out);
    encoder.set_icc_profile(icc.to_vec()).expect("iCCP");
    encoder
        .write_image(pixels, side, side, colour)
        .expect("png");
    out
}

/// A lossless WebP (VP8X with an ICCP chunk) of RGB `pixels` carrying `icc`.
pub fn webp_with_icc(side: u32, pixels: &[u8], icc: &[u8]) -> Vec<u8> {
    webp_of(side, pixels, image_webp::ColorType::Rgb8, icc)
}

/// The same with the transparent corner of [`with_alpha`].
pub fn webp_with_icc_and_alpha(side: u32, pixels: &[u8], icc: &[u8]) -> Vec<u8> {
    let rgba = with_alpha(side, pixels, 3);
    webp_of(side, &rgba, image_webp::ColorType::Rgba8, icc)
}

fn webp_of(side: u32, pixels: &[u8], colour: image_webp::ColorType, icc: &[u8]) -> Vec<u8> {
    use img_parts::ImageICC;
    let mut plain = Vec::new();
    image_webp::WebPEncoder::new(&mut plain)
        .encode(pixels, side, side, colour)
        .expect("webp");
    let mut webp =
        img_parts::webp::WebP::from_bytes(bytes::Bytes::from(plain)).expect("parse webp");
    webp.set_icc_profile(Some(bytes::Bytes::from(icc.to_vec())));
    webp.encoder().bytes().to_vec()
}

/// A GIF of RGB `pixels` (at most 256 colours) carrying `icc` in an ICCRGBG1012
/// application extension before the frame.
pub fn gif_with_icc(side: u16, pixels: &[u8], icc: &[u8]) -> Vec<u8> {
    let mut palette: Vec<[u8; 3]> = Vec::new();
    let indexed: Vec<u8> = pixels
        .chunks_exact(3)
        .map(|px| {
            let colour = [px[0], px[1], px[2]];
            let at = palette
                .iter()
                .position(|c| *c == colour)
                .unwrap_or_else(|| {
                    palette.push(colour);
                    palette.len() - 1
                });
            u8::try_from(at).expect("at most 256 colours")
        })
        .collect();
    palette.resize(256, [0, 0, 0]);
    let flat: Vec<u8> = palette.concat();
    let mut out = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut out, side, side, &flat).expect("gif");
        let frame = gif::Frame::from_indexed_pixels(side, side, indexed, None);
        encoder.write_frame(&frame).expect("frame");
    }
    // Header (6), screen descriptor (7), the 256-colour table (768): then the extension.
    let at = 13 + 768;
    out.splice(
        at..at,
        crate::images::gif_application_extension(b"ICCRGBG1012", icc),
    );
    out
}

/// A JPEG (quality 100) of grey `pixels` carrying `icc` in APP2.
pub fn grey_jpeg_with_icc(side: u16, pixels: &[u8], icc: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 100);
    encoder.add_icc_profile(icc).expect("APP2");
    encoder
        .encode(pixels, side, side, jpeg_encoder::ColorType::Luma)
        .expect("jpeg");
    out
}

/// A JPEG (quality 100, no chroma subsampling) of RGB `pixels` carrying `icc` in APP2.
pub fn jpeg_with_icc(side: u16, pixels: &[u8], icc: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 100);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_1_1);
    encoder.add_icc_profile(icc).expect("APP2");
    encoder
        .encode(pixels, side, side, jpeg_encoder::ColorType::Rgb)
        .expect("jpeg");
    out
}

/// A JPEG (quality 100, no subsampling) of CMYK ink values carrying `icc` in APP2, its
/// components stored as CMYK or as YCCK (`ycck`); either way with Adobe's APP14 and the
/// values inverted, as Photoshop writes them and browsers read them.
pub fn cmyk_jpeg_with_icc(side: u16, inks: &[u8], icc: Option<&[u8]>, ycck: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 100);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_1_1);
    if let Some(icc) = icc {
        encoder.add_icc_profile(icc).expect("APP2");
    }
    let colour = if ycck {
        jpeg_encoder::ColorType::CmykAsYcck
    } else {
        jpeg_encoder::ColorType::Cmyk
    };
    encoder.encode(inks, side, side, colour).expect("jpeg");
    out
}

/// The pixels `lcms_to_srgb` is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Rgb,
    Grey,
    /// Ink values, 0 for none.
    Cmyk,
}

/// littleCMS's conversion of `pixels` (`side`×`side`, RGB, grey or CMYK) from `icc` to
/// sRGB, as packed RGB. Runs `scripts/colour-reference`, which installs Pillow on first use.
pub fn lcms_to_srgb(side: u32, pixels: &[u8], mode: Mode, icc: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let (input, profile, output) = (
        dir.path().join("in"),
        dir.path().join("profile.icc"),
        dir.path().join("out"),
    );
    std::fs::write(&input, pixels).expect("write pixels");
    std::fs::write(&profile, icc).expect("write profile");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/colour-reference");
    let status = Command::new(script)
        .args([
            match mode {
                Mode::Rgb => "RGB",
                Mode::Grey => "L",
                Mode::Cmyk => "CMYK",
            },
            &side.to_string(),
            &side.to_string(),
        ])
        .args([&input, &profile, &output])
        .status()
        .expect("scripts/colour-reference runs (python3 is needed)");
    assert!(status.success(), "scripts/colour-reference failed");
    std::fs::read(&output).expect("the reference pixels")
}
