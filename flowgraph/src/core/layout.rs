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
use std::mem::{align_of, size_of};

#[doc(hidden)]
/// One leaf of a payload tree, at `offset` bytes from the payload's start.
#[derive(Clone, Copy, Debug)]
pub struct LeafLayout {
    pub(crate) offset: usize,
    pub(crate) kind: LeafKind,
    /// The leaf's payload type (`(bool, T)`, `(bool, &T)`, `(&[bool], &[&T])`,
    /// `(&[bool], &[T])`).
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
    /// A `(&[bool], &[&T])` or `(&[bool], &[T])` pair of slices.
    Group(GroupCodec),
}

#[doc(hidden)]
/// Reads and writes the payload of a group leaf without knowing its element
/// type: `(&[bool], &[&T])` for a by-reference group (`RefViewPorts`),
/// `(&[bool], &[T])` for a by-value one (`ViewPorts`). The value plane is
/// seen as bytes: `len` elements of `elem_size` bytes each.
#[derive(Clone, Copy)]
pub struct GroupCodec {
    /// The payload type of a single leaf that may feed one member
    /// (`(bool, &T)` or `(bool, T)`), checked when a fan-in is wired.
    pub(crate) member: LeafType,
    /// Size and alignment of one element of the value plane (`&T` or `T`).
    pub(crate) elem_size: usize,
    pub(crate) elem_align: usize,
    /// True for a by-value group: members are copied into the consumer's
    /// own planes (staged, see `core::tables`).
    pub(crate) by_value: bool,
    /// Writes a payload made of `len` flags and `len` values.
    pub(crate) write: unsafe fn(dst: *mut u8, flags: *const bool, values: *const u8, len: usize),
    /// Reads `(flags, values, flags_len, values_len)` from a payload.
    pub(crate) read: unsafe fn(src: *const u8) -> (*const bool, *const u8, usize, usize),
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
                elem_size: size_of::<&'static T>(),
                elem_align: align_of::<&'static T>(),
                by_value: false,
                write: write_group::<&'static T>,
                read: read_group::<&'static T>,
            }),
            ty: LeafType::of::<(&'static [bool], &'static [&'static T])>(),
            lifetime_free: false,
        }
    }

    /// The layout of a by-value group leaf of `T`s (`T: Copy`, a view
    /// type with its lifetime erased).
    pub(crate) fn group_values<T: Copy + 'static>(offset: usize) -> Self {
        LeafLayout {
            offset,
            kind: LeafKind::Group(GroupCodec {
                member: LeafType::of::<(bool, T)>(),
                elem_size: size_of::<T>(),
                elem_align: align_of::<T>(),
                by_value: true,
                write: write_group::<T>,
                read: read_group::<T>,
            }),
            ty: LeafType::of::<(&'static [bool], &'static [T])>(),
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
/// `dst` must be valid for writing a `(&[bool], &[E])`, aligned; `flags` and
/// `values` must point to `len` initialized elements each (`values` aligned
/// for `E`), which stay valid and unmodified for as long as the written
/// payload is read.
unsafe fn write_group<E: 'static>(dst: *mut u8, flags: *const bool, values: *const u8, len: usize) {
    // SAFETY: the caller guarantees `flags` and `values` point to `len`
    // initialized elements; every element of `values` was copied from a
    // live `E` (a reference copied from a live `&T`, or a `Copy` value).
    let payload: (&[bool], &[E]) = unsafe {
        (
            std::slice::from_raw_parts(flags, len),
            std::slice::from_raw_parts(values.cast::<E>(), len),
        )
    };
    // SAFETY: the caller guarantees `dst` is valid and aligned for the payload.
    unsafe { dst.cast::<(&[bool], &[E])>().write(payload) }
}

/// # Safety
/// `src` must point to an initialized, aligned `(&[bool], &[E])`.
unsafe fn read_group<E: 'static>(src: *const u8) -> (*const bool, *const u8, usize, usize) {
    // SAFETY: the caller guarantees `src` holds an initialized payload.
    let (flags, values) = unsafe { src.cast::<(&[bool], &[E])>().read() };
    (
        flags.as_ptr(),
        values.as_ptr().cast::<u8>(),
        flags.len(),
        values.len(),
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
