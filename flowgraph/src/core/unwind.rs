//! Containing unwinds: user code may panic, and so may the `Drop` of a
//! panic payload or of a state. None of it may unwind through the pool.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A caught panic, with the node that raised it.
pub(crate) type Caught = (u32, Box<dyn Any + Send>);

/// Drops a panic payload that will not be resumed. Its own `Drop` may panic
/// too, with a payload that is dropped in turn; a chain of payloads that
/// keep panicking is cut short by leaking the last one rather than letting
/// it unwind through the engine.
pub(crate) fn drop_payload(payload: Box<dyn Any + Send>) {
    let mut payload = payload;
    for _ in 0..4 {
        match catch_unwind(AssertUnwindSafe(move || drop(payload))) {
            Ok(()) => return,
            Err(again) => payload = again,
        }
    }
    std::mem::forget(payload);
}

/// Aborts the process when dropped: armed around code that must not unwind
/// (defused with `std::mem::forget` once it returned normally).
pub(crate) struct AbortOnUnwind(pub(crate) &'static str);

impl Drop for AbortOnUnwind {
    fn drop(&mut self) {
        eprintln!("flowgraph: internal error: {} unwound; aborting", self.0);
        std::process::abort();
    }
}
