//! A PNG whose iCCP is a zlib bomb (64 MiB from about 64 KiB) is accepted, published
//! without the chunk, and cleaned within a few MiB: the allocator of this test binary
//! counts what each thread holds, so the peak during cleaning is measured, not guessed.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use avatar_domain::avatar::verify_and_clean;
use avatar_domain::values::ContentType;
use bytes::Bytes;
use test_support::carriers::{BOMB_LEN, png_with_bomb};
use test_support::images::contains;

/// Counts the bytes the current thread holds, and their peak.
struct Counting;

thread_local! {
    static HELD: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn note_alloc(size: usize) {
    // `try_with`: the thread's counters may already be gone while it shuts down.
    let _ = HELD.try_with(|held| {
        let now = held.get() + size;
        held.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

fn note_free(size: usize) {
    let _ = HELD.try_with(|held| held.set(held.get().saturating_sub(size)));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note_free(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_free(layout.size());
        note_alloc(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak bytes held by this thread while `f` runs, above what it held before.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = HELD.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    (out, PEAK.with(Cell::get) - base)
}

#[test]
fn a_zlib_bomb_icc_profile_is_dropped_within_the_memory_bound() {
    let upload = Bytes::from(png_with_bomb());
    assert!(
        upload.len() < BOMB_LEN / 256,
        "the bomb is small: {} bytes",
        upload.len()
    );
    let (clean, peak) = peak_during(|| verify_and_clean(upload.clone(), ContentType::Png));
    let clean = clean.expect("the picture is accepted");
    assert!(!contains(&clean.bytes, b"iCCP"), "the profile is dropped");
    image::load_from_memory_with_format(&clean.bytes, image::ImageFormat::Png)
        .expect("the clean file decodes");
    // The inflate buffer stops at 1 MiB + 1 byte; the inflater's state and the clean copy
    // of a ~64 KiB file come on top. 64 MiB would be the bomb inflated.
    let bound = 2 * 1024 * 1024;
    println!(
        "cleaning a {} byte PNG with a 64 MiB bomb held {peak} bytes at its peak",
        upload.len()
    );
    assert!(
        peak < bound,
        "cleaning held {peak} bytes at its peak (bound {bound})"
    );
}

#[test]
fn the_counter_sees_a_large_allocation() {
    // Without this, a counter that sees nothing would pass the test above.
    let (_, peak) = peak_during(|| std::hint::black_box(vec![1u8; 8 * 1024 * 1024]).len());
    assert!(peak >= 8 * 1024 * 1024, "{peak}");
}
