//! `verify_and_clean` on arbitrary bytes. The first byte picks the promised content type
//! (so one corpus covers all four formats); the rest is the upload. Beyond "no panic, no
//! runaway allocation": an accepted file is accepted again unchanged, and cleaning never
//! adds more than the few bytes of a rebuilt JFIF/EXIF header.
#![no_main]

use avatar_domain::avatar::verify_and_clean;
use avatar_domain::values::ContentType;
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;

/// A rebuilt JFIF (18 bytes) and orientation-only EXIF (28 bytes) can replace nothing.
const MAX_GROWTH: usize = 64;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, upload)) = data.split_first() else {
        return;
    };
    let content_type = ContentType::ALL[usize::from(selector) % ContentType::ALL.len()];
    let Ok(clean) = verify_and_clean(Bytes::copy_from_slice(upload), content_type) else {
        return;
    };
    assert!(clean.bytes.len() <= upload.len() + MAX_GROWTH);
    let again = verify_and_clean(clean.bytes.clone(), content_type)
        .expect("a clean file is accepted again");
    assert_eq!(again.bytes, clean.bytes, "cleaning is idempotent");
});
