// The DMT unit shapes a build verilated (rtl/CMakeLists.txt, MMUSIM_DMT_RTL_SHAPES): for each,
// a plain C++ model class Vdmt_unit_r<registers>_d<stages> and a definition
// MMUSIM_DMT_RTL_R<registers>_D<stages>. for_each_dmt_shape(f) calls f(DmtShape<V>{registers,
// stages}) for every one built, so that code templated on the model class (the transactor's
// pins, the differential test's bench) is instantiated per shape in one place.
#pragma once

namespace mmusim {

template <class V>
struct DmtShape {
  using Model = V;
  unsigned registers;
  unsigned stages;
};

}  // namespace mmusim

#ifdef MMUSIM_DMT_RTL_R8_D1
#include "Vdmt_unit_r8_d1.h"
#endif
#ifdef MMUSIM_DMT_RTL_R8_D2
#include "Vdmt_unit_r8_d2.h"
#endif
#ifdef MMUSIM_DMT_RTL_R8_D3
#include "Vdmt_unit_r8_d3.h"
#endif
#ifdef MMUSIM_DMT_RTL_R16_D1
#include "Vdmt_unit_r16_d1.h"
#endif
#ifdef MMUSIM_DMT_RTL_R16_D2
#include "Vdmt_unit_r16_d2.h"
#endif
#ifdef MMUSIM_DMT_RTL_R16_D3
#include "Vdmt_unit_r16_d3.h"
#endif
#ifdef MMUSIM_DMT_RTL_R32_D1
#include "Vdmt_unit_r32_d1.h"
#endif
#ifdef MMUSIM_DMT_RTL_R32_D2
#include "Vdmt_unit_r32_d2.h"
#endif
#ifdef MMUSIM_DMT_RTL_R32_D3
#include "Vdmt_unit_r32_d3.h"
#endif
#ifdef MMUSIM_DMT_RTL_R64_D1
#include "Vdmt_unit_r64_d1.h"
#endif
#ifdef MMUSIM_DMT_RTL_R64_D2
#include "Vdmt_unit_r64_d2.h"
#endif
#ifdef MMUSIM_DMT_RTL_R64_D3
#include "Vdmt_unit_r64_d3.h"
#endif

namespace mmusim {

template <class F>
void for_each_dmt_shape(F&& f) {
#ifdef MMUSIM_DMT_RTL_R8_D1
  f(DmtShape<Vdmt_unit_r8_d1>{8, 1});
#endif
#ifdef MMUSIM_DMT_RTL_R8_D2
  f(DmtShape<Vdmt_unit_r8_d2>{8, 2});
#endif
#ifdef MMUSIM_DMT_RTL_R8_D3
  f(DmtShape<Vdmt_unit_r8_d3>{8, 3});
#endif
#ifdef MMUSIM_DMT_RTL_R16_D1
  f(DmtShape<Vdmt_unit_r16_d1>{16, 1});
#endif
#ifdef MMUSIM_DMT_RTL_R16_D2
  f(DmtShape<Vdmt_unit_r16_d2>{16, 2});
#endif
#ifdef MMUSIM_DMT_RTL_R16_D3
  f(DmtShape<Vdmt_unit_r16_d3>{16, 3});
#endif
#ifdef MMUSIM_DMT_RTL_R32_D1
  f(DmtShape<Vdmt_unit_r32_d1>{32, 1});
#endif
#ifdef MMUSIM_DMT_RTL_R32_D2
  f(DmtShape<Vdmt_unit_r32_d2>{32, 2});
#endif
#ifdef MMUSIM_DMT_RTL_R32_D3
  f(DmtShape<Vdmt_unit_r32_d3>{32, 3});
#endif
#ifdef MMUSIM_DMT_RTL_R64_D1
  f(DmtShape<Vdmt_unit_r64_d1>{64, 1});
#endif
#ifdef MMUSIM_DMT_RTL_R64_D2
  f(DmtShape<Vdmt_unit_r64_d2>{64, 2});
#endif
#ifdef MMUSIM_DMT_RTL_R64_D3
  f(DmtShape<Vdmt_unit_r64_d3>{64, 3});
#endif
}

}  // namespace mmusim
