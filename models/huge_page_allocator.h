// Allocator for the simulator's own large arrays (hash slots, oracle blocks, page-table slabs):
// blocks of 2 MiB or more are 2 MiB aligned and advised to the kernel as huge pages, so the
// simulator's random accesses do not miss the host's TLB. Smaller blocks start on a host cache
// line.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mmusim {

constexpr size_t kHostHugePage = size_t{1} << 21;

constexpr std::align_val_t kHostLine{64};  // smaller blocks start on a host cache line

inline void* huge_alloc(size_t bytes) {
  if (bytes < kHostHugePage) return ::operator new(bytes, kHostLine);
  const size_t rounded = (bytes + kHostHugePage - 1) & ~(kHostHugePage - 1);
  void* p = std::aligned_alloc(kHostHugePage, rounded);
  if (!p) throw std::bad_alloc();
#if defined(MADV_HUGEPAGE)
  madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure leaves ordinary pages
#endif
  return p;
}

inline void huge_free(void* p, size_t bytes) {
  if (bytes < kHostHugePage) ::operator delete(p, kHostLine);
  else std::free(p);
}

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(huge_alloc(n * sizeof(T))); }
  void deallocate(T* p, size_t n) { huge_free(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }
  template <typename U>
  bool operator!=(const HugePageAllocator<U>&) const { return false; }
};

}  // namespace mmusim
