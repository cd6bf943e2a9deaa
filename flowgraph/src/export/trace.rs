//! The execution timeline: a bounded ring of node executions, written as
//! Chrome trace-event JSON (read by Perfetto and `chrome://tracing`).
//!
//! Each thread that runs a node gets a *lane* (a trace `tid`), numbered in
//! the order threads first ran a node, and named after the thread (a pool
//! worker is `flowgraph-N`). Lane 0 holds one slice per generation.

use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU32, Ordering};

/// One node execution.
#[derive(Clone, Copy, Debug)]
struct NodeEvent {
    node: u32,
    lane: u32,
    generation: u64,
    /// Nanoseconds since the profiler's epoch.
    start: u64,
    dur: u64,
}

/// One generation, as `stabilize` saw it.
#[derive(Clone, Copy, Debug)]
struct GenEvent {
    generation: u64,
    start: u64,
    dur: u64,
    parallel: bool,
    nodes: usize,
}

static NEXT_LANE: AtomicU32 = AtomicU32::new(1);

thread_local! {
    static LANE: Cell<u32> = const { Cell::new(0) };
}

/// This thread's lane, assigned on first use.
fn lane() -> u32 {
    LANE.with(|l| match l.get() {
        0 => {
            let id = NEXT_LANE.fetch_add(1, Ordering::Relaxed);
            l.set(id);
            id
        }
        id => id,
    })
}

/// The most recent events, at most `cap` node executions (and as many
/// generations).
pub(crate) struct Ring {
    cap: usize,
    nodes: VecDeque<NodeEvent>,
    generations: VecDeque<GenEvent>,
    dropped: u64,
    /// `(lane, thread name)` of every lane seen.
    lanes: Vec<(u32, String)>,
}

impl Ring {
    pub(crate) fn new(cap: usize) -> Ring {
        Ring {
            cap,
            nodes: VecDeque::with_capacity(cap.min(1 << 16)),
            generations: VecDeque::new(),
            dropped: 0,
            lanes: Vec::new(),
        }
    }

    pub(crate) fn push_node(&mut self, node: u32, generation: u64, start: u64, dur: u64) {
        if self.cap == 0 {
            self.dropped += 1;
            return;
        }
        let lane = lane();
        if !self.lanes.iter().any(|&(l, _)| l == lane) {
            let name = std::thread::current()
                .name()
                .map_or_else(|| format!("thread {lane}"), str::to_string);
            self.lanes.push((lane, name));
        }
        if self.nodes.len() == self.cap {
            self.nodes.pop_front();
            self.dropped += 1;
        }
        self.nodes.push_back(NodeEvent {
            node,
            lane,
            generation,
            start,
            dur,
        });
    }

    pub(crate) fn push_generation(
        &mut self,
        generation: u64,
        start: u64,
        dur: u64,
        parallel: bool,
        nodes: usize,
    ) {
        if self.generations.len() == self.cap.max(1) {
            self.generations.pop_front();
        }
        self.generations.push_back(GenEvent {
            generation,
            start,
            dur,
            parallel,
            nodes,
        });
    }

    /// Node executions held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The timeline as Chrome trace-event JSON; `label(node)` names slices.
    pub(crate) fn to_json(&self, label: &dyn Fn(u32) -> String) -> String {
        let mut out =
            String::with_capacity(128 + 160 * (self.nodes.len() + self.generations.len()));
        out.push_str("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"flowgraph\",\"dropped_events\":");
        let _ = write!(out, "{}", self.dropped);
        out.push_str("},\"traceEvents\":[\n");
        let mut first = true;
        let mut sep = |out: &mut String| {
            if !first {
                out.push_str(",\n");
            }
            first = false;
        };
        sep(&mut out);
        out.push_str("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"flowgraph\"}}");
        sep(&mut out);
        out.push_str("{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"generations\"}}");
        for (lane, name) in &self.lanes {
            sep(&mut out);
            let _ = write!(
                out,
                "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":{lane},\"args\":{{\"name\":{}}}}}",
                json_string(name)
            );
        }
        for g in &self.generations {
            sep(&mut out);
            let _ = write!(
                out,
                "{{\"name\":\"generation {}\",\"cat\":\"generation\",\"ph\":\"X\",\"ts\":{},\"dur\":{},\"pid\":1,\"tid\":0,\"args\":{{\"generation\":{},\"parallel\":{},\"nodes\":{}}}}}",
                g.generation,
                Micros(g.start),
                Micros(g.dur),
                g.generation,
                g.parallel,
                g.nodes
            );
        }
        for e in &self.nodes {
            sep(&mut out);
            let _ = write!(
                out,
                "{{\"name\":{},\"cat\":\"node\",\"ph\":\"X\",\"ts\":{},\"dur\":{},\"pid\":1,\"tid\":{},\"args\":{{\"node\":{},\"generation\":{}}}}}",
                json_string(&label(e.node)),
                Micros(e.start),
                Micros(e.dur),
                e.lane,
                e.node,
                e.generation
            );
        }
        out.push_str("\n]}\n");
        out
    }
}

/// Nanoseconds written as microseconds with three decimals (trace `ts`).
struct Micros(u64);

impl std::fmt::Display for Micros {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:03}", self.0 / 1000, self.0 % 1000)
    }
}

/// `s` as a JSON string literal.
pub(crate) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_keeps_the_latest_events() {
        let mut r = Ring::new(2);
        for i in 0..5 {
            r.push_node(i, 1, u64::from(i) * 10, 5);
        }
        assert_eq!(r.len(), 2);
        assert_eq!(r.dropped, 3);
        let json = r.to_json(&|n| format!("#{n}"));
        assert!(json.contains("\"#3\"") && json.contains("\"#4\"") && !json.contains("\"#2\""));
        assert!(json.contains("\"dropped_events\":3"));
    }

    #[test]
    fn strings_and_times() {
        assert_eq!(json_string("a\"b\\c\u{1}"), "\"a\\\"b\\\\c\\u0001\"");
        assert_eq!(Micros(1_234_567).to_string(), "1234.567");
        assert_eq!(Micros(5).to_string(), "0.005");
    }
}
