//! Property tests on untrusted bytes: real fixtures, mutated.
//!
//! Two kinds of mutation. *Structural* ones keep every carrier a carrier: whole blocks
//! (segments, chunks, extensions) removed, repeated, moved in from another fixture, the
//! file cut short or given a tail, and bytes flipped only inside image data (never creating
//! or touching a JPEG marker byte). After those, the clean file must hold none of the
//! carriers' payloads. *Arbitrary* ones flip, set, insert, delete and copy bytes anywhere;
//! a carrier may then really become part of the image data (a GIF sub-block length that
//! swallows a comment), so only the rest is checked. For both: no panic; an accepted file
//! renders like the upload (when the upload decodes at all) and cleaning it again changes
//! nothing.

use std::ops::Range;
use std::sync::OnceLock;

use avatar_domain::avatar::verify_and_clean;
use avatar_domain::values::ContentType;
use bytes::Bytes;
use proptest::prelude::*;
use proptest::sample::Index;
use test_support::carriers::{self, Fixture};
use test_support::images::{self, contains};
use test_support::render::render;

struct Seed {
    fixture: Fixture,
    content_type: ContentType,
    blocks: Vec<Range<usize>>,
    /// Bytes inside image data that can change without changing the file's structure.
    payload: Vec<usize>,
}

fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut fixtures = carriers::all();
        let legacy = [
            ("image/jpeg", images::jpeg_with_metadata(24, 16)),
            ("image/png", images::png_with_metadata(12, 8)),
            ("image/webp", images::webp_with_metadata(12, 8)),
            ("image/gif", images::gif_with_metadata(12, 8)),
        ];
        for (mime, bytes) in legacy {
            fixtures.push(Fixture {
                name: format!("{mime} with metadata"),
                mime,
                bytes,
                secrets: images::SECRETS
                    .iter()
                    .map(|s| s.as_bytes().to_vec())
                    .collect(),
                same_colour: true,
                renders_like: None,
                kept_elsewhere: false,
            });
        }
        fixtures
            .into_iter()
            .map(|fixture| {
                let (blocks, payload) = structure(&fixture.bytes, fixture.mime);
                Seed {
                    content_type: ContentType::try_from(fixture.mime).expect("supported"),
                    fixture,
                    blocks,
                    payload,
                }
            })
            .collect()
    })
}

/// Top-level blocks and image-data bytes of a well-formed fixture. Bytes after the end of
/// the image are no block: moved inside, they would sit where a decoder skips garbage
/// (after a JPEG scan's last code), which cleaning keeps as part of the image data.
fn structure(bytes: &[u8], mime: &str) -> (Vec<Range<usize>>, Vec<usize>) {
    match mime {
        "image/jpeg" => jpeg_structure(bytes),
        "image/png" => png_structure(bytes),
        "image/webp" => webp_structure(bytes),
        _ => gif_structure(bytes),
    }
}

fn be16(b: &[u8], at: usize) -> usize {
    u16::from_be_bytes([b[at], b[at + 1]]) as usize
}

fn jpeg_structure(b: &[u8]) -> (Vec<Range<usize>>, Vec<usize>) {
    let (mut blocks, mut payload) = (Vec::new(), Vec::new());
    blocks.push(0..2);
    let mut i = 2;
    while i + 1 < b.len() && b[i] == 0xFF {
        let marker = b[i + 1];
        if marker == 0xD9 {
            blocks.push(i..i + 2);
            break;
        }
        let mut end = i + 2 + be16(b, i + 2);
        if marker == 0xDA {
            let data = end;
            while b[end] != 0xFF || matches!(b[end + 1], 0x00 | 0xD0..=0xD7 | 0xFF) {
                end += 1;
            }
            payload.extend(
                (data + 1..end.saturating_sub(1)).filter(|&p| b[p] != 0xFF && b[p - 1] != 0xFF),
            );
        }
        blocks.push(i..end);
        i = end;
    }
    (blocks, payload)
}

fn png_structure(b: &[u8]) -> (Vec<Range<usize>>, Vec<usize>) {
    let (mut blocks, mut payload) = (Vec::new(), Vec::new());
    blocks.push(0..8);
    let mut i = 8;
    while i + 12 <= b.len() {
        let len = u32::from_be_bytes(b[i..i + 4].try_into().unwrap()) as usize;
        let end = i + 12 + len;
        if &b[i + 4..i + 8] == b"IDAT" {
            payload.extend(i + 8..i + 8 + len);
        }
        blocks.push(i..end);
        if &b[i + 4..i + 8] == b"IEND" {
            break;
        }
        i = end;
    }
    (blocks, payload)
}

fn webp_structure(b: &[u8]) -> (Vec<Range<usize>>, Vec<usize>) {
    let (mut blocks, mut payload) = (Vec::new(), Vec::new());
    blocks.push(0..12);
    let riff_end = 8 + u32::from_le_bytes(b[4..8].try_into().unwrap()) as usize;
    let mut i = 12;
    while i + 8 <= riff_end {
        let len = u32::from_le_bytes(b[i + 4..i + 8].try_into().unwrap()) as usize;
        let end = (i + 8 + len + (len & 1)).min(riff_end);
        // Lossless data after its five header bytes.
        if &b[i..i + 4] == b"VP8L" {
            payload.extend(i + 8 + 5..i + 8 + len);
        }
        blocks.push(i..end);
        i = end;
    }
    (blocks, payload)
}

fn gif_structure(b: &[u8]) -> (Vec<Range<usize>>, Vec<usize>) {
    let table = |flags: u8| {
        if flags & 0x80 != 0 {
            3 << ((flags & 7) + 1)
        } else {
            0
        }
    };
    let (mut blocks, mut payload) = (Vec::new(), Vec::new());
    let mut i = 13 + table(b[10]);
    blocks.push(0..i);
    let sub_blocks = |mut i: usize, payload: &mut Vec<usize>, image: bool| {
        while b[i] != 0 {
            if image {
                payload.extend(i + 1..i + 1 + b[i] as usize);
            }
            i += 1 + b[i] as usize;
        }
        i + 1
    };
    loop {
        let end = match b[i] {
            0x21 => sub_blocks(i + 2, &mut payload, false),
            0x2C => sub_blocks(i + 10 + table(b[i + 9]) + 1, &mut payload, true),
            _ => {
                blocks.push(i..i + 1);
                break;
            }
        };
        blocks.push(i..end);
        i = end;
    }
    (blocks, payload)
}

/// A block-level change that keeps every carrier a whole block.
#[derive(Debug, Clone)]
enum BlockEdit {
    None,
    Remove(Index),
    Repeat(Index, Index),
    /// A block of another fixture of the same type, inserted before one of this one's.
    Borrow(Index, Index, Index),
    Truncate(Index),
    Tail(Vec<u8>),
}

fn block_edit() -> impl Strategy<Value = BlockEdit> {
    prop_oneof![
        Just(BlockEdit::None),
        any::<Index>().prop_map(BlockEdit::Remove),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| BlockEdit::Repeat(a, b)),
        (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(a, b, c)| BlockEdit::Borrow(a, b, c)),
        any::<Index>().prop_map(BlockEdit::Truncate),
        prop::collection::vec(any::<u8>(), 1..40).prop_map(BlockEdit::Tail),
    ]
}

/// Applies `edit` to `seed` with `flips` (payload index, xor) done first.
fn structural(seed: &Seed, flips: &[(Index, u8)], edit: &BlockEdit) -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut bytes = seed.fixture.bytes.clone();
    let mut secrets = seed.fixture.secrets.clone();
    if !seed.payload.is_empty() {
        for (at, xor) in flips {
            let p = *at.get(&seed.payload);
            let flipped = bytes[p] ^ xor;
            // Never create a JPEG marker prefix.
            if flipped != 0xFF {
                bytes[p] = flipped;
            }
        }
    }
    // The first block (signature, header) stays first.
    let blocks = &seed.blocks[1..];
    if blocks.is_empty() {
        return (bytes, secrets);
    }
    match edit {
        BlockEdit::None => {}
        BlockEdit::Remove(i) => {
            let r = i.get(blocks).clone();
            bytes.drain(r);
        }
        BlockEdit::Repeat(i, at) => {
            let r = i.get(blocks).clone();
            let at = at.get(blocks).start;
            let copy = bytes[r].to_vec();
            bytes.splice(at..at, copy);
        }
        BlockEdit::Borrow(donor, i, at) => {
            let same_type: Vec<&Seed> = seeds()
                .iter()
                .filter(|s| {
                    s.content_type == seed.content_type
                        && s.blocks.len() > 1
                        && !s.fixture.kept_elsewhere
                })
                .collect();
            let donor = donor.get(&same_type);
            if seed.fixture.kept_elsewhere {
                // A block from another file can make this one's carrier a kept block
                // (lossy data after a stray ALPH chunk).
                secrets.clear();
            }
            let r = i.get(&donor.blocks[1..]).clone();
            let at = at.get(blocks).start;
            bytes.splice(at..at, donor.fixture.bytes[r].to_vec());
            secrets.extend(donor.fixture.secrets.iter().cloned());
        }
        BlockEdit::Truncate(at) => {
            let cut = at.index(bytes.len());
            bytes.truncate(cut);
        }
        BlockEdit::Tail(tail) => bytes.extend_from_slice(tail),
    }
    if seed.content_type == ContentType::Webp
        && bytes.len() >= 8
        && !matches!(edit, BlockEdit::Tail(_))
    {
        // Keep the RIFF size true, so the edit lands inside the container.
        let size = (bytes.len() - 8) as u32;
        bytes[4..8].copy_from_slice(&size.to_le_bytes());
    }
    (bytes, secrets)
}

#[derive(Debug, Clone)]
enum ByteEdit {
    Flip(Index, u8),
    Set(Index, u8),
    Insert(Index, Vec<u8>),
    Delete(Index, u8),
    Copy(Index, Index, u8),
    Truncate(Index),
}

fn byte_edit() -> impl Strategy<Value = ByteEdit> {
    prop_oneof![
        (any::<Index>(), 0..8u8).prop_map(|(i, bit)| ByteEdit::Flip(i, 1 << bit)),
        (
            any::<Index>(),
            prop_oneof![Just(0u8), Just(0xFF), any::<u8>()]
        )
            .prop_map(|(i, v)| ByteEdit::Set(i, v)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, b)| ByteEdit::Insert(i, b)),
        (any::<Index>(), 1..32u8).prop_map(|(i, n)| ByteEdit::Delete(i, n)),
        (any::<Index>(), any::<Index>(), 1..64u8).prop_map(|(a, b, n)| ByteEdit::Copy(a, b, n)),
        any::<Index>().prop_map(ByteEdit::Truncate),
    ]
}

fn arbitrary(seed: &Seed, edits: &[ByteEdit]) -> Vec<u8> {
    let mut b = seed.fixture.bytes.clone();
    for edit in edits {
        if b.is_empty() {
            break;
        }
        match edit {
            ByteEdit::Flip(i, mask) => {
                let i = i.index(b.len());
                b[i] ^= mask;
            }
            ByteEdit::Set(i, v) => {
                let i = i.index(b.len());
                b[i] = *v;
            }
            ByteEdit::Insert(i, bytes) => {
                let i = i.index(b.len() + 1);
                b.splice(i..i, bytes.iter().copied());
            }
            ByteEdit::Delete(i, n) => {
                let i = i.index(b.len());
                let end = (i + usize::from(*n)).min(b.len());
                b.drain(i..end);
            }
            ByteEdit::Copy(from, to, n) => {
                let from = from.index(b.len());
                let end = (from + usize::from(*n)).min(b.len());
                let copy = b[from..end].to_vec();
                let to = to.index(b.len() + 1);
                b.splice(to..to, copy);
            }
            ByteEdit::Truncate(i) => {
                let i = i.index(b.len());
                b.truncate(i);
            }
        }
    }
    b
}

/// What must hold for any input: no panic (a panic fails the case), and an accepted file
/// renders like the upload and is left alone by a second cleaning.
fn check_accepted(seed: &Seed, input: &[u8]) -> Result<Option<Bytes>, TestCaseError> {
    let Ok(clean) = verify_and_clean(Bytes::copy_from_slice(input), seed.content_type) else {
        return Ok(None);
    };
    let again = verify_and_clean(clean.bytes.clone(), seed.content_type);
    prop_assert!(
        again.is_ok(),
        "the clean file is refused: {:?}",
        again.err()
    );
    if let Ok(again) = again {
        prop_assert!(
            again.bytes == clean.bytes,
            "cleaning a clean file changes it"
        );
    }
    if let Ok(before) = render(input, seed.fixture.mime) {
        let after = render(&clean.bytes, seed.fixture.mime);
        prop_assert!(
            after.is_ok(),
            "the upload decodes, the clean file does not: {:?}",
            after.err()
        );
        if let Ok(after) = after {
            prop_assert_eq!(
                (after.width, after.height, &after.animation),
                (before.width, before.height, &before.animation)
            );
            if before.ended_in_error {
                // The decoder gave up on the upload part-way (some WebP animations the
                // reference decoder cannot finish): the frames it did read must agree.
                prop_assert!(after.frames.len() >= before.frames.len());
                prop_assert_eq!(&after.frames[..before.frames.len()], &before.frames[..]);
            } else {
                prop_assert_eq!(&after.frames, &before.frames);
                prop_assert!(!after.ended_in_error);
            }
        }
    }
    Ok(Some(clean.bytes))
}

proptest! {
    // A few hundred cases run in well under a second; PROPTEST_CASES=100000 for more.
    // Failures print their minimal input; nothing is written into the source tree.
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn structural_mutations_never_leak_a_carrier(
        seed in any::<Index>(),
        flips in prop::collection::vec((any::<Index>(), 1..=255u8), 0..4),
        edit in block_edit(),
    ) {
        let seed = seed.get(seeds());
        let (input, secrets) = structural(seed, &flips, &edit);
        if let Some(clean) = check_accepted(seed, &input)? {
            // Four-byte type names (tIME, ICCP) name carriers in one fixture but may be a
            // kept block's type in another; the payloads are distinctive.
            for secret in secrets.iter().filter(|s| s.len() > 4) {
                prop_assert!(
                    !contains(&clean, secret),
                    "{}: {:?} survived {:?}",
                    seed.fixture.name,
                    String::from_utf8_lossy(secret),
                    edit
                );
            }
        }
    }

    #[test]
    fn arbitrary_mutations_never_panic_and_never_change_the_picture(
        seed in any::<Index>(),
        edits in prop::collection::vec(byte_edit(), 1..5),
    ) {
        let seed = seed.get(seeds());
        let input = arbitrary(seed, &edits);
        check_accepted(seed, &input)?;
    }
}

#[test]
fn every_seed_is_accepted_as_it_is() {
    for seed in seeds() {
        let clean = verify_and_clean(Bytes::from(seed.fixture.bytes.clone()), seed.content_type);
        assert!(clean.is_ok(), "{}: {:?}", seed.fixture.name, clean.err());
        assert!(seed.blocks.len() > 2, "{}: blocks found", seed.fixture.name);
    }
}

/// Writes every seed, prefixed with its content-type byte, as the fuzz target's seed
/// corpus (see fuzz/README.md). Run on demand: `-- --ignored write_fuzz_seeds`.
#[test]
#[ignore = "writes files into fuzz/corpus"]
fn write_fuzz_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/clean");
    std::fs::create_dir_all(&dir).expect("corpus directory");
    for seed in seeds() {
        let selector = ContentType::ALL
            .iter()
            .position(|&t| t == seed.content_type)
            .expect("a known type") as u8;
        let mut bytes = vec![selector];
        bytes.extend_from_slice(&seed.fixture.bytes);
        let name: String = seed
            .fixture
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        std::fs::write(dir.join(name), bytes).expect("seed written");
    }
}
