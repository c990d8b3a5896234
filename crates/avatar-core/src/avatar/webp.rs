use bytes::Bytes;
use img_parts::ImageEXIF;
use img_parts::riff::RiffContent;
use img_parts::webp::{CHUNK_VP8X, CHUNK_XMP, WebP};

/// The XMP bit of the VP8X flags byte.
const XMP_FLAG: u8 = 0b0000_0100;

/// Drops the EXIF and XMP chunks. img-parts recomputes only the ICC/EXIF flag bits, and
/// a stale XMP bit makes decoders reject the file, so that bit is cleared here.
pub fn strip(bytes: Bytes) -> Option<Bytes> {
    let mut webp = WebP::from_bytes(bytes).ok()?;
    webp.remove_chunks_by_id(CHUNK_XMP);
    webp.set_exif(None);
    for chunk in webp
        .chunks_mut()
        .iter_mut()
        .filter(|c| c.id() == CHUNK_VP8X)
    {
        let content = chunk.content_mut();
        if let RiffContent::Data(data) = content
            && let Some(&flags) = data.first()
            && flags & XMP_FLAG != 0
        {
            let mut patched = data.to_vec();
            patched[0] = flags & !XMP_FLAG;
            *content = RiffContent::Data(Bytes::from(patched));
        }
    }
    Some(webp.encoder().bytes())
}
