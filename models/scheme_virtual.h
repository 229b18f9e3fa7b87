// What every virtualized scheme shares: guest address spaces in guest-physical memory, a host
// dimension below them (the EPT, EPT01, or under shadow paging the hypervisor's own map), the
// hypervisor backing guest-physical pages, and the composed oracle.
#pragma once

#include "models/scheme.h"

namespace mmusim {

class VirtualScheme : public Scheme {
 public:
  std::string describe() const override;
  AddressSpace* host_space() override { return m_host.get(); }
  bool truth(uint16_t asid, Addr va, Mapping& out) const override;
  bool host_truth(Addr gpa, Mapping& out) const override;
  bool populate(uint16_t asid, Addr va) override;
  uint32_t tea_tag(uint16_t asid) const override { return context(asid).key(); }
  ShootdownPath shootdown_path() const override { return {true, false, false}; }
  bool tea_hypercall() const override { return m_teas.mode() == DmtMode::kPvDmt; }
  TeaBacking back_tea(uint64_t pages, Addr base, Addr& reg_base, uint64_t& backed) override;
  void report_memory(StatsVisitor& v) const override;
  // Maps a guest-physical address through every host dimension below it.
  Backing& guest_backing() { return *m_guest_backing; }

 protected:
  // The host dimension `host_name` (EPT or EPT01) over host memory.
  VirtualScheme(const MachineParams& params, PhysMem& mem, TeaAllocator& teas,
                const char* host_name);
  // The guest's frames and table pages, backed through `chain` (after the host dimensions).
  void init_guest(Backing& chain);
  // The hypervisor backs a guest-physical page if it is not yet: the handler's cycles.
  Cycles back(Addr gpa, const SoftwareCosts& costs);
  Handled ept_violation(const Fault& fault, Software& sw) override;
  std::runtime_error space_memory_exhausted() const override;
  // The stats group name of the host dimension.
  virtual const char* host_report_name() const { return m_host->name().c_str(); }
  [[noreturn]] static void host_memory_exhausted();

  std::unique_ptr<AddressSpace> m_host;     // EPT, shadow pmap, or EPT01
  std::unique_ptr<Backing> m_host_backing;  // through m_host
  std::unique_ptr<FrameAllocator> m_guest_frames;
  std::unique_ptr<GuestTableMemory> m_guest_tables;
  Backing* m_guest_backing = nullptr;  // what guest-physical memory goes through
};

}  // namespace mmusim
