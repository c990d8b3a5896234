//! The clean file, assembled from ranges of the upload kept byte for byte and the few small
//! blocks rebuilt here. A file that loses nothing becomes a slice of the upload, no copy.

use std::ops::Range;

use bytes::Bytes;

enum Piece {
    Kept(Range<usize>),
    Built(Vec<u8>),
}

pub struct Pieces<'a> {
    source: &'a Bytes,
    pieces: Vec<Piece>,
    len: usize,
}

impl<'a> Pieces<'a> {
    pub fn new(source: &'a Bytes) -> Self {
        Self {
            source,
            pieces: Vec::new(),
            len: 0,
        }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Keeps `range` of the upload as it is; ranges that touch are merged.
    pub fn keep(&mut self, range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        self.len += range.len();
        if let Some(Piece::Kept(last)) = self.pieces.last_mut()
            && last.end == range.start
        {
            last.end = range.end;
            return;
        }
        self.pieces.push(Piece::Kept(range));
    }

    pub fn push(&mut self, bytes: Vec<u8>) {
        self.len += bytes.len();
        self.pieces.push(Piece::Built(bytes));
    }

    /// A rebuilt block that is often identical to the original: keeping the original range
    /// then lets a file that needed no change pass through without a copy.
    pub fn push_or_keep(&mut self, rebuilt: Vec<u8>, original: Range<usize>) {
        if self.source.get(original.clone()) == Some(rebuilt.as_slice()) {
            self.keep(original);
        } else {
            self.push(rebuilt);
        }
    }

    pub fn append(&mut self, other: Pieces<'_>) {
        for piece in other.pieces {
            match piece {
                Piece::Kept(range) => self.keep(range),
                Piece::Built(bytes) => self.push(bytes),
            }
        }
    }

    pub fn finish(self) -> Bytes {
        if let [Piece::Kept(range)] = self.pieces.as_slice() {
            return self.source.slice(range.clone());
        }
        let mut out = Vec::with_capacity(self.len);
        for piece in &self.pieces {
            match piece {
                // Ranges come from bounds-checked walks; `get` keeps a slip from panicking.
                Piece::Kept(range) => {
                    out.extend_from_slice(self.source.get(range.clone()).unwrap_or_default())
                }
                Piece::Built(bytes) => out.extend_from_slice(bytes),
            }
        }
        Bytes::from(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_kept_range_is_a_slice_of_the_upload() {
        let source = Bytes::from_static(b"0123456789");
        let mut pieces = Pieces::new(&source);
        pieces.keep(0..4);
        pieces.push_or_keep(b"45".to_vec(), 4..6);
        let out = pieces.finish();
        assert_eq!(out.as_ref(), b"012345");
        assert_eq!(out.as_ptr(), source.as_ptr(), "no copy");
    }

    #[test]
    fn rebuilt_blocks_are_written_between_ranges() {
        let source = Bytes::from_static(b"0123456789");
        let mut pieces = Pieces::new(&source);
        pieces.keep(0..2);
        pieces.push_or_keep(b"xy".to_vec(), 2..4);
        pieces.keep(8..10);
        assert_eq!(pieces.len(), 6);
        assert_eq!(pieces.finish().as_ref(), b"01xy89");
    }
}
