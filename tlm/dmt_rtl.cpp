// The verilated models are plain C++: their headers come before SystemC's, which would make
// Verilator's runtime take its time from the SystemC kernel.
#include "rtl/dmt_shapes.h"
#include "verilated.h"
#include "verilated_fst_c.h"

#include "tlm/dmt_rtl.h"

#include <stdexcept>

#include "models/dmt_regmap.h"

namespace mmusim {

namespace rm = dmt_regmap;

// The unit's ports, whatever its shape (port widths differ with the register count).
class DmtRtlPins {
 public:
  virtual ~DmtRtlPins() = default;
  virtual void reset(bool active) = 0;
  virtual void reg(bool req, bool we, uint32_t addr, uint64_t data) = 0;
  virtual void lookup(bool valid, unsigned set, uint64_t va, uint32_t tag) = 0;
  virtual void clock(bool level) = 0;  // drives clk_i, then evaluates the unit
  virtual bool lookup_ready() const = 0;
  virtual bool rsp_valid() const = 0;
  virtual void response(DmtExt& ext) const = 0;  // hit, entry, level
  virtual bool reg_err() const = 0;
  virtual uint64_t reg_rdata() const = 0;
  virtual void trace(VerilatedFstC& waves) = 0;
};

namespace {

// One verilated shape: its own Verilator context, the response port always ready.
template <class V>
class PinsOf final : public DmtRtlPins {
 public:
  PinsOf() {
    m_ctx.randReset(0);
    m_ctx.traceEverOn(true);  // before the model exists, so trace() can attach later
    m_top = std::make_unique<V>(&m_ctx, "dmt");
    m_top->rsp_ready_i = 1;
  }
  ~PinsOf() override { m_top->final(); }

  void reset(bool active) override { m_top->rst_ni = !active; }
  void reg(bool req, bool we, uint32_t addr, uint64_t data) override {
    m_top->reg_req_i = req;
    m_top->reg_we_i = we;
    m_top->reg_addr_i = addr;
    m_top->reg_wdata_i = data;
  }
  void lookup(bool valid, unsigned set, uint64_t va, uint32_t tag) override {
    m_top->lookup_valid_i = valid;
    m_top->lookup_set_i = set;
    m_top->lookup_va_i = va;
    m_top->lookup_tag_i = tag;
  }
  void clock(bool level) override {
    m_top->clk_i = level;
    m_top->eval();
  }
  bool lookup_ready() const override { return m_top->lookup_ready_o; }
  bool rsp_valid() const override { return m_top->rsp_valid_o; }
  void response(DmtExt& ext) const override {
    ext.hit = m_top->rsp_hit_o;
    ext.entry = m_top->rsp_entry_o;
    ext.level = ext.hit ? m_top->rsp_level_o : 1;  // the model's answer on a miss
  }
  bool reg_err() const override { return m_top->reg_err_o; }
  uint64_t reg_rdata() const override { return m_top->reg_rdata_o; }
  void trace(VerilatedFstC& waves) override { m_top->trace(&waves, 99); }

 private:
  VerilatedContext m_ctx;
  std::unique_ptr<V> m_top;
};

std::unique_ptr<DmtRtlPins> make_pins(unsigned registers, unsigned stages) {
  std::unique_ptr<DmtRtlPins> pins;
  for_each_dmt_shape([&](auto shape) {
    if (shape.registers == registers && shape.stages == stages)
      pins = std::make_unique<PinsOf<typename decltype(shape)::Model>>();
  });
  if (!pins)
    throw std::runtime_error("this build has no verilated DMT unit of " +
                             std::to_string(registers) + " registers per set and a " +
                             std::to_string(stages) + "-cycle lookup");
  return pins;
}

}  // namespace

const std::vector<DmtRtlShape>& dmt_rtl_shapes() {
  static const std::vector<DmtRtlShape> shapes = [] {
    std::vector<DmtRtlShape> v;
    for_each_dmt_shape([&](auto shape) { v.push_back({shape.registers, shape.stages}); });
    return v;
  }();
  return shapes;
}

DmtRtl::DmtRtl(sc_core::sc_module_name name, const Clock& clock, unsigned registers,
               unsigned stages_)
    : DmtUnit(name),
      stages(stages_),
      m_entries(registers),
      m_period(clock.period()),
      m_half(clock.period() / 2),
      m_pins(make_pins(registers, stages_)),
      m_busy_until(clock.period()),  // the reset cycle
      m_mirror{DmtRegisters(registers), DmtRegisters(registers), DmtRegisters(registers)} {
  m_writes.reserve(2 * kSets * m_entries * rm::kWords);
}

DmtRtl::~DmtRtl() {
  if (!m_waves) return;
  if (m_fall_pending) {
    m_pins->clock(false);
    dump(m_now);
  }
  m_waves->close();
}

void DmtRtl::trace(const std::string& path) {
  if (m_waves) throw std::runtime_error("waves are already being written");
  m_waves = std::make_unique<VerilatedFstC>();
  m_pins->trace(*m_waves);
  m_waves->set_time_unit("1ps");
  m_waves->set_time_resolution("1ps");
  m_waves->open(path.c_str());
  if (!m_waves->isOpen()) throw std::runtime_error("cannot write waves to " + path);
}

void DmtRtl::dump(const sc_core::sc_time& t) {
  if (m_waves) m_waves->dump(static_cast<uint64_t>(t / sc_core::sc_time(1, sc_core::SC_PS) + 0.5));
}

void DmtRtl::open(const sc_core::sc_time& t) {
  // With waves, a falling edge before a gap is recorded at its own time.
  if (m_fall_pending && m_waves && t > m_now) {
    m_pins->clock(false);
    dump(m_now);
    m_fall_pending = false;
  }
}

bool DmtRtl::edge(const sc_core::sc_time& t) {
  m_pins->clock(false);  // the inputs as driven (and the last cycle's falling edge)
  dump(t);
  const bool ready = m_pins->lookup_ready();
  m_pins->clock(true);
  dump(t + m_half);
  m_now = t + m_period;
  m_fall_pending = true;
  return ready;
}

void DmtRtl::reset() {
  // Reset over the first rising edge, released at the falling edge after it.
  m_pins->reset(true);
  edge(sc_core::SC_ZERO_TIME);
  m_pins->reset(false);
  m_reset = true;
}

uint64_t DmtRtl::register_op(const sc_core::sc_time& at, bool write, uint32_t addr,
                             uint64_t data) {
  // Driven for one cycle, taken at its rising edge; a read's data and an unmapped address's
  // error are registered at that edge.
  const sc_core::sc_time t = at > m_now ? at : m_now;
  open(t);
  m_pins->reg(true, write, addr, data);
  edge(t);
  m_pins->reg(false, false, 0, 0);
  if (m_pins->reg_err())
    throw std::runtime_error("DMT register interface: no register at word address " +
                             std::to_string(addr));
  return m_pins->reg_rdata();
}

void DmtRtl::flush_writes() {
  if (!m_reset) reset();
  for (const RegWrite& w : m_writes) register_op(w.at, true, w.addr, w.data);
  m_writes.clear();
  if (m_now > m_busy_until) m_busy_until = m_now;
}

sc_core::sc_time DmtRtl::free_slot() const {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  return m_busy_until > now ? m_busy_until : now;
}

void DmtRtl::check_range(unsigned set, unsigned index) const {
  if (set >= kSets || index >= m_entries)
    throw std::out_of_range("DMT register " + std::to_string(set) + "." + std::to_string(index));
}

void DmtRtl::program(unsigned set, unsigned index, const TeaRegister& r) {
  check_range(set, index);
  const std::string why = rm::unrepresentable(r);
  if (!why.empty())
    throw std::runtime_error("DMT register " + std::to_string(set) + "." + std::to_string(index) +
                             ": the RTL unit cannot hold it: " + why);
  count_program();
  m_mirror[set].program(index, r);
  const unsigned bits = rm::index_bits(m_entries);
  for (unsigned w = 0; w < rm::kWords; ++w) {
    const sc_core::sc_time at = free_slot();
    m_writes.push_back({rm::word_addr(set, index, w, bits), rm::encode(r, w), at});
    m_busy_until = at + m_period;
  }
  m_writes_end = m_busy_until;
}

TeaRegister DmtRtl::read(unsigned set, unsigned index) {
  check_range(set, index);
  flush_writes();
  const unsigned bits = rm::index_bits(m_entries);
  TeaRegister r;
  for (unsigned w = 0; w < rm::kWords; ++w)
    rm::apply(r, w, register_op(free_slot(), false, rm::word_addr(set, index, w, bits), 0));
  m_busy_until = m_now;
  return r;
}

void DmtRtl::settle() {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (m_busy_until > now) wait(m_busy_until - now);
}

void DmtRtl::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  DmtExt* ext = request(gp);
  if (!ext) return;
  const sc_core::sc_time due = sc_core::sc_time_stamp() + delay;
  if (!m_reset || !m_writes.empty()) flush_writes();
  if (due < m_writes_end)
    throw std::runtime_error(
        "the RTL DMT unit's register writes were still running when the next lookup was due; "
        "a context switch must leave time for them (software.context_switch)");

  // Handshake: present the request for a cycle (the response port is always ready, so the
  // unit takes it at the first rising edge), then clock until the response is out.
  const sc_core::sc_time start = due > m_now ? due : m_now;
  open(start);
  m_pins->lookup(true, ext->set, gp.get_address() & rm::mask(rm::kVaBits), ext->tag);
  if (!edge(start)) throw std::logic_error("the RTL DMT unit did not take a lookup");
  m_pins->lookup(false, ext->set, 0, ext->tag);
  Cycles cycles = 1;
  while (!m_pins->rsp_valid()) {
    open(m_now);
    edge(m_now);
    ++cycles;
  }
  if (m_now > m_busy_until) m_busy_until = m_now;
  m_pins->response(*ext);
  ext->cycles = cycles;
  delay += m_period * static_cast<double>(cycles);
  count_lookup(*ext);
  answer(gp, *ext);
}

unsigned int DmtRtl::transport_dbg(tlm::tlm_generic_payload& gp) {
  DmtExt* ext = request(gp);
  if (!ext) return 0;
  DmtHit hit;
  ext->hit = m_mirror[ext->set].lookup(gp.get_address(), ext->tag, hit);
  ext->entry = hit.entry;
  ext->level = hit.level;
  answer(gp, *ext);
  return 8;
}

}  // namespace mmusim
