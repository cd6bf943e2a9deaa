//! Helpers shared by the integration tests.
#![allow(dead_code, reason = "each test binary uses a subset of the helpers")]

use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Aborts the process if a test is still running after `secs` seconds: a
/// scheduler bug must fail the run, not hang it. Not armed under Miri, which
/// reports deadlocks itself and runs on a virtual clock.
pub(crate) struct Watchdog(Option<(mpsc::Sender<()>, JoinHandle<()>)>);

impl Watchdog {
    pub(crate) fn arm(what: &'static str, secs: u64) -> Watchdog {
        if cfg!(miri) {
            return Watchdog(None);
        }
        let (tx, rx) = mpsc::channel::<()>();
        let h = thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(Duration::from_secs(secs))
            {
                eprintln!("{what}: still running after {secs} s; aborting");
                std::process::abort();
            }
        });
        Watchdog(Some((tx, h)))
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some((tx, h)) = self.0.take() {
            drop(tx);
            let _ = h.join();
        }
    }
}

/// The message of a panic payload (`panic!` with or without formatting).
pub(crate) fn message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "<a non-string panic payload>".to_owned()
    }
}

/// Runs `f`, which must panic, and returns its panic message.
pub(crate) fn panic_message<R>(f: impl FnOnce() -> R) -> String {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(e) => message(&*e),
    }
}

/// Adds one, forwarding the notify flag.
pub(crate) struct Inc;
impl flowgraph::typed::Segment for Inc {
    type Inputs = flowgraph::typed::Port<i64>;
    type Outputs = flowgraph::typed::Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>((n, x): (bool, i64), _: &'b mut (), _: bool) -> (bool, i64) {
        (n, x + 1)
    }
}

/// Adds two ports; notifies if either input did.
pub(crate) struct Add;
impl flowgraph::typed::Segment for Add {
    type Inputs = (flowgraph::typed::Port<i64>, flowgraph::typed::Port<i64>);
    type Outputs = flowgraph::typed::Port<i64>;
    type State = ();
    fn init(self) {}
    fn compute<'a, 'b: 'a>(
        ((m, a), (n, b)): ((bool, i64), (bool, i64)),
        _: &'b mut (),
        _: bool,
    ) -> (bool, i64) {
        (m || n, a + b)
    }
}
