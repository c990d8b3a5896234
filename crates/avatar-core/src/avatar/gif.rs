use bytes::Bytes;

const EXTENSION: u8 = 0x21;
const IMAGE: u8 = 0x2C;
const TRAILER: u8 = 0x3B;
const COMMENT: u8 = 0xFE;
const APPLICATION: u8 = 0xFF;

/// Application extensions that only control animation; every other one (XMP among them)
/// is dropped, as are comment extensions and anything after the trailer.
const KEPT_APPLICATIONS: [&[u8; 11]; 2] = [b"NETSCAPE2.0", b"ANIMEXTS1.0"];

/// img-parts has no GIF support; the block structure is simple enough to walk here.
pub fn strip(bytes: Bytes) -> Option<Bytes> {
    let data = &bytes[..];
    let mut out = Vec::with_capacity(data.len());
    // Header (6) + logical screen descriptor (7) + optional global colour table.
    let flags = *data.get(10)?;
    let mut i = 13 + colour_table_len(flags);
    out.extend_from_slice(data.get(..i)?);
    loop {
        match *data.get(i)? {
            TRAILER => {
                out.push(TRAILER);
                return Some(Bytes::from(out));
            }
            EXTENSION => {
                let label = *data.get(i + 1)?;
                let end = skip_sub_blocks(data, i + 2)?;
                let keep = match label {
                    COMMENT => false,
                    APPLICATION => {
                        // First sub-block: 11 bytes of identifier + authentication code.
                        let id = data.get(i + 3..i + 14)?;
                        *data.get(i + 2)? == 11 && KEPT_APPLICATIONS.iter().any(|k| &k[..] == id)
                    }
                    _ => true,
                };
                if keep {
                    out.extend_from_slice(&data[i..end]);
                }
                i = end;
            }
            IMAGE => {
                // Each frame declares its own size; the screen size alone bounds nothing.
                let side = |at: usize| {
                    Some(u16::from_le_bytes([*data.get(at)?, *data.get(at + 1)?]) as usize)
                };
                if side(i + 5)? > super::MAX_SIDE_PX || side(i + 7)? > super::MAX_SIDE_PX {
                    return None;
                }
                let flags = *data.get(i + 9)?;
                // Descriptor (10) + local colour table + LZW minimum code size (1).
                let start = i + 10 + colour_table_len(flags) + 1;
                let end = skip_sub_blocks(data, start)?;
                out.extend_from_slice(data.get(i..end)?);
                i = end;
            }
            _ => return None,
        }
    }
}

fn colour_table_len(flags: u8) -> usize {
    if flags & 0x80 != 0 {
        3 * (1 << ((flags & 0x07) + 1))
    } else {
        0
    }
}

/// Index just past a run of data sub-blocks and its zero terminator.
fn skip_sub_blocks(data: &[u8], mut i: usize) -> Option<usize> {
    loop {
        let len = *data.get(i)? as usize;
        i += 1;
        if len == 0 {
            return Some(i);
        }
        i += len;
    }
}
