// Differential test of the RTL DMT unit (rtl/) against its golden model (models/dmt.h), cycle by
// cycle: random register programmings word by word, read-backs and lookups streamed back to back
// with random response back-pressure, edge cases weighted in (VA at start, end - 1 and end,
// overlapping and empty ranges, invalid registers, tag mismatches, the top of the 57-bit space,
// 2M-shift registers, TEAs ending at the top of physical memory, garbage in unused bits), for
// every shape the build verilates (registers per set x pipeline depth, rtl/dmt_shapes.h). Every
// response must equal the model's and arrive in order, exactly the pipeline depth after its
// request plus one cycle per stalled cycle.
// Random raw writes may leave a TEA reaching past 2^52; the unit computes entry addresses modulo
// 2^52 (its physical address width), so entries compare modulo 2^52. The verilated models are
// plain C++ (no SystemC), clocked directly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>

#include <string>

#include "models/dmt_regmap.h"
#include "models/rng.h"
#include "rtl/dmt_shapes.h"
#include "verilated.h"

namespace mmusim {
namespace {

using namespace dmt_regmap;

constexpr Addr kTop = Addr{1} << kVaBits;  // first address past the 57-bit space

// The register state the RTL must have: the model's register sets, written word by word.
struct Golden {
  explicit Golden(unsigned entries)
      : sets{DmtRegisters(entries), DmtRegisters(entries), DmtRegisters(entries)} {}
  DmtRegisters sets[kSets];
  void write(unsigned set, unsigned index, unsigned word, uint64_t value) {
    TeaRegister r = sets[set].read(index);
    apply(r, word, value);
    sets[set].program(index, r);
  }
};

// Random stimulus with the edge cases weighted in.
class Stimulus {
 public:
  Stimulus(uint64_t seed, unsigned entries) : m_rng(seed), m_entries(entries) {
    for (uint32_t& t : m_tags) t = static_cast<uint32_t>(m_rng.next());
    m_tags[0] = 0;
    m_tags[1] = ~0u;
  }
  Rng& rng() { return m_rng; }
  bool chance(double p) { return m_rng.uniform() < p; }
  uint32_t tag() { return m_tags[m_rng.below(kTags)]; }

  // A register the unit can hold (dmt_regmap::unrepresentable() is empty for it).
  TeaRegister tea(const DmtRegisters& set) {
    TeaRegister r;
    r.shift = chance(0.3) ? 21 : 12;
    r.valid = chance(0.85);
    r.tag = tag();
    const Addr size = span();
    switch (m_rng.below(7)) {
      case 0:  // ends at the top of the address space
        r.end = kTop;
        r.start = kTop - std::min(size, kTop);
        break;
      case 1:  // starts at zero
        r.start = 0;
        r.end = size;
        break;
      case 2: {  // overlaps another register of the set
        const TeaRegister& o = set.read(static_cast<unsigned>(m_rng.below(m_entries)));
        const Addr len = o.end > o.start ? std::min(o.end, kTop) - o.start : size;
        r.start = o.start + (chance(0.5) || o.end <= o.start ? 0 : m_rng.below(len));
        r.end = std::min(kTop, r.start + (chance(0.5) ? len : size));
        if (chance(0.5)) r.tag = o.tag;
        break;
      }
      case 3:  // empty: start at or past end
        r.start = m_rng.below(kTop);
        r.end = r.start - std::min(r.start, m_rng.below(4) << 12);
        break;
      default:  // anywhere, any alignment
        r.start = m_rng.below(kTop - size + 1);
        if (chance(0.7)) r.start &= ~mask(chance(0.5) ? 12 : 21);
        r.end = r.start + size;
    }
    // The TEA must lie below 2^52: its last entry decides how high the base may go.
    Addr reach = 8;
    if (r.start < r.end) {
      TeaRegister at_zero = r;
      at_zero.base = 0;
      reach = tea_entry(at_zero, r.end - 1) + 8;
    }
    const Addr room = (Addr{1} << kPaBits) - reach;
    r.base = (chance(0.1) ? room : m_rng.below(room + 1)) & ~mask(kEntryLsb);
    return r;
  }

  // An address (and tag) aimed at a register's edges, or anywhere.
  Addr address(const DmtRegisters& set, uint32_t& tag) {
    const TeaRegister& r = set.read(static_cast<unsigned>(m_rng.below(m_entries)));
    tag = chance(0.8) ? r.tag : this->tag();
    const Addr in = r.end > r.start ? r.start + m_rng.below(r.end - r.start) : r.start;
    Addr va = 0;
    switch (m_rng.below(9)) {
      case 0:
        va = r.start;
        break;
      case 1:
        va = r.end - 1;
        break;
      case 2:
        va = r.end;
        break;
      case 3:
        va = r.start - 1;
        break;
      case 4:
        va = kTop - 1 - m_rng.below(4);
        break;
      case 5:
        va = m_rng.below(kTop);
        break;
      default:
        va = in;
    }
    return va & mask(kVaBits);
  }

 private:
  // A range size from a page to the whole space, mostly small.
  Addr span() {
    switch (m_rng.below(4)) {
      case 0:
        return (1 + m_rng.below(8)) << 12;
      case 1:
        return (1 + m_rng.below(64)) << 21;
      case 2:
        return 1 + m_rng.below(Addr{1} << 40);
      default:
        return 1 + m_rng.below(kTop);
    }
  }

  static constexpr unsigned kTags = 6;
  Rng m_rng;
  unsigned m_entries;
  uint32_t m_tags[kTags];
};

struct Expected {
  bool hit = false;
  unsigned index = 0, level = 0;
  Addr entry = 0;
  uint64_t accepted = 0;  // cycle whose clock edge took the request
  uint64_t stalled = 0;   // stalled cycles before it
};

struct Counts {
  uint64_t lookups = 0, hits = 0, programs = 0, word_writes = 0, reads = 0, errors = 0;
  uint64_t stalled = 0, cycles = 0;
  uint64_t exact = 0;  // responses nothing stalled: exactly the pipeline depth late
};

// One verilated unit, clocked directly, with the golden model alongside.
template <class V>
class Bench {
 public:
  Bench(unsigned entries, unsigned stages, uint64_t seed)
      : m_entries(entries), m_stages(stages), m_stim(seed, entries), m_golden(entries) {
    m_ctx.randReset(0);
    m_top = std::make_unique<V>(&m_ctx, "dmt");
    V& t = *m_top;
    t.clk_i = 0;
    t.rst_ni = 0;
    idle();
    t.eval();
    t.rst_ni = 1;
    t.eval();
  }
  ~Bench() { m_top->final(); }

  const Counts& counts() const { return m_counts; }

  // Runs until `lookups` requests were answered; every few epochs reads back every register.
  void run(uint64_t lookups) {
    for (uint64_t epoch = 0; m_counts.lookups < lookups; ++epoch) {
      // Half the epochs never stall the response.
      const double ready = epoch % 2 ? 0.7 : 1.0;
      reprogram(ready);
      for (unsigned c = 0; c < 2000 && !::testing::Test::HasFailure(); ++c)
        cycle(ready, 0.85, 0.05);
      if (epoch % 8 == 0) read_back_all();
      if (::testing::Test::HasFailure()) return;
    }
    drain();
  }

  // Reads every word of every register back and compares it with the model's register.
  void read_back_all() {
    for (unsigned s = 0; s < kSets; ++s)
      for (unsigned i = 0; i < m_entries; ++i)
        for (unsigned w = 0; w < kWords; ++w) {
          m_op = {true, false, word_addr(s, i, w, index_bits(m_entries)), 0};
          cycle(1.0, 0.0, 0.0);
          if (::testing::Test::HasFailure()) return;
        }
    drain();
  }

  // Lets every request in flight come out.
  void drain() {
    for (unsigned c = 0; c < m_stages + 2; ++c) cycle(1.0, 0.0, 0.0);
    EXPECT_TRUE(m_pending.empty());
  }

 private:
  struct RegOp {
    bool req = false, we = false;
    uint32_t addr = 0;
    uint64_t data = 0;
  };

  void idle() {
    V& t = *m_top;
    t.reg_req_i = 0;
    t.reg_we_i = 0;
    t.reg_addr_i = 0;
    t.reg_wdata_i = 0;
    t.lookup_valid_i = 0;
    t.lookup_set_i = 0;
    t.lookup_va_i = 0;
    t.lookup_tag_i = 0;
    t.rsp_ready_i = 1;
  }

  // Reprograms a few registers word by word (in a random word order) while lookups stream on.
  void reprogram(double ready) {
    const unsigned n = 1 + static_cast<unsigned>(m_stim.rng().below(2 * m_entries));
    for (unsigned k = 0; k < n; ++k) {
      const unsigned set = static_cast<unsigned>(m_stim.rng().below(kSets));
      const unsigned index = static_cast<unsigned>(m_stim.rng().below(m_entries));
      const TeaRegister r = m_stim.tea(m_golden.sets[set]);
      EXPECT_EQ(unrepresentable(r), "");
      const unsigned first = static_cast<unsigned>(m_stim.rng().below(kWords));
      for (unsigned j = 0; j < kWords; ++j) {
        const unsigned w = (first + j) % kWords;
        uint64_t data = encode(r, w);
        if (m_stim.chance(0.05)) data |= ~encode_mask(w) & m_stim.rng().next();  // ignored bits
        m_op = {true, true, word_addr(set, index, w, index_bits(m_entries)), data};
        cycle(ready, 0.85, 0.0);
        if (::testing::Test::HasFailure()) return;
      }
      ++m_counts.programs;
    }
  }

  static uint64_t encode_mask(unsigned w) {
    TeaRegister all{~Addr{0}, ~Addr{0}, ~Addr{0}, ~0u, 21, true};
    return encode(all, w);
  }

  // One clock cycle: drive, check what the unit shows before the edge, book the edge, clock.
  void cycle(double ready, double lookup_rate, double reg_rate) {
    V& t = *m_top;
    Rng& rng = m_stim.rng();
    // Register port: the queued operation, or now and then a random read, a raw write, or a
    // request to the unmapped set 3.
    RegOp op = m_op;
    m_op = RegOp{};
    if (!op.req && m_stim.chance(reg_rate)) {
      const unsigned set = m_stim.chance(0.05) ? 3 : static_cast<unsigned>(rng.below(kSets));
      op = {true, m_stim.chance(0.3),
            word_addr(set, static_cast<unsigned>(rng.below(m_entries)),
                      static_cast<unsigned>(rng.below(kWords)), index_bits(m_entries)),
            rng.next()};
    }
    t.reg_req_i = op.req;
    t.reg_we_i = op.we;
    t.reg_addr_i = op.addr;
    t.reg_wdata_i = op.data;
    // Lookup port.
    const bool valid = m_stim.chance(lookup_rate);
    unsigned set = static_cast<unsigned>(rng.below(kSets));
    if (m_stim.chance(0.01)) set = 3;  // no such set: nothing matches
    uint32_t tag = 0;
    const Addr va = m_stim.address(m_golden.sets[set % kSets], tag);
    t.lookup_valid_i = valid;
    t.lookup_set_i = set;
    t.lookup_va_i = va;
    t.lookup_tag_i = tag;
    t.rsp_ready_i = m_stim.chance(ready);
    t.eval();

    // Register response to last cycle's request.
    ASSERT_EQ(t.reg_rvalid_o, m_read_due);
    ASSERT_EQ(t.reg_err_o, m_err_due);
    if (m_read_due) {
      ASSERT_EQ(t.reg_rdata_o, m_read_value) << "read-back of word " << m_read_addr;
    }
    // Lookup response.
    const bool stall = t.rsp_valid_o && !t.rsp_ready_i;
    ASSERT_EQ(t.lookup_ready_o, !stall);
    if (stall) ++m_counts.stalled;
    if (t.rsp_valid_o && t.rsp_ready_i) {
      ASSERT_FALSE(m_pending.empty()) << "response without a request";
      const Expected e = m_pending.front();
      m_pending.pop_front();
      // A stall freezes the whole pipeline: each stalled cycle in flight delays by one.
      ASSERT_EQ(m_counts.cycles - e.accepted, m_stages + m_counts.stalled - e.stalled)
          << "cycles from request to response";
      m_counts.exact += m_counts.stalled == e.stalled;
      ASSERT_EQ(t.rsp_hit_o, e.hit);
      ASSERT_EQ(t.rsp_index_o, e.index);
      ASSERT_EQ(t.rsp_entry_o, e.entry);
      ASSERT_EQ(t.rsp_level_o, e.level);
      ++m_counts.lookups;
      m_counts.hits += e.hit;
    }
    // The edge: an accepted request is looked up in the registers as they are before it.
    if (valid && t.lookup_ready_o) {
      Expected e;
      e.accepted = m_counts.cycles;
      e.stalled = m_counts.stalled;
      DmtHit hit;
      if (set < kSets && m_golden.sets[set].lookup(va, tag, hit)) {
        e.hit = true;
        e.index = hit.index;
        e.entry = hit.entry & mask(kPaBits);
        e.level = hit.level;
      }
      m_pending.push_back(e);
    }
    const unsigned op_set = op.addr >> (2 + index_bits(m_entries));
    const unsigned op_index = (op.addr >> 2) & static_cast<unsigned>(mask(index_bits(m_entries)));
    const bool mapped = op_set < kSets && op_index < m_entries;
    m_read_due = op.req && !op.we;
    m_err_due = op.req && !mapped;
    m_read_addr = op.addr;
    if (m_read_due) {
      ++m_counts.reads;
      m_read_value = mapped ? encode(m_golden.sets[op_set].read(op_index), op.addr & 3) : 0;
    }
    if (op.req && op.we && mapped) {
      m_golden.write(op_set, op_index, op.addr & 3, op.data);
      ++m_counts.word_writes;
    }
    m_counts.errors += m_err_due;
    t.clk_i = 1;
    t.eval();
    t.clk_i = 0;
    t.eval();
    ++m_counts.cycles;
  }

  const unsigned m_entries;
  const unsigned m_stages;
  VerilatedContext m_ctx;
  std::unique_ptr<V> m_top;
  Stimulus m_stim;
  Golden m_golden;
  std::deque<Expected> m_pending;
  RegOp m_op;
  bool m_read_due = false, m_err_due = false;
  uint32_t m_read_addr = 0;
  uint64_t m_read_value = 0;
  Counts m_counts;
};

void report(const char* what, const Counts& c) {
  std::printf(
      "%s: %llu lookups (%llu hits, %llu never stalled), %llu registers programmed, "
      "%llu word writes, %llu reads, %llu unmapped requests, %llu stalled cycles, "
      "%llu cycles\n",
      what, (unsigned long long)c.lookups, (unsigned long long)c.hits, (unsigned long long)c.exact,
      (unsigned long long)c.programs, (unsigned long long)c.word_writes,
      (unsigned long long)c.reads, (unsigned long long)c.errors, (unsigned long long)c.stalled,
      (unsigned long long)c.cycles);
}

// One shape: reset registers read back as the model's default, then `lookups` lookups and the
// registers programmed between them.
template <class V>
void check_shape(unsigned entries, unsigned stages, uint64_t lookups) {
  Bench<V> reset(entries, stages, 7);
  reset.read_back_all();
  Bench<V> b(entries, stages, entries * 10 + stages);
  b.run(lookups);
  report(("r" + std::to_string(entries) + "_d" + std::to_string(stages)).c_str(), b.counts());
  EXPECT_GE(b.counts().lookups, lookups);
  EXPECT_GT(b.counts().hits, b.counts().lookups / 10);  // the stimulus hits often enough
  EXPECT_GT(b.counts().stalled, 0u);
  EXPECT_GT(b.counts().exact, b.counts().lookups / 4);
}

// A test per verilated shape; the configuration co-simulated by default (16 x 1) runs longest.
void register_shapes() {
  for_each_dmt_shape([](auto shape) {
    using V = typename decltype(shape)::Model;
    const unsigned r = shape.registers, d = shape.stages;
    const uint64_t lookups = r == 16 && d == 1 ? 1000000 : 200000;
    const std::string name = "Shape_r" + std::to_string(r) + "_d" + std::to_string(d);
    ::testing::RegisterTest("DmtRtlDiff", name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [=]() -> ::testing::Test* {
                              struct Run : ::testing::Test {
                                std::function<void()> body;
                                void TestBody() override { body(); }
                              };
                              Run* t = new Run;
                              t->body = [=] { check_shape<V>(r, d, lookups); };
                              return t;
                            });
  });
}

}  // namespace
}  // namespace mmusim

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  mmusim::register_shapes();
  return RUN_ALL_TESTS();
}
