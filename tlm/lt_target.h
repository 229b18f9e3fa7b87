// Base for the loosely-timed targets on the translation path (MMU, TLBs, walker, memory): they
// implement the TLM-2.0 forward interface themselves behind plain target sockets, so each hop is
// one virtual call. Non-blocking calls are answered at once through b_transport; no DMI.
#pragma once

#include <systemc>
#include <tlm>

namespace mmusim {

// A target socket that any number of initiators may bind (the STLB serves both L1 TLBs).
using TargetSocket = tlm::tlm_target_socket<32, tlm::tlm_base_protocol_types, 0,
                                            sc_core::SC_ONE_OR_MORE_BOUND>;

class LtTarget : public tlm::tlm_fw_transport_if<> {
 public:
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase&,
                                     sc_core::sc_time& delay) override {
    b_transport(gp, delay);
    return tlm::TLM_COMPLETED;
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
};

}  // namespace mmusim
