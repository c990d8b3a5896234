use bytes::Bytes;
use img_parts::ImageEXIF;
use img_parts::png::Png;

/// Textual chunks carry comments, software names and often XMP (in iTXt).
const TEXT_CHUNKS: [[u8; 4]; 3] = [*b"tEXt", *b"zTXt", *b"iTXt"];

/// Drops eXIf and text chunks; keeps iCCP and leaves IDAT untouched.
pub fn strip(bytes: Bytes) -> Option<Bytes> {
    let mut png = Png::from_bytes(bytes).ok()?;
    png.set_exif(None);
    for kind in TEXT_CHUNKS {
        png.remove_chunks_by_type(kind);
    }
    Some(png.encoder().bytes())
}
