// The one place where cycles become SystemC time and back, through the clock period.
#pragma once

#include <systemc>

#include "models/types.h"

namespace mmusim {

class Clock {
 public:
  explicit Clock(double mhz = 2000.0)
      : m_period(sc_core::sc_time(1.0e6 / mhz, sc_core::SC_PS)) {}
  const sc_core::sc_time& period() const { return m_period; }
  sc_core::sc_time cycles(Cycles n) const { return m_period * static_cast<double>(n); }
  Cycles to_cycles(const sc_core::sc_time& t) const {
    return static_cast<Cycles>((t.value() + m_period.value() / 2) / m_period.value());
  }

 private:
  sc_core::sc_time m_period;
};

}  // namespace mmusim
