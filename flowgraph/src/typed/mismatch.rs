//! Wiring mistakes, reported in the words the user wrote.
//!
//! `Port<T>`, `RefPort<T>` and `RefPorts<T>` are aliases of the general
//! leaves over `Scalar<T>`, and rustc prints types expanded. So the wrong
//! combinations of the scalar spellings get impls of [`Connect`](super::Connect)
//! of their own, whose only bound is one of the never-implemented traits
//! below: the failed bound is what rustc reports, and its message names the
//! element types (`T`, `U`) in the user's spelling. The same-kind case
//! (`Port<i32>` into `Port<i64>`) goes through [`SameView`], which names the
//! two value types. The general spellings (`ViewPort<V>` …) that match none
//! of these fall back to `Connect`'s own message.
//!
//! None of these traits can be implemented outside the crate (each has a
//! supertrait no one else can name), so the impls the mistakes guard can
//! never be selected, and `SameView` holds only between equal views. (The
//! engine checks every wire's payload type anyway when it freezes a graph.)

pub(crate) mod never {
    /// Implemented by nothing: seals the mistake traits of this module.
    pub trait Never<T, U> {}

    /// Implemented only by a type for itself: seals [`SameView`](super::SameView).
    pub trait Same<V> {}
    impl<V> Same<V> for V {}
}

/// The value types of a handle and of the input it feeds agree.
///
/// `A` and `B` are the view types (`T` for `Scalar<T>`), named for messages.
#[diagnostic::on_unimplemented(
    message = "this handle carries `{A}`, but the segment input takes `{B}`",
    label = "this output carries `{A}`; the input takes `{B}`",
    note = "a port carries one exact type: a `Port<{A}>` output feeds only a `Port<{A}>` input (and likewise for `RefPort`, `RefPorts`, `Ports`)",
    note = "convert the value with a segment in between, or change the segment's input type"
)]
pub trait SameView<V, A, B>: never::Same<V> {}
impl<V, A, B> SameView<V, A, B> for V {}

macro_rules! mistake {
    ($(#[$doc:meta])* $name:ident, $message:literal, $label:literal, $($note:literal),+) => {
        $(#[$doc])*
        #[diagnostic::on_unimplemented(message = $message, label = $label, $(note = $note),+)]
        pub trait $name<T, U>: never::Never<T, U> {}
    };
}

mistake!(
    /// A `RefPort<U>` handle fed to a `Port<T>` input.
    RefPortIntoPort,
    "a `RefPort<{U}>` output cannot feed a `Port<{T}>` input",
    "this handle is a `RefPort<{U}>`; the segment takes a `Port<{T}>` here",
    "a `Port<T>` input receives a copy of a `Port<T>` output (a `Source`, or a segment whose output is `Port<T>`)",
    "to read the value by reference, declare the input as `RefPort<{T}>`"
);
mistake!(
    /// A `Port<U>` handle fed to a `RefPort<T>` input.
    PortIntoRefPort,
    "a `Port<{U}>` output cannot feed a `RefPort<{T}>` input",
    "this handle is a `Port<{U}>`; the segment takes a `RefPort<{T}>` here",
    "a `RefPort<T>` input borrows a `RefPort<T>` output: feed it from a `RefSource`, or from a segment whose output is `RefPort<T>`",
    "to receive a copy instead, declare the input as `Port<{T}>`"
);
mistake!(
    /// A group handle fed to a single input.
    GroupIntoSingle,
    "a group output cannot feed a single port of `{T}`",
    "this handle names a whole group of `{U}`",
    "a group output feeds a group input of the same kind (`RefPorts<T>` or `Ports<T>`); a single port takes one handle"
);
mistake!(
    /// A single `Port<U>` handle fed to a `RefPorts<T>` group.
    PortIntoRefPorts,
    "a `Port<{U}>` output cannot feed a `RefPorts<{T}>` group input",
    "this handle is one `Port<{U}>`; the segment takes a `RefPorts<{T}>` group here",
    "a `RefPorts<T>` input takes a `Vec`/array/slice of `RefPort<T>` handles (e.g. `[h1, h2]`) or a group handle",
    "for a group of by-value members, declare the input as `Ports<{T}>` and pass `[h1, h2, …]`"
);
mistake!(
    /// A single `RefPort<U>` handle fed to a `RefPorts<T>` group.
    RefPortIntoRefPorts,
    "one `RefPort<{U}>` handle cannot feed the `RefPorts<{T}>` group input by itself",
    "wrap it in a collection: `[h]` or `vec![h]`",
    "a `RefPorts<T>` input takes a `Vec`/array/slice of `RefPort<T>` handles or a group handle"
);
mistake!(
    /// `Port<U>` handles fed to a `RefPorts<T>` group.
    PortsIntoRefPorts,
    "`Port<{U}>` handles cannot feed a `RefPorts<{T}>` group input",
    "these are `Port<{U}>` handles; a `RefPorts<{T}>` group borrows `RefPort<{T}>` outputs",
    "declare the input as `Ports<{T}>` to copy by-value members, or feed it `RefPort<T>` outputs (`RefSource`s, or segments whose output is `RefPort<T>`)"
);
mistake!(
    /// `RefPort<U>` handles fed to a `Ports<T>` group.
    RefPortsIntoPorts,
    "`RefPort<{U}>` handles cannot feed a `Ports<{T}>` group input",
    "these are `RefPort<{U}>` handles; a `Ports<{T}>` group copies `Port<{T}>` outputs",
    "declare the input as `RefPorts<{T}>` to borrow the members, or feed it `Port<T>` outputs"
);
mistake!(
    /// A single `Port<U>` handle fed to a `Ports<T>` group.
    PortIntoPorts,
    "one `Port<{U}>` handle cannot feed the `Ports<{T}>` group input by itself",
    "wrap it in a collection: `[h]` or `vec![h]`",
    "a `Ports<T>` input takes a `Vec`/array/slice of `Port<T>` handles or a group handle"
);
mistake!(
    /// A collection of handles fed to a single input.
    ManyIntoSingle,
    "a collection of handles cannot feed a single port of `{T}`",
    "several handles of `{U}` where the segment takes one",
    "only a group input (`RefPorts<T>`, `Ports<T>`) takes a `Vec`/array/slice of handles; pass one handle, or declare a group input"
);

/// A tuple of `GIVEN` handles fed to a tuple of `WANT` inputs (`H` and `I`
/// are the two tuples).
#[diagnostic::on_unimplemented(
    message = "{GIVEN} handles given where the segment's inputs are a tuple of {WANT}",
    label = "a tuple of {GIVEN} handles; the segment takes {WANT} here",
    note = "`push(segment, inputs)` takes one handle per port of the segment's `Inputs`, in a tuple of the same shape (nested tuples nest the same way)"
)]
pub trait TupleArity<H, I, const GIVEN: usize, const WANT: usize>: never::Never<H, I> {}

/// One handle fed to a tuple of `WANT` inputs.
#[diagnostic::on_unimplemented(
    message = "one handle given where the segment's inputs are a tuple of {WANT}",
    label = "a single handle; the segment takes a tuple of {WANT} here",
    note = "`push(segment, inputs)` takes one handle per port of the segment's `Inputs`, in a tuple of the same shape: `(a, b)`",
    note = "a `#[segment_fn]` parameter of tuple type `p: (A, B)` is a tuple of ports, `(Port<A>, Port<B>)`; to take one `Port<(A, B)>` instead, name the tuple with a type alias (`type Pair = (A, B);` … `p: Pair`)"
)]
pub trait OneForTuple<H, I, const WANT: usize>: never::Never<H, I> {}

/// A tuple of `GIVEN` handles fed to a single port `I`.
#[diagnostic::on_unimplemented(
    message = "{GIVEN} handles given where the segment takes a single port",
    label = "a tuple of {GIVEN} handles; the segment takes one port here",
    note = "pass the one handle itself, not a tuple",
    note = "a group input (`RefPorts<T>`, `Ports<T>`) takes a `Vec`, array or slice of handles: `[a, b]`, not `(a, b)`"
)]
pub trait TupleForOne<H, I, const GIVEN: usize>: never::Never<H, I> {}
