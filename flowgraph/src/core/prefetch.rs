//! Cache prefetch hints: the parallel scheduler reaches its tables in no
//! order a hardware prefetcher can follow, so it asks for the lines it is
//! about to need while a compute runs. A hint never faults and changes no
//! value; on targets without one (and under Miri) it does nothing.

/// Asks for the cache line holding `p`, to read it.
#[inline(always)]
pub(crate) fn read<T>(p: *const T) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: a prefetch is a hint: it never faults, whatever the address,
    // and neither reads nor writes memory as far as the program can tell.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast())
    };
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    let _ = p;
}

/// Asks for the cache line holding `p`, to write it: the line arrives owned
/// by this core, so a later store or atomic does not wait for it.
#[inline(always)]
pub(crate) fn write<T>(p: *const T) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: `prefetchw` is a hint: it never faults, whatever the address,
    // and changes no memory; processors without it execute it as a no-op.
    unsafe {
        std::arch::asm!("prefetchw [{}]", in(reg) p, options(nostack, preserves_flags, readonly))
    };
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    let _ = p;
}
