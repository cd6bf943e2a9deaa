//! Generated `Segment` impls for plain Rust functions and structs.
