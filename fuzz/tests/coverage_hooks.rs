//! The `SanitizerCoverage` hooks count what the instrumentation reports, called here by hand on a
//! guard array of our own as LLVM's instrumentation would call them (in a test binary of its
//! own, since registering guards makes the process count as instrumented). xtask builds the fuzzer
//! with the flags they are written for: both include `fuzz/coverage-rustflags`.

#![allow(unsafe_code)]

use rockit_fuzz::coverage::{
    __sanitizer_cov_trace_pc_guard, __sanitizer_cov_trace_pc_guard_init, instrumented_edges, reached, record,
    reset,
};

#[test]
fn hooks_count_each_edge_once_and_only_while_recording() {
    let guards: &'static mut [u32] = Box::leak(vec![0_u32; 8].into_boxed_slice());
    let range = guards.as_mut_ptr_range();
    let edge = |index: usize| range.start.wrapping_add(index);
    // SAFETY: `range` is a live, writable array of `u32` for the rest of the process, and no
    // other test of this binary touches the coverage state.
    unsafe {
        __sanitizer_cov_trace_pc_guard_init(range.start, range.end);
        // Every module's constructor passes the same array again: counted once.
        __sanitizer_cov_trace_pc_guard_init(range.start, range.end);
    }
    assert_eq!(instrumented_edges(), Some(8));

    // Outside `record` (the generator, the mutator) nothing counts.
    unsafe { __sanitizer_cov_trace_pc_guard(edge(1)) };
    assert_eq!(reached(), 0);

    record(|| unsafe {
        __sanitizer_cov_trace_pc_guard(edge(2));
        __sanitizer_cov_trace_pc_guard(edge(2));
        __sanitizer_cov_trace_pc_guard(edge(7));
    });
    assert_eq!(reached(), 2, "two distinct edges, one of them twice");
    record(|| unsafe { __sanitizer_cov_trace_pc_guard(edge(7)) });
    assert_eq!(reached(), 2, "an edge reached before is not new");

    reset();
    assert_eq!(reached(), 0);
    record(|| unsafe { __sanitizer_cov_trace_pc_guard(edge(7)) });
    assert_eq!(reached(), 1, "after a reset every edge is new again");
    assert_eq!(instrumented_edges(), Some(8));
}
