//! Bytes no decoder reads, placed inside image data that cleaning must keep (after a PNG's
//! zlib stream, after a JPEG's last scan, in an extra GIF sub-block, after a WebP
//! bitstream): the cleaned original still carries them, which is why it is never served,
//! and no rendered variant does. The edge's side is in local-stack's dev_stack test.

use avatar_domain::avatar::verify_and_clean;
use avatar_domain::render::render_variants;
use avatar_domain::values::{ContentType, VARIANT_SIZES};
use bytes::Bytes;
use test_support::images::{contains, decode};
use test_support::unread_bytes::{UNREAD, picture};

#[test]
fn every_format_keeps_unread_bytes_in_the_original_and_none_in_a_variant() {
    for format in [
        ContentType::Png,
        ContentType::Jpeg,
        ContentType::Gif,
        ContentType::Webp,
    ] {
        let upload = picture(format, 96, 64);
        assert!(
            contains(&upload, UNREAD),
            "{format:?}: the fixture carries them"
        );
        assert_eq!(
            decode(&upload, format.mime()),
            (96, 64),
            "{format:?}: decodes"
        );
        let clean = verify_and_clean(Bytes::from(upload), format)
            .unwrap_or_else(|e| panic!("{format:?}: accepted: {e}"));
        // Inside kept image data: no allow-list can drop them without re-encoding.
        assert!(
            contains(&clean.bytes, UNREAD),
            "{format:?}: the cleaned original still carries them"
        );
        let variants = render_variants(&clean.bytes, format, None)
            .unwrap_or_else(|e| panic!("{format:?}: rendered: {e}"));
        let sizes: Vec<u32> = variants.images.iter().map(|v| v.size).collect();
        assert_eq!(sizes, VARIANT_SIZES, "{format:?}");
        for variant in &variants.images {
            assert!(
                !contains(&variant.bytes, UNREAD),
                "{format:?}: the {} px variant is made of pixels alone",
                variant.size
            );
            assert_eq!(
                decode(&variant.bytes, variants.format.mime()),
                (variant.size, variant.size),
                "{format:?}"
            );
        }
    }
}
