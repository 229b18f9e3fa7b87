#include "protocol_checker.h"

#include <sstream>
#include <stdexcept>

namespace mmusim {

unsigned ProtocolChecker::s_nb_depth = 0;

namespace {

const char* status_name(tlm::tlm_sync_enum s) {
  switch (s) {
    case tlm::TLM_ACCEPTED: return "TLM_ACCEPTED";
    case tlm::TLM_UPDATED: return "TLM_UPDATED";
    case tlm::TLM_COMPLETED: return "TLM_COMPLETED";
  }
  return "an unknown status";
}

// Keeps s_nb_depth right however the call ends.
struct Depth {
  explicit Depth(unsigned& d) : depth(d) { ++depth; }
  ~Depth() { --depth; }
  unsigned& depth;
};

}  // namespace

ProtocolChecker::Fields::Fields(const tlm::tlm_generic_payload& gp)
    : command(gp.get_command()), address(gp.get_address()), data(gp.get_data_ptr()),
      length(gp.get_data_length()), streaming_width(gp.get_streaming_width()),
      byte_enable_length(gp.get_byte_enable_length()), byte_enable(gp.get_byte_enable_ptr()) {}

ProtocolChecker::ProtocolChecker(sc_core::sc_module_name name)
    : sc_module(name), target("target"), initiator("initiator") {
  target.bind(*this);
  initiator.bind(*this);
}

void ProtocolChecker::violation(const std::string& what, const tlm::tlm_generic_payload& gp) {
  std::ostringstream s;
  s << name() << ": " << what << " (payload at address 0x" << std::hex << gp.get_address()
    << std::dec << ", " << sc_core::sc_time_stamp() << ")";
  m_violations.push_back(s.str());
}

void ProtocolChecker::check_request(const tlm::tlm_generic_payload& gp, const char* call) {
  const std::string c = call;
  const tlm::tlm_command cmd = gp.get_command();
  if (cmd != tlm::TLM_READ_COMMAND && cmd != tlm::TLM_WRITE_COMMAND &&
      cmd != tlm::TLM_IGNORE_COMMAND)
    violation(c + ": the command is none of read, write, ignore", gp);
  if (!gp.get_data_ptr()) violation(c + ": no data pointer", gp);
  if (gp.get_data_length() == 0) violation(c + ": a data length of 0", gp);
  if (gp.get_streaming_width() == 0) violation(c + ": a streaming width of 0", gp);
  if (gp.get_byte_enable_ptr() && gp.get_byte_enable_length() == 0)
    violation(c + ": byte enables with a byte-enable length of 0", gp);
  if (!gp.get_byte_enable_ptr() && gp.get_byte_enable_length() != 0)
    violation(c + ": a byte-enable length without byte enables", gp);
  if (gp.get_response_status() != tlm::TLM_INCOMPLETE_RESPONSE)
    violation(c + ": the response status is not TLM_INCOMPLETE_RESPONSE on entry", gp);
  // A delay is an sc_time, which cannot be negative: nothing to check there.
}

void ProtocolChecker::check_unchanged(const Fields& before, const tlm::tlm_generic_payload& gp,
                                      const char* when) {
  const Fields now(gp);
  const std::string w = when;
  if (now.command != before.command) violation(w + ": the command was changed", gp);
  if (now.address != before.address) violation(w + ": the address was changed", gp);
  if (now.data != before.data) violation(w + ": the data pointer was changed", gp);
  if (now.length != before.length) violation(w + ": the data length was changed", gp);
  if (now.streaming_width != before.streaming_width)
    violation(w + ": the streaming width was changed", gp);
  if (now.byte_enable != before.byte_enable || now.byte_enable_length != before.byte_enable_length)
    violation(w + ": the byte enables were changed", gp);
}

void ProtocolChecker::check_response(const tlm::tlm_generic_payload& gp, const char* when) {
  if (gp.get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE)
    violation(std::string(when) + ": the response status is still TLM_INCOMPLETE_RESPONSE", gp);
}

void ProtocolChecker::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  ++m_calls;
  check_request(gp, "b_transport");
  if (m_txns.count(&gp)) violation("b_transport of a transaction open on nb_transport", gp);
  const Fields before(gp);
  m_last_delay = delay;
  const sc_core::sc_time local = sc_core::sc_time_stamp() + delay;
  const NoWait entry;
  initiator->b_transport(gp, delay);
  // b_transport may wait, unless it was called (through any component) inside nb_transport.
  if (s_nb_depth > 0 && entry.waited())
    violation("b_transport waited inside an nb_transport call", gp);
  check_unchanged(before, gp, "b_transport");
  check_response(gp, "b_transport's return");
  // The target adds to the caller's local time: it never moves it back.
  if (sc_core::sc_time_stamp() + delay < local)
    violation("b_transport returned a time before the one it was called with", gp);
}

unsigned int ProtocolChecker::transport_dbg(tlm::tlm_generic_payload& gp) {
  ++m_calls;
  const tlm::tlm_command cmd = gp.get_command();
  if (cmd != tlm::TLM_READ_COMMAND && cmd != tlm::TLM_WRITE_COMMAND)
    violation("transport_dbg: the command is neither read nor write", gp);
  if (gp.get_data_length() > 0 && !gp.get_data_ptr())
    violation("transport_dbg: a data length without a data pointer", gp);
  const Fields before(gp);
  const NoWait entry;
  const unsigned n = initiator->transport_dbg(gp);
  if (entry.waited()) violation("transport_dbg waited", gp);
  check_unchanged(before, gp, "transport_dbg");
  if (n > gp.get_data_length())
    violation("transport_dbg returned more bytes than the data length", gp);
  return n;
}

bool ProtocolChecker::get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) {
  ++m_calls;
  const NoWait entry;
  const bool granted = initiator->get_direct_mem_ptr(gp, dmi);
  if (entry.waited()) violation("get_direct_mem_ptr waited", gp);
  if (granted && (!dmi.get_dmi_ptr() || dmi.get_start_address() > dmi.get_end_address()))
    violation("get_direct_mem_ptr granted an empty or pointerless region", gp);
  return granted;
}

void ProtocolChecker::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  if (start > end) {
    tlm::tlm_generic_payload none;
    violation("invalidate_direct_mem_ptr: start after end", none);
  }
  target->invalidate_direct_mem_ptr(start, end);
}

void ProtocolChecker::begin_request(tlm::tlm_generic_payload& gp, const sc_core::sc_time& at) {
  check_request(gp, "nb_transport_fw(BEGIN_REQ)");
  if (m_txns.count(&gp)) {
    violation("BEGIN_REQ for a transaction already in progress", gp);
    m_txns.erase(&gp);
  }
  if (m_open_request)
    violation("BEGIN_REQ before END_REQ of the previous request (request exclusion rule)", gp);
  m_txns.emplace(&gp, Txn{tlm::BEGIN_REQ, at, Fields(gp)});
  m_open_request = &gp;
}

void ProtocolChecker::complete(tlm::tlm_generic_payload& gp, const char* where) {
  auto it = m_txns.find(&gp);
  if (it != m_txns.end()) {
    check_unchanged(it->second.fields, gp, where);
    m_txns.erase(it);
  }
  if (m_open_request == &gp) m_open_request = nullptr;
  if (m_open_response == &gp) m_open_response = nullptr;
}

void ProtocolChecker::advance(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase,
                              const sc_core::sc_time& at, const char* where) {
  const std::string w = std::string(where) + ": ";
  auto it = m_txns.find(&gp);
  if (it == m_txns.end()) {
    violation(w + std::string(phase.get_name()) + " for a transaction not in progress", gp);
    return;
  }
  Txn& t = it->second;
  const tlm::tlm_phase last = t.phase;
  // The base protocol's sequence: BEGIN_REQ, END_REQ (which BEGIN_RESP may imply), BEGIN_RESP,
  // END_RESP.
  const bool requested = last == tlm::BEGIN_REQ || last == tlm::END_REQ;
  const bool legal = (phase == tlm::END_REQ && last == tlm::BEGIN_REQ) ||
                     (phase == tlm::BEGIN_RESP && requested) ||
                     (phase == tlm::END_RESP && last == tlm::BEGIN_RESP);
  if (!legal)
    violation(w + std::string(phase.get_name()) + " after " + last.get_name(), gp);
  if (at < t.at) violation(w + std::string(phase.get_name()) + " timed before " + last.get_name(),
                           gp);
  if (phase == tlm::END_REQ || phase == tlm::BEGIN_RESP) {
    if (m_open_request == &gp) m_open_request = nullptr;
  }
  if (phase == tlm::BEGIN_RESP) {
    check_response(gp, (w + "BEGIN_RESP").c_str());
    check_unchanged(t.fields, gp, (w + "BEGIN_RESP").c_str());
    if (m_open_response && m_open_response != &gp)
      violation(w + "BEGIN_RESP before END_RESP of the previous response (response exclusion "
                "rule)", gp);
    m_open_response = &gp;
  }
  if (phase == tlm::END_RESP) {
    complete(gp, where);
    return;
  }
  t.phase = phase;
  t.at = at;
}

void ProtocolChecker::returned(tlm::tlm_generic_payload& gp, tlm::tlm_sync_enum status,
                               const tlm::tlm_phase& sent, const tlm::tlm_phase& back,
                               const sc_core::sc_time& at, const char* call) {
  const std::string c = call;
  if (status == tlm::TLM_ACCEPTED) {
    if (back != sent) violation(c + " changed the phase but returned TLM_ACCEPTED", gp);
  } else if (status == tlm::TLM_UPDATED) {
    if (back == sent) violation(c + " returned TLM_UPDATED with the phase unchanged", gp);
    else advance(gp, back, at, (c + "'s return").c_str());
  } else if (status == tlm::TLM_COMPLETED) {
    // Completed early: the response is there, whatever phase the transaction was in.
    if (m_txns.count(&gp) && m_txns.at(&gp).phase != tlm::BEGIN_RESP)
      check_response(gp, (c + " returning TLM_COMPLETED").c_str());
    complete(gp, (c + "'s return").c_str());
  } else {
    violation(c + " returned " + status_name(status), gp);
  }
}

tlm::tlm_sync_enum ProtocolChecker::nb_transport_fw(tlm::tlm_generic_payload& gp,
                                                    tlm::tlm_phase& phase,
                                                    sc_core::sc_time& delay) {
  ++m_calls;
  const Depth depth(s_nb_depth);
  const tlm::tlm_phase sent = phase;
  const sc_core::sc_time at = sc_core::sc_time_stamp() + delay;
  if (sent == tlm::BEGIN_REQ)
    begin_request(gp, at);
  else if (sent == tlm::END_RESP)
    advance(gp, sent, at, "nb_transport_fw");
  else
    violation("nb_transport_fw sent " + std::string(sent.get_name()) +
              ", not a forward phase of the base protocol", gp);
  const NoWait entry;
  const tlm::tlm_sync_enum status = initiator->nb_transport_fw(gp, phase, delay);
  if (entry.waited()) violation("nb_transport_fw waited", gp);
  const sc_core::sc_time back = sc_core::sc_time_stamp() + delay;
  if (back < at) violation("nb_transport_fw returned a time before its call's", gp);
  returned(gp, status, sent, phase, back, "nb_transport_fw");
  return status;
}

tlm::tlm_sync_enum ProtocolChecker::nb_transport_bw(tlm::tlm_generic_payload& gp,
                                                    tlm::tlm_phase& phase,
                                                    sc_core::sc_time& delay) {
  const Depth depth(s_nb_depth);
  const tlm::tlm_phase sent = phase;
  const sc_core::sc_time at = sc_core::sc_time_stamp() + delay;
  if (sent == tlm::END_REQ || sent == tlm::BEGIN_RESP)
    advance(gp, sent, at, "nb_transport_bw");
  else
    violation("nb_transport_bw sent " + std::string(sent.get_name()) +
              ", not a backward phase of the base protocol", gp);
  const NoWait entry;
  const tlm::tlm_sync_enum status = target->nb_transport_bw(gp, phase, delay);
  if (entry.waited()) violation("nb_transport_bw waited", gp);
  const sc_core::sc_time back = sc_core::sc_time_stamp() + delay;
  if (back < at) violation("nb_transport_bw returned a time before its call's", gp);
  if (status == tlm::TLM_UPDATED && !(sent == tlm::BEGIN_RESP && phase == tlm::END_RESP))
    violation("nb_transport_bw returned TLM_UPDATED with " + std::string(phase.get_name()) +
              " for " + sent.get_name(), gp);
  else
    returned(gp, status, sent, phase, back, "nb_transport_bw");
  return status;
}

void ProtocolCheckers::bind(const char* pair, InitiatorSocketBase& from, TargetSocketBase& to) {
  m_checkers.push_back(std::make_unique<ProtocolChecker>(
      sc_core::sc_gen_unique_name((std::string("checker_") + pair).c_str())));
  from.bind(m_checkers.back()->target);
  m_checkers.back()->initiator.bind(to);
}

const ProtocolChecker& ProtocolCheckers::at(const std::string& pair) const {
  for (const auto& c : m_checkers)
    if (std::string(c->basename()).rfind("checker_" + pair, 0) == 0) return *c;
  throw std::out_of_range("no checker on " + pair);
}

std::vector<std::string> ProtocolCheckers::violations() const {
  std::vector<std::string> all;
  for (const auto& c : m_checkers) all.insert(all.end(), c->violations().begin(),
                                              c->violations().end());
  return all;
}

size_t ProtocolCheckers::open_transactions() const {
  size_t n = 0;
  for (const auto& c : m_checkers) n += c->open_transactions();
  return n;
}

}  // namespace mmusim
