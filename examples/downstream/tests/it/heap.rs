//! A global allocator that counts the heap one thread holds, for the paging test's bound: the
//! System allocator, plus a per-thread tally of bytes held and their peak while counting is on.
//! Only the thread that turns counting on is counted, so an emulator serving on another thread
//! does not blur the figure.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The System allocator, counting.
pub(crate) struct Counting;

#[global_allocator]
static HEAP: Counting = Counting;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static HELD: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    // `try_with`: an allocation while the thread's locals are torn down is simply not counted.
    if ON.try_with(Cell::get).unwrap_or(false) {
        let held = HELD.try_with(|held| {
            held.set(held.get() + delta);
            held.get()
        });
        if let Ok(held) = held {
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(held)));
        }
    }
}

fn signed(size: usize) -> isize {
    isize::try_from(size).unwrap_or(isize::MAX)
}

// SAFETY: every call goes to `System` unchanged; the tally touches only const-initialised
// thread-locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            track(signed(layout.size()));
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) };
        track(-signed(layout.size()));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            track(signed(new_size) - signed(layout.size()));
        }
        new
    }
}

/// Counts this thread's heap from now on, from zero.
pub(crate) fn start() {
    HELD.with(|held| held.set(0));
    PEAK.with(|peak| peak.set(0));
    ON.with(|on| on.set(true));
}

/// The bytes this thread holds beyond what it held at [`start`].
pub(crate) fn held() -> isize {
    HELD.with(Cell::get)
}

/// Starts a new peak from what is held now.
pub(crate) fn reset_peak() {
    PEAK.with(|peak| peak.set(HELD.with(Cell::get)));
}

/// The most this thread has held since [`start`] or [`reset_peak`].
pub(crate) fn peak() -> isize {
    PEAK.with(Cell::get)
}
