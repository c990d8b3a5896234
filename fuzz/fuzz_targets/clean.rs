//! `verify_and_clean` on arbitrary bytes. The first byte picks the promised content type
//! (so one corpus covers all four formats); the rest is the upload. Beyond "no panic, no
//! runaway allocation": an accepted file is accepted again unchanged, and cleaning never
//! adds more than the few bytes of a rebuilt JFIF/EXIF header and what a PNG's ICC profile,
//! deflated afresh, may take over the upload's own (tighter) encoding of it.
#![no_main]

use avatar_domain::avatar::verify_and_clean;
use avatar_domain::values::ContentType;
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;

/// A rebuilt JFIF (18 bytes) and orientation-only EXIF (28 bytes) can replace nothing.
const MAX_GROWTH: usize = 64;
/// A profile deflated at the default level against the best an encoder can do (zopfli
/// saves a few per cent more; a stream of long runs is about 1 KiB per MiB either way).
fn profile_growth(upload_len: usize) -> usize {
    upload_len / 8 + 1024
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, upload)) = data.split_first() else {
        return;
    };
    let content_type = ContentType::ALL[usize::from(selector) % ContentType::ALL.len()];
    let Ok(clean) = verify_and_clean(Bytes::copy_from_slice(upload), content_type) else {
        return;
    };
    assert!(clean.bytes.len() <= upload.len() + MAX_GROWTH + profile_growth(upload.len()));
    let again = verify_and_clean(clean.bytes.clone(), content_type)
        .expect("a clean file is accepted again");
    assert_eq!(again.bytes, clean.bytes, "cleaning is idempotent");
});
