#include "models/histogram.h"

#include <algorithm>
#include <cmath>

namespace mmusim {

Cycles LatencyHistogram::percentile(double q) const {
  if (m_count == 0) return 0;
  if (q >= 1.0) return m_max;
  const uint64_t want = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * double(m_count))));
  uint64_t seen = 0;
  for (unsigned b = 0; b < kBuckets; ++b) {
    seen += m_counts[b];
    if (seen >= want) return std::min(upper(b), m_max);
  }
  return m_max;
}

std::vector<std::pair<Cycles, uint64_t>> LatencyHistogram::buckets() const {
  std::vector<std::pair<Cycles, uint64_t>> out;
  for (unsigned b = 0; b < kBuckets; ++b)
    if (m_counts[b]) out.emplace_back(std::min(upper(b), m_max), m_counts[b]);
  return out;
}

const char* step_name(Step s) {
  switch (s) {
    case Step::kPwc: return "PWC";
    case Step::kNtlb: return "NTLB";
    case Step::kDmt: return "DMT";
    case Step::kL1: return "L1";
    case Step::kL2: return "L2";
    case Step::kLlc: return "LLC";
    case Step::kDram: return "DRAM";
    case Step::kMem: return "MEM";
  }
  return "...";
}

std::string StepVector::str() const {
  std::string s;
  for (unsigned i = 0; i < n; ++i) {
    if (i) s += ',';
    s += step_name(static_cast<Step>((w[i / 16] >> (4 * (i % 16))) & 15));
  }
  return s.empty() ? "-" : s;
}

StepHistogram::StepHistogram() : m_slots(kCapacity) {}

void StepHistogram::add(const StepVector& v) {
  uint64_t h = (v.w[0] ^ (v.w[1] * 0x9e3779b97f4a7c15ULL) ^ (v.w[2] * 0xc2b2ae3d27d4eb4fULL) ^ v.n) *
               0xff51afd7ed558ccdULL;
  for (unsigned probe = 0; probe < 16; ++probe) {
    Slot& s = m_slots[(h >> 40) % kCapacity];
    if (s.count == 0) {
      s.v = v;
      s.count = 1;
      ++m_used;
      return;
    }
    if (s.v == v) {
      ++s.count;
      return;
    }
    h += 0x9e3779b97f4a7c15ULL;
  }
  ++m_other;
}

std::vector<std::pair<std::string, uint64_t>> StepHistogram::top(unsigned top) const {
  std::vector<const Slot*> used;
  for (const Slot& s : m_slots)
    if (s.count) used.push_back(&s);
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const Slot* s : used) out.emplace_back(s->v.str(), s->count);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    if (a.first.size() != b.first.size()) return a.first.size() < b.first.size();
    return a.first < b.first;
  });
  if (out.size() > top) out.resize(top);
  return out;
}

}  // namespace mmusim
