// Base for the loosely-timed targets on the translation path (MMU, TLBs, walker, memory): they
// implement the TLM-2.0 forward interface themselves behind plain target sockets, so each hop is
// one virtual call. Non-blocking calls are answered at once through b_transport; no DMI.
#pragma once

#include <functional>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

// The width in bits of every mmusim socket (CMake: MMUSIM_BUS_WIDTH). A compile-time constant:
// SystemC makes BUSWIDTH a template parameter and refuses to bind sockets that differ, so one
// width is fixed for the build rather than read from the config.
#ifndef MMUSIM_BUS_WIDTH
#define MMUSIM_BUS_WIDTH 64
#endif

namespace mmusim {

inline constexpr unsigned kBusWidth = MMUSIM_BUS_WIDTH;

// A target socket that any number of initiators may bind (the STLB serves both L1 TLBs).
using TargetSocket = tlm::tlm_target_socket<kBusWidth, tlm::tlm_base_protocol_types, 0,
                                            sc_core::SC_ONE_OR_MORE_BOUND>;
template <class Module>
using InitiatorSocket = tlm_utils::simple_initiator_socket<Module, kBusWidth>;

// What binds an initiator socket to a target socket inside a module (the MMU's internal pairs).
using InitiatorSocketBase = tlm::tlm_initiator_socket<kBusWidth>;
using TargetSocketBase = tlm::tlm_base_target_socket_b<kBusWidth, tlm::tlm_fw_transport_if<>,
                                                       tlm::tlm_bw_transport_if<>>;
// Binds `from` to `to` (`pair` names them): a test splices a component, such as a protocol
// checker, between the two. Called while the module is built only, so it costs nothing later.
using SocketSplicer =
    std::function<void(const char* pair, InitiatorSocketBase& from, TargetSocketBase& to)>;

class LtTarget : public tlm::tlm_fw_transport_if<> {
 public:
  // A request is answered at once (TLM_COMPLETED), as b_transport answers it. No b_transport of
  // mmusim's waits (the RTL DMT unit is clocked on demand), so none waits here either; a target
  // bound to the walker's memory port must not wait when the MMU is driven this way (the MMU
  // checks it in AT). The base protocol has no other phase to send to a target that completes
  // every request.
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& phase,
                                     sc_core::sc_time& delay) override {
    if (phase == tlm::BEGIN_REQ) b_transport(gp, delay);
    return tlm::TLM_COMPLETED;
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
};

}  // namespace mmusim
