// The verilated DMT unit behind its transactor (SystemC), beside the C++ model, for every shape
// the build verilates: registers programmed through program() read back through the register
// interface; lookups answer as the model's do, take exactly the cycles the model annotates
// (mmu.dmt.latency) and add them to the initiator's offset without waiting, as the model's
// annotation does; a lookup due before the unit's last cycle (AT) enters right behind it;
// transport_dbg answers untimed; registers the unit cannot hold, and writes that overrun the
// next lookup, are errors. One elaboration per process.
#include "tlm/dmt_rtl.h"

#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <functional>
#include <string>
#include <systemc>

#include "models/dmt_regmap.h"
#include "models/rng.h"
#include "tlm/dmt_model.h"

namespace mmusim {
namespace {

// Both implementations side by side; `body` runs in a thread, then the simulation pauses.
struct Bench : sc_core::sc_module {
  Bench(const DmtRtlShape& shape, std::function<void(Bench&)> b,
        sc_core::sc_module_name name = "bench")
      : sc_module(name),
        entries(shape.registers),
        stages(shape.stages),
        rtl("rtl", clock, entries, stages),
        model("model", entries, clock, stages),
        body(std::move(b)) {
    to_rtl.bind(rtl.socket);
    to_model.bind(model.socket);
    gp.set_extension(&ext);
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
    gp.set_data_length(sizeof data);
    gp.set_streaming_width(sizeof data);
    SC_HAS_PROCESS(Bench);
    SC_THREAD(run);
  }
  ~Bench() override { gp.clear_extension(&ext); }

  void run() {
    body(*this);
    sc_core::sc_pause();
  }

  void program(unsigned set, unsigned index, const TeaRegister& r) {
    rtl.program(set, index, r);
    model.program(set, index, r);
  }

  // One lookup through `socket` with the initiator `offset` cycles ahead of the kernel; returns
  // the answer and checks that kernel time plus offset moved on by exactly the cycles reported.
  DmtExt lookup(InitiatorSocket<Bench>& socket, unsigned set, Addr va, uint32_t tag,
                Cycles offset = 0) {
    ext = DmtExt{};
    ext.set = static_cast<uint8_t>(set);
    ext.tag = tag;
    gp.set_address(va);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = clock.cycles(offset);
    const sc_core::sc_time before = sc_core::sc_time_stamp() + delay;
    socket->b_transport(gp, delay);
    EXPECT_TRUE(gp.is_response_ok());
    EXPECT_EQ(sc_core::sc_time_stamp() + delay, before + clock.cycles(ext.cycles));
    return ext;
  }

  Clock clock{2000.0};
  const unsigned entries, stages;
  DmtRtl rtl;
  DmtModel model;
  InitiatorSocket<Bench> to_rtl{"to_rtl"}, to_model{"to_model"};
  tlm::tlm_generic_payload gp;
  DmtExt ext;
  uint64_t data = 0;  // gp's bytes: the leaf entry's address
  std::function<void(Bench&)> body;
};

class DmtRtlTlm : public ::testing::TestWithParam<DmtRtlShape> {};

TEST_P(DmtRtlTlm, AnswersAsTheModelInTheCyclesTheModelAnnotates) {
  uint64_t lookups = 0, hits = 0;
  Bench bench(GetParam(), [&](Bench& b) {
    const unsigned entries = b.entries;
    Rng rng(5);
    // Overlapping 4K and 2M TEAs in every set, one invalid, tags 1 and 2, one at the top of the
    // 57-bit space.
    const Addr top = Addr{1} << dmt_regmap::kVaBits;
    for (unsigned set = 0; set < DmtUnit::kSets; ++set) {
      for (unsigned i = 0; i < entries; ++i) {
        const Addr start = (i + 1) * (Addr{1} << 30) + (i % 3) * 0x20'3000;
        TeaRegister r{start,
                      start + ((1 + i % 4) << 29),
                      (0x100 + i * 0x40) << 20,
                      1 + i % 2,
                      static_cast<uint8_t>(i % 5 == 4 ? 21 : 12),
                      i != 7};
        if (i == entries - 1) {
          r.start = top - (Addr{1} << 30);
          r.end = top;
        }
        b.program(set, i, r);
      }
    }
    b.rtl.settle();
    for (unsigned set = 0; set < DmtUnit::kSets; ++set)
      for (unsigned i = 0; i < entries; ++i)
        EXPECT_EQ(b.rtl.read(set, i), b.model.read(set, i)) << "register " << set << "." << i;
    for (unsigned n = 0; n < 3000; ++n) {
      const unsigned set = static_cast<unsigned>(rng.below(DmtUnit::kSets));
      const TeaRegister& r = b.model.read(set, static_cast<unsigned>(rng.below(entries)));
      const Addr edges[] = {r.start, r.end - 1, r.end, r.start + rng.below(r.end - r.start)};
      const Addr va = edges[rng.below(4)];
      const uint32_t tag = static_cast<uint32_t>(1 + rng.below(3));
      const Cycles offset = rng.below(3) * rng.below(50);
      const DmtExt m = b.lookup(b.to_model, set, va, tag, offset);
      const DmtExt r_ = b.lookup(b.to_rtl, set, va, tag, offset);
      ASSERT_EQ(r_.hit, m.hit) << "set " << set << " va " << va << " tag " << tag;
      ASSERT_EQ(r_.entry, m.entry);
      ASSERT_EQ(r_.level, m.level);
      ASSERT_EQ(r_.cycles, m.cycles);  // the RTL's measured cycles: mmu.dmt.latency
      ++lookups;
      hits += r_.hit;
      sc_core::wait(b.clock.cycles(offset + b.stages));  // the next lookup is due after this one
      tlm::tlm_generic_payload& gp = b.gp;
      b.ext = DmtExt{};
      b.ext.set = static_cast<uint8_t>(set);
      b.ext.tag = tag;
      gp.set_address(va);
      const sc_core::sc_time t = sc_core::sc_time_stamp();
      EXPECT_EQ(b.to_rtl->transport_dbg(gp), 8u);
      EXPECT_EQ(sc_core::sc_time_stamp(), t);  // untimed
      EXPECT_EQ(b.ext.hit, m.hit);
      EXPECT_EQ(b.ext.entry, m.entry);
    }
  });
  sc_core::sc_start();
  EXPECT_EQ(lookups, 3000u);
  EXPECT_GT(hits, 500u);
  EXPECT_LT(hits, lookups);
}

TEST_P(DmtRtlTlm, AddsThePipelineToTheOffsetWithoutWaiting) {
  Bench bench(GetParam(), [](Bench& b) {
    b.program(0, 3, TeaRegister{0x4000'0000, 0x8000'0000, 0x10'0000, 9, 12, true});
    b.rtl.settle();
    const sc_core::sc_time t0 = sc_core::sc_time_stamp();
    sc_core::sc_time delay = b.clock.cycles(37);
    b.ext = DmtExt{};
    b.ext.tag = 9;
    b.gp.set_address(0x4000'1000);
    b.to_rtl->b_transport(b.gp, delay);
    EXPECT_TRUE(b.ext.hit);
    EXPECT_EQ(b.ext.entry, 0x10'0000u + 8);
    EXPECT_EQ(b.ext.cycles, b.stages);
    // No wait: the kernel where it was, the pipeline's cycles added to the offset.
    EXPECT_EQ(sc_core::sc_time_stamp(), t0);
    EXPECT_EQ(delay, b.clock.cycles(37 + b.stages));
  });
  sc_core::sc_start();
}

// AT computes walks in request order, so a lookup may be due before the unit's last cycle: it
// enters at the unit's next cycle and still reports the pipeline's depth (the model's latency).
TEST_P(DmtRtlTlm, ALookupDueInTheUnitsPastEntersRightBehind) {
  Bench bench(GetParam(), [](Bench& b) {
    b.program(0, 0, TeaRegister{0x4000'0000, 0x8000'0000, 0x10'0000, 9, 12, true});
    b.rtl.settle();
    const DmtExt late = b.lookup(b.to_rtl, 0, 0x4000'2000, 9, 100);
    EXPECT_EQ(late.cycles, b.stages);
    const DmtExt early = b.lookup(b.to_rtl, 0, 0x4000'3000, 9, 10);
    EXPECT_TRUE(early.hit);
    EXPECT_EQ(early.entry, 0x10'0000u + 3 * 8);
    EXPECT_EQ(early.cycles, b.stages);
  });
  sc_core::sc_start();
}

TEST_P(DmtRtlTlm, RefusesRegistersItCannotHold) {
  Bench bench(GetParam(), [](Bench& b) {
    const Addr top = Addr{1} << dmt_regmap::kVaBits;
    EXPECT_THROW(b.rtl.program(0, 0, TeaRegister{0, 0x1000, 0, 1, 30, true}), std::runtime_error);
    EXPECT_THROW(b.rtl.program(0, 0, TeaRegister{top, top + 1, 0, 1, 12, true}),
                 std::runtime_error);
    EXPECT_THROW(b.rtl.program(0, 0, TeaRegister{0, 0x1000, 0x1004, 1, 12, true}),
                 std::runtime_error);
    EXPECT_THROW(b.rtl.program(0, 0, TeaRegister{0, 1ull << 40, (1ull << 52) - 4096, 1, 12, true}),
                 std::runtime_error);  // the TEA would reach past 2^52
    EXPECT_THROW(b.rtl.program(3, 0, TeaRegister{}), std::out_of_range);
    EXPECT_NO_THROW(b.rtl.program(0, 0, TeaRegister{0, top, 0, 1, 21, true}));
  });
  sc_core::sc_start();
}

TEST_P(DmtRtlTlm, WritesThatOverrunTheNextLookupAreAnError) {
  Bench bench(GetParam(), [](Bench& b) {
    b.rtl.settle();
    for (unsigned i = 0; i < b.entries; ++i) b.rtl.program(0, i, TeaRegister{});
    // A whole set takes 4 x entries cycles to write; the lookup is due 10 cycles from now.
    EXPECT_THROW(b.lookup(b.to_rtl, 0, 0, 0, 10), std::runtime_error);
  });
  sc_core::sc_start();
}

std::string shape_name(const ::testing::TestParamInfo<DmtRtlShape>& info) {
  return "r" + std::to_string(info.param.registers) + "_d" + std::to_string(info.param.stages);
}

INSTANTIATE_TEST_SUITE_P(Shapes, DmtRtlTlm, ::testing::ValuesIn(dmt_rtl_shapes()), shape_name);

}  // namespace
}  // namespace mmusim

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
