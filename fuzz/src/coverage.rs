//! Edge coverage on the stable toolchain, through LLVM's `SanitizerCoverage`.
//!
//! `cargo xtask fuzz` builds the fuzzer with
//! `-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=3
//! -Cllvm-args=-sanitizer-coverage-trace-pc-guard` (see [`RUSTFLAGS`]), which makes LLVM put a
//! call to `__sanitizer_cov_trace_pc_guard(&guard)` on every edge of every crate built from
//! source (rockit-model, serde, `serde_json`, the targets, and the fuzzer's own code; the
//! precompiled standard library is not instrumented). This module defines that hook and its
//! initialiser, as libFuzzer's runtime would:
//!
//! - at start-up every guard is set to 1, meaning "not reached";
//! - while [`record`] runs a closure (the fuzzer wraps each target run in it, and nothing else),
//!   the first call through a guard sets it to 0 and counts one edge reached. The generator, the
//!   mutator and the engine run outside [`record`], so their edges never count;
//! - [`reset`] sets every guard back to 1, so each target and each kind of input is measured on
//!   its own.
//!
//! In a plain build nothing calls these functions: [`instrumented_edges`] is `None` and the
//! fuzzer says coverage was not measured.

// The hooks take raw pointers from LLVM's instrumentation; this module is the only unsafe code
// in the workspace, and only the instrumented fuzzer calls it.
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// The `RUSTFLAGS` of an instrumented build, from the file `cargo xtask fuzz` builds with too.
pub const RUSTFLAGS: &str = include_str!("../coverage-rustflags");

/// The guard arrays the instrumentation registered, as address ranges.
static RANGES: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());
/// How many guards (edges) the binary has.
static TOTAL: AtomicUsize = AtomicUsize::new(0);
/// Whether a target is running.
static RECORDING: AtomicBool = AtomicBool::new(false);
/// Edges reached since the last [`reset`].
static REACHED: AtomicUsize = AtomicUsize::new(0);

/// Called by each instrumented module's constructor with the binary's guard array (the same
/// array, once per module, on ELF). Named `__sanitizer_*`, so LLVM does not instrument it.
///
/// # Safety
///
/// `start..stop` must be a writable array of `u32`, as the instrumentation passes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __sanitizer_cov_trace_pc_guard_init(start: *mut u32, stop: *mut u32) {
    let range = (start as usize, stop as usize);
    let mut ranges = RANGES.lock().unwrap_or_else(PoisonError::into_inner);
    if start >= stop || ranges.contains(&range) {
        return;
    }
    ranges.push(range);
    let count = (range.1 - range.0) / size_of::<u32>();
    for index in 0..count {
        // SAFETY: `index` is inside the array the instrumentation passed.
        unsafe { start.add(index).write(1) };
    }
    TOTAL.fetch_add(count, Ordering::Relaxed);
}

/// Called on every instrumented edge. It calls nothing that is instrumented (atomics inline in a
/// release build), or it would recurse.
///
/// # Safety
///
/// `guard` must point into an array registered with [`__sanitizer_cov_trace_pc_guard_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __sanitizer_cov_trace_pc_guard(guard: *mut u32) {
    if RECORDING.load(Ordering::Relaxed) {
        // SAFETY: the instrumentation passes a guard of its array; only the recording thread
        // writes guards (one target runs at a time).
        unsafe {
            if *guard != 0 {
                *guard = 0;
                REACHED.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The number of edges instrumented in this binary, or `None` in a plain build.
pub fn instrumented_edges() -> Option<usize> {
    Some(TOTAL.load(Ordering::Relaxed)).filter(|&total| total > 0)
}

/// Marks every edge "not reached" again.
pub fn reset() {
    let ranges = RANGES.lock().unwrap_or_else(PoisonError::into_inner);
    for &(start, stop) in ranges.iter() {
        let start = start as *mut u32;
        for index in 0..(stop - start as usize) / size_of::<u32>() {
            // SAFETY: a range registered by the instrumentation; no target is running.
            unsafe { start.add(index).write(1) };
        }
    }
    REACHED.store(0, Ordering::Relaxed);
}

/// Edges reached inside [`record`] since the last [`reset`]; always 0 in a plain build.
pub fn reached() -> usize {
    REACHED.load(Ordering::Relaxed)
}

/// Runs `f` with edge recording on. Not reentrant; one thread at a time.
pub fn record<R>(f: impl FnOnce() -> R) -> R {
    RECORDING.store(true, Ordering::Relaxed);
    let result = f();
    RECORDING.store(false, Ordering::Relaxed);
    result
}
