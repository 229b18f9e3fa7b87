// Timing distributions that never allocate while recording: a log-linear latency histogram
// (exact below 64 cycles, then 16 buckets per power of two: under 6.25% error), and a histogram of
// walk step vectors (where each step of a walk was served, as "PWC,L2,L2,DRAM").
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/types.h"

namespace mmusim {

class LatencyHistogram {
 public:
  static constexpr unsigned kLinear = 64;   // exact buckets 0..63
  static constexpr unsigned kSub = 16;      // buckets per power of two above that
  static constexpr unsigned kBuckets = kLinear + (64 - 6) * kSub;

  void add(Cycles v) {
    ++m_counts[bucket(v)];
    ++m_count;
    m_sum += v;
    if (v > m_max) m_max = v;
  }
  uint64_t count() const { return m_count; }
  uint64_t sum() const { return m_sum; }
  Cycles max() const { return m_max; }
  double mean() const { return m_count ? double(m_sum) / double(m_count) : 0.0; }
  // The smallest bucket bound b with at least q of the samples <= b (exact max for q = 1).
  Cycles percentile(double q) const;
  // Non-empty buckets as (upper bound inclusive, count), ascending.
  std::vector<std::pair<Cycles, uint64_t>> buckets() const;

  static unsigned bucket(Cycles v) {
    if (v < kLinear) return static_cast<unsigned>(v);
    const unsigned msb = 63u - static_cast<unsigned>(__builtin_clzll(v));  // >= 6
    const unsigned sub = static_cast<unsigned>((v >> (msb - 4)) & (kSub - 1));
    return kLinear + (msb - 6) * kSub + sub;
  }
  // Largest value that falls in bucket b.
  static Cycles upper(unsigned b) {
    if (b < kLinear) return b;
    const unsigned msb = 6 + (b - kLinear) / kSub, sub = (b - kLinear) % kSub;
    const Cycles lo = (Cycles{1} << msb) | (Cycles{sub} << (msb - 4));
    return lo + (Cycles{1} << (msb - 4)) - 1;
  }

 private:
  std::array<uint64_t, kBuckets> m_counts{};
  uint64_t m_count = 0, m_sum = 0;
  Cycles m_max = 0;
};

// What served one step of a walk.
enum class Step : uint8_t { kPwc = 1, kNtlb, kDmt, kL1, kL2, kLlc, kDram, kMem };
const char* step_name(Step s);

// The steps of one walk, 4 bits each; walks longer than kMax steps keep their first kMax - 1 and
// end in an overflow mark ("..." when printed).
struct StepVector {
  static constexpr unsigned kMax = 48;
  uint64_t w[3] = {0, 0, 0};
  uint8_t n = 0;

  void clear() { w[0] = w[1] = w[2] = 0, n = 0; }
  void push(Step s) {
    if (n >= kMax) return;
    const unsigned v = (n == kMax - 1) ? 15u : static_cast<unsigned>(s);
    w[n / 16] |= uint64_t{v} << (4 * (n % 16));
    ++n;
  }
  bool operator==(const StepVector& o) const {
    return n == o.n && w[0] == o.w[0] && w[1] == o.w[1] && w[2] == o.w[2];
  }
  std::string str() const;
};

// Counts distinct step vectors in a fixed open-addressed table; vectors beyond its capacity are
// counted as "other".
class StepHistogram {
 public:
  static constexpr unsigned kCapacity = 4096;
  StepHistogram();
  void add(const StepVector& v);
  uint64_t other() const { return m_other; }
  uint64_t distinct() const { return m_used; }
  // The `top` most frequent vectors, most frequent first (ties: shorter, then lexical).
  std::vector<std::pair<std::string, uint64_t>> top(unsigned top) const;

 private:
  struct Slot {
    StepVector v;
    uint64_t count = 0;
  };
  std::vector<Slot> m_slots;  // allocated once
  uint64_t m_used = 0, m_other = 0;
};

}  // namespace mmusim
