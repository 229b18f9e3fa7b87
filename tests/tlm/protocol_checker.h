// A TLM-2.0 base-protocol checker (IEEE 1666-2011, clauses 11, 14 and 15): a pass-through module
// spliced between an initiator socket and a target socket. It forwards every call of the forward
// and backward interfaces unchanged and records each rule a call breaks: payload attributes,
// response status, timing annotations, phase sequence per transaction, the request and response
// exclusion rules, and that nb_transport and transport_dbg never wait. Tests assert it recorded
// nothing. ProtocolCheckers owns a set of them and splices one into each pair it is given.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "tlm/lt_target.h"

namespace mmusim {

class ProtocolChecker : public sc_core::sc_module,
                        public tlm::tlm_fw_transport_if<>,
                        public tlm::tlm_bw_transport_if<> {
 public:
  tlm::tlm_target_socket<kBusWidth> target;        // bound by the initiator
  tlm::tlm_initiator_socket<kBusWidth> initiator;  // binds the target

  explicit ProtocolChecker(sc_core::sc_module_name name);

  const std::vector<std::string>& violations() const { return m_violations; }
  uint64_t calls() const { return m_calls; }  // forward calls seen (all four kinds)
  // Transactions begun with nb_transport_fw and not yet completed.
  size_t open_transactions() const { return m_txns.size(); }
  // The delay the last b_transport was called with (the initiator's local time).
  const sc_core::sc_time& last_b_transport_delay() const { return m_last_delay; }

  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi) override;
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp) override;
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override;
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) override;

 private:
  // The attributes neither a target nor an interconnect may change (the address is checked
  // too: no mmusim component between the pairs remaps addresses).
  struct Fields {
    tlm::tlm_command command;
    sc_dt::uint64 address;
    unsigned char* data;
    unsigned length, streaming_width, byte_enable_length;
    unsigned char* byte_enable;
    explicit Fields(const tlm::tlm_generic_payload& gp);
  };
  // A transaction in flight on the non-blocking path: its last phase and that phase's time.
  struct Txn {
    tlm::tlm_phase phase;
    sc_core::sc_time at;
    Fields fields;
  };
  // Kernel time and delta count on entry to a call that must not wait.
  struct NoWait {
    sc_core::sc_time stamp = sc_core::sc_time_stamp();
    sc_dt::uint64 delta = sc_core::sc_delta_count();
    bool waited() const {
      return sc_core::sc_time_stamp() != stamp || sc_core::sc_delta_count() != delta;
    }
  };

  void violation(const std::string& what, const tlm::tlm_generic_payload& gp);
  void check_request(const tlm::tlm_generic_payload& gp, const char* call);
  void check_unchanged(const Fields& before, const tlm::tlm_generic_payload& gp,
                       const char* when);
  void check_response(const tlm::tlm_generic_payload& gp, const char* when);
  void begin_request(tlm::tlm_generic_payload& gp, const sc_core::sc_time& at);
  // A phase reached on either path: checks it may follow the transaction's last one, then
  // moves the transaction on (or ends it: `completed`).
  void advance(tlm::tlm_generic_payload& gp, const tlm::tlm_phase& phase,
               const sc_core::sc_time& at, const char* where);
  void complete(tlm::tlm_generic_payload& gp, const char* where);
  void returned(tlm::tlm_generic_payload& gp, tlm::tlm_sync_enum status,
                const tlm::tlm_phase& sent, const tlm::tlm_phase& back,
                const sc_core::sc_time& at, const char* call);

  std::vector<std::string> m_violations;
  uint64_t m_calls = 0;
  sc_core::sc_time m_last_delay;
  std::map<const tlm::tlm_generic_payload*, Txn> m_txns;
  const tlm::tlm_generic_payload* m_open_request = nullptr;   // BEGIN_REQ without END_REQ
  const tlm::tlm_generic_payload* m_open_response = nullptr;  // BEGIN_RESP without END_RESP
  static unsigned s_nb_depth;  // nb_transport calls in progress, through any checker
};

// Checkers spliced into socket pairs; the test asserts none recorded a violation.
class ProtocolCheckers {
 public:
  // Binds from -> a new checker -> to; `pair` names the checker.
  void bind(const char* pair, InitiatorSocketBase& from, TargetSocketBase& to);
  // For Mmu's constructor: a checker into each of its internal pairs.
  SocketSplicer splicer() {
    return [this](const char* pair, InitiatorSocketBase& from, TargetSocketBase& to) {
      bind(pair, from, to);
    };
  }
  const ProtocolChecker& at(const std::string& pair) const;
  size_t size() const { return m_checkers.size(); }
  // Every violation, each line led by its checker's name; and the transactions left open.
  std::vector<std::string> violations() const;
  size_t open_transactions() const;

 private:
  std::vector<std::unique_ptr<ProtocolChecker>> m_checkers;
};

}  // namespace mmusim
