// Several cores in AT: the order in which their workload items take effect. Items go round
// robin, one per core still running, whatever their timing; a core waits (in simulated time) for
// its turn, and LT's driver (System) steps the cores in the same order, so LT and AT make the
// same changes to shared state (page tables, TLBs through shootdowns, the LLC) in the same order.
#pragma once

#include <vector>

#include <systemc>

namespace mmusim {

class Turns {
 public:
  explicit Turns(unsigned cores) : m_live(cores, true), m_events(cores) {}
  // Blocks until it is core's turn.
  void wait(unsigned core) {
    while (m_turn != core) sc_core::wait(m_events[core]);
  }
  // Core's item is done: the next running core's turn.
  void pass(unsigned core) {
    const unsigned n = static_cast<unsigned>(m_live.size());
    for (unsigned i = 1; i <= n; ++i) {
      const unsigned next = (core + i) % n;
      if (m_live[next]) {
        m_turn = next;
        m_events[next].notify();
        return;
      }
    }
  }
  // Core has no more items; its turn, if it held it, passes on.
  void leave(unsigned core) {
    m_live[core] = false;
    if (m_turn == core) pass(core);
  }

 private:
  std::vector<bool> m_live;
  std::vector<sc_core::sc_event> m_events;
  unsigned m_turn = 0;
};

}  // namespace mmusim
