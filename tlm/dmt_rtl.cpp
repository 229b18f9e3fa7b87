#include "tlm/dmt_rtl.h"

#include <stdexcept>

#include "Vdmt_unit.h"
#include "models/dmt_regmap.h"
#include "verilated.h"
#include "verilated_fst_sc.h"

namespace mmusim {

namespace rm = dmt_regmap;

DmtRtl::DmtRtl(sc_core::sc_module_name name, const Clock& clock)
    : DmtUnit(name),
      // Falling edges on the core's cycle boundaries (the first at 0), rising edges half-way.
      m_clk("clk", clock.period(), 0.5, sc_core::SC_ZERO_TIME, false),
      m_gclk("gclk"),
      m_rst_n("rst_n", false),
      m_reg_req("reg_req"),
      m_reg_we("reg_we"),
      m_reg_rvalid("reg_rvalid"),
      m_reg_err("reg_err"),
      m_reg_addr("reg_addr"),
      m_reg_wdata("reg_wdata"),
      m_reg_rdata("reg_rdata"),
      m_lookup_valid("lookup_valid"),
      m_lookup_ready("lookup_ready"),
      m_lookup_set("lookup_set"),
      m_lookup_tag("lookup_tag"),
      m_lookup_va("lookup_va"),
      m_rsp_valid("rsp_valid"),
      m_rsp_ready("rsp_ready", true),
      m_rsp_hit("rsp_hit"),
      m_rsp_index("rsp_index"),
      m_rsp_level("rsp_level"),
      m_rsp_entry("rsp_entry"),
      m_mirror{DmtRegisters(kEntries), DmtRegisters(kEntries), DmtRegisters(kEntries)} {
  Verilated::traceEverOn(true);  // before the model exists, so trace() can attach later
  m_rtl = std::make_unique<Vdmt_unit>("rtl");
  Vdmt_unit& u = *m_rtl;
  u.clk_i(m_gclk);
  u.rst_ni(m_rst_n);
  u.reg_req_i(m_reg_req);
  u.reg_we_i(m_reg_we);
  u.reg_addr_i(m_reg_addr);
  u.reg_wdata_i(m_reg_wdata);
  u.reg_rvalid_o(m_reg_rvalid);
  u.reg_err_o(m_reg_err);
  u.reg_rdata_o(m_reg_rdata);
  u.lookup_valid_i(m_lookup_valid);
  u.lookup_ready_o(m_lookup_ready);
  u.lookup_set_i(m_lookup_set);
  u.lookup_va_i(m_lookup_va);
  u.lookup_tag_i(m_lookup_tag);
  u.rsp_valid_o(m_rsp_valid);
  u.rsp_ready_i(m_rsp_ready);
  u.rsp_hit_o(m_rsp_hit);
  u.rsp_index_o(m_rsp_index);
  u.rsp_entry_o(m_rsp_entry);
  u.rsp_level_o(m_rsp_level);
  m_ops.reserve(2 * kSets * kEntries * rm::kWords);
  SC_HAS_PROCESS(DmtRtl);
  SC_THREAD(register_port);
  SC_METHOD(clock_gate);
}

DmtRtl::~DmtRtl() {
  if (m_waves) m_waves->close();
}

void DmtRtl::trace(const std::string& path) {
  if (m_waves) throw std::runtime_error("waves are already being written");
  m_waves = std::make_unique<VerilatedFstSc>();
  m_rtl->trace(m_waves.get(), 99);
  m_waves->open(path.c_str());
  if (!m_waves->isOpen()) throw std::runtime_error("cannot write waves to " + path);
}

void DmtRtl::post(const RegOp& op) {
  m_ops.push_back(op);
  m_busy = true;
  if (sc_core::sc_is_running()) m_posted.notify(sc_core::SC_ZERO_TIME);
}

void DmtRtl::program(unsigned set, unsigned index, const TeaRegister& r) {
  if (set >= kSets || index >= kEntries)
    throw std::out_of_range("DMT register " + std::to_string(set) + "." + std::to_string(index));
  const std::string why = rm::unrepresentable(r);
  if (!why.empty())
    throw std::runtime_error("DMT register " + std::to_string(set) + "." + std::to_string(index) +
                             ": the RTL unit cannot hold it: " + why);
  count_program();
  m_mirror[set].program(index, r);
  const unsigned bits = rm::index_bits(kEntries);
  for (unsigned w = 0; w < rm::kWords; ++w)
    post({rm::word_addr(set, index, w, bits), rm::encode(r, w), nullptr});
}

TeaRegister DmtRtl::read(unsigned set, unsigned index) {
  if (set >= kSets || index >= kEntries)
    throw std::out_of_range("DMT register " + std::to_string(set) + "." + std::to_string(index));
  uint64_t words[rm::kWords] = {};
  const unsigned bits = rm::index_bits(kEntries);
  for (unsigned w = 0; w < rm::kWords; ++w)
    post({rm::word_addr(set, index, w, bits), 0, &words[w]});
  wait_registers();
  TeaRegister r;
  for (unsigned w = 0; w < rm::kWords; ++w) rm::apply(r, w, words[w]);
  return r;
}

void DmtRtl::wait_registers() {
  while (m_busy) wait(m_done);
}

void DmtRtl::settle() { wait_registers(); }

void DmtRtl::clock_gate() {
  // The enable passes while the clock is low, so the gated clock has whole pulses only.
  const bool clk = m_clk.read();
  if (!clk) m_gate_open = m_clock_users > 0;
  m_gclk.write(clk && m_gate_open);
  if (m_gate_open || m_clock_users > 0)
    next_trigger(m_clk.value_changed_event() | m_gate_changed);
  else
    next_trigger(m_gate_changed);
}

void DmtRtl::clock_on() {
  if (m_clock_users++ == 0) m_gate_changed.notify();
}

void DmtRtl::clock_off() {
  if (--m_clock_users == 0) m_gate_changed.notify();
}

void DmtRtl::register_port() {
  // Reset over the first rising edge, released at the falling edge after it.
  clock_on();
  wait(m_gclk.posedge_event());
  wait(m_gclk.negedge_event());
  m_rst_n.write(true);
  for (;;) {
    if (m_next == m_ops.size()) {
      m_ops.clear();
      m_next = 0;
      m_busy = false;
      m_done.notify();
      clock_off();
      wait(m_posted);
      clock_on();
      continue;
    }
    // One operation per cycle: driven between edges, taken at the rising edge; a read's data
    // comes with the next rising edge and is sampled at the falling edge after it.
    const RegOp op = m_ops[m_next];  // a copy: program() may grow the queue meanwhile
    m_reg_req.write(true);
    m_reg_we.write(op.result == nullptr);
    m_reg_addr.write(op.addr);
    m_reg_wdata.write(op.data);
    wait(m_gclk.posedge_event());
    m_reg_req.write(false);
    wait(m_gclk.negedge_event());
    if (m_reg_err.read())
      throw std::runtime_error("DMT register interface: no register at word address " +
                               std::to_string(op.addr));
    if (op.result) *op.result = m_reg_rdata.read();
    ++m_next;
  }
}

void DmtRtl::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  DmtExt* ext = request(gp);
  if (!ext) return;
  // Sync: the lookup starts at the initiator's local time, once posted writes are in.
  const sc_core::sc_time start = sc_core::sc_time_stamp() + delay;
  wait_registers();
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (now > start)
    throw std::runtime_error(
        "the RTL DMT unit's register writes were still running when the next lookup was due; "
        "a context switch must leave time for them (software.context_switch)");
  if (now < start) wait(start - now);
  delay = sc_core::SC_ZERO_TIME;

  // Handshake: present the request; count rising edges until the response is out.
  m_lookup_valid.write(true);
  m_lookup_set.write(ext->set);
  m_lookup_tag.write(ext->tag);
  m_lookup_va.write(gp.get_address() & rm::mask(rm::kVaBits));
  clock_on();
  Cycles cycles = 0;
  bool accepted = false;
  for (;;) {
    wait(m_gclk.posedge_event());
    if (!accepted && m_lookup_ready.read()) {  // sampled before the edge: taken at it
      accepted = true;
      m_lookup_valid.write(false);
    }
    wait(m_gclk.negedge_event());
    ++cycles;
    if (accepted && m_rsp_valid.read()) break;
  }
  clock_off();
  ext->hit = m_rsp_hit.read();
  ext->entry = m_rsp_entry.read();
  ext->level = ext->hit ? m_rsp_level.read() : 1;  // the model's answer on a miss
  ext->cycles = cycles;
  count_lookup(*ext);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int DmtRtl::transport_dbg(tlm::tlm_generic_payload& gp) {
  DmtExt* ext = request(gp);
  if (!ext) return 0;
  DmtHit hit;
  ext->hit = m_mirror[ext->set].lookup(gp.get_address(), ext->tag, hit);
  ext->entry = hit.entry;
  ext->level = hit.level;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  return 8;
}

}  // namespace mmusim
