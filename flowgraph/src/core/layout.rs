//! Where each leaf of a payload tree lives, in bytes.
//!
//! Interfaces describe their payloads as a list of [`LeafLayout`]s (offsets
//! computed with `offset_of!`). The engine moves payloads as raw bytes using
//! these descriptions, so it never needs to know the payload types.
//!
//! Invariant: the descriptions are produced only by the sealed `Layout`
//! impls in `typed::interface` (an interface's hidden representation); the
//! engine trusts their offsets and sizes.
//! Each leaf also carries the [`LeafType`] of its payload, which the engine
//! compares wherever two leaves meet (a wire, a typed read), so a handle or a
//! wire that names the wrong leaf is refused instead of reinterpreted.

use std::any::TypeId;
use std::mem::size_of;

#[doc(hidden)]
/// One leaf of a payload tree, at `offset` bytes from the payload's start.
#[derive(Clone, Copy, Debug)]
pub struct LeafLayout {
    pub(crate) offset: usize,
    pub(crate) kind: LeafKind,
    /// The leaf's payload type (`(bool, T)`, `(bool, &T)`, `(&[bool], &[&T])`).
    pub(crate) ty: LeafType,
    /// True for a by-value leaf whose payload borrows nothing (a `Port<T>`
    /// of `Scalar<T>`): a producer that ran without notifying leaves it
    /// *quiet*, so it does not wake its consumer.
    pub(crate) lifetime_free: bool,
}

/// The identity of a leaf's payload type, lifetimes erased to `'static`,
/// and its name for messages.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LeafType {
    id: TypeId,
    pub(crate) name: &'static str,
}

impl LeafType {
    pub(crate) fn of<T: 'static>() -> LeafType {
        LeafType {
            id: TypeId::of::<T>(),
            name: std::any::type_name::<T>(),
        }
    }
}

impl PartialEq for LeafType {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

#[doc(hidden)]
/// What a leaf holds.
#[derive(Clone, Copy, Debug)]
pub enum LeafKind {
    /// A `(bool, X)` pair of `size` bytes: the notify flag at `flag`, the
    /// value (or reference) at `value`, both relative to the leaf.
    Single {
        size: usize,
        flag: usize,
        value: usize,
    },
    /// A `(&[bool], &[&T])` pair of slices.
    Group(GroupCodec),
}

#[doc(hidden)]
/// Reads and writes the `(&[bool], &[&T])` payload of a group leaf without
/// knowing `T`.
#[derive(Clone, Copy)]
pub struct GroupCodec {
    /// The payload type of a single leaf that may feed one member
    /// (`(bool, &T)`), checked when a fan-in is wired.
    pub(crate) member: LeafType,
    /// Writes a payload made of `len` flags and `len` references.
    pub(crate) write:
        unsafe fn(dst: *mut u8, flags: *const bool, refs: *const *const (), len: usize),
    /// Reads `(flags, refs, flags_len, refs_len)` from a payload.
    pub(crate) read: unsafe fn(src: *const u8) -> (*const bool, *const *const (), usize, usize),
}

impl std::fmt::Debug for GroupCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GroupCodec")
    }
}

impl LeafLayout {
    /// The layout of a group leaf whose references point at `T`.
    pub(crate) fn group<T: 'static>(offset: usize) -> Self {
        LeafLayout {
            offset,
            kind: LeafKind::Group(GroupCodec {
                member: LeafType::of::<(bool, &'static T)>(),
                write: write_group::<T>,
                read: read_group::<T>,
            }),
            ty: LeafType::of::<(&'static [bool], &'static [&'static T])>(),
            lifetime_free: false,
        }
    }

    /// The layout of a single `(bool, X)` leaf of payload type `P`.
    pub(crate) fn single<P: 'static>(
        offset: usize,
        flag: usize,
        value: usize,
        lifetime_free: bool,
    ) -> Self {
        LeafLayout {
            lifetime_free,
            offset,
            kind: LeafKind::Single {
                size: size_of::<P>(),
                flag,
                value,
            },
            ty: LeafType::of::<P>(),
        }
    }
}

/// # Safety
/// `dst` must be valid for writing a `(&[bool], &[&T])`, aligned; `flags` and
/// `refs` must point to `len` initialized elements each, which stay valid
/// and unmodified for as long as the written payload is read.
unsafe fn write_group<T: 'static>(
    dst: *mut u8,
    flags: *const bool,
    refs: *const *const (),
    len: usize,
) {
    // SAFETY: the caller guarantees `flags` and `refs` point to `len`
    // initialized elements; `*const ()` and `&T` share a layout for sized `T`,
    // and every stored pointer was copied from a live `&T`.
    let payload: (&[bool], &[&T]) = unsafe {
        (
            std::slice::from_raw_parts(flags, len),
            std::slice::from_raw_parts(refs.cast::<&T>(), len),
        )
    };
    // SAFETY: the caller guarantees `dst` is valid and aligned for the payload.
    unsafe { dst.cast::<(&[bool], &[&T])>().write(payload) }
}

/// # Safety
/// `src` must point to an initialized, aligned `(&[bool], &[&T])`.
unsafe fn read_group<T: 'static>(src: *const u8) -> (*const bool, *const *const (), usize, usize) {
    // SAFETY: the caller guarantees `src` holds an initialized payload.
    let (flags, refs) = unsafe { src.cast::<(&[bool], &[&T])>().read() };
    (
        flags.as_ptr(),
        refs.as_ptr().cast::<*const ()>(),
        flags.len(),
        refs.len(),
    )
}

/// Copies `len` bytes, with fixed-size moves for the common payload sizes.
///
/// Bytes are moved as `MaybeUninit` so padding and pointer provenance survive.
///
/// # Safety
/// `src` must be valid for reading and `dst` for writing `len` bytes, and the
/// two ranges must not overlap.
#[inline(always)]
pub(crate) unsafe fn copy_bytes(src: *const u8, dst: *mut u8, len: usize) {
    // SAFETY: the caller guarantees both ranges are valid for `len` bytes
    // and disjoint. The common `(bool, 8-byte value)` leaf gets an inline move.
    unsafe {
        if len == 16 {
            std::ptr::copy_nonoverlapping(src, dst, 16)
        } else {
            std::ptr::copy_nonoverlapping(src, dst, len)
        }
    }
}

/// Size of a thin reference, the element of a group's value plane.
pub(crate) const REF_SIZE: usize = size_of::<*const ()>();
