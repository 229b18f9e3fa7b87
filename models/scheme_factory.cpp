#include "models/scheme_factory.h"

#include <stdexcept>
#include <utility>

#include "models/scheme_agile.h"
#include "models/scheme_ept.h"
#include "models/scheme_native.h"
#include "models/scheme_nested.h"
#include "models/scheme_shadow.h"

namespace mmusim {

namespace {
// The configuration's names of the system.virtualization and system.nested_walk values.
constexpr std::pair<Virtualization, const char*> kVirtNames[] = {
    {Virtualization::kNone, "none"},
    {Virtualization::kEpt, "ept"},
    {Virtualization::kShadow, "shadow"},
    {Virtualization::kNested, "nested"},
    {Virtualization::kAgile, "agile"},
};
constexpr std::pair<NestedWalk, const char*> kWalkNames[] = {
    {NestedWalk::kShadowEpt, "shadow_ept"},
    {NestedWalk::kHw3d, "hw3d"},
};
}  // namespace

const char* virtualization_name(Virtualization v) {
  for (const auto& [value, name] : kVirtNames)
    if (value == v) return name;
  return "?";
}

std::vector<std::string> virtualization_names() {
  std::vector<std::string> out;
  for (const auto& entry : kVirtNames) out.push_back(entry.second);
  return out;
}

std::vector<std::string> nested_walk_names() {
  std::vector<std::string> out;
  for (const auto& entry : kWalkNames) out.push_back(entry.second);
  return out;
}

void select_by_names(const std::string& virt, const std::string& walk, MachineParams& params) {
  for (const auto& [value, name] : kVirtNames)
    if (virt == name) params.virt = value;
  for (const auto& [value, name] : kWalkNames)
    if (walk == name) params.nested_walk = value;
}

namespace {

// The registry: one row per scheme, found by the configuration's system.virtualization (and,
// nested, system.nested_walk).
struct Entry {
  const char* name;
  const char* config;
  const char* summary;
  Virtualization virt;
  NestedWalk walk;  // nested schemes only
  SchemeFeatures (*features)();
  std::unique_ptr<Scheme> (*make)(const MachineParams&, PhysMem&, TeaAllocator&);
};

template <class S>
std::unique_ptr<Scheme> make(const MachineParams& p, PhysMem& mem, TeaAllocator& teas) {
  return std::make_unique<S>(p, mem, teas);
}

template <class S>
Entry entry(const char* name, const char* config, const char* summary, Virtualization virt,
            NestedWalk walk = NestedWalk::kShadowEpt) {
  return Entry{name, config, summary, virt, walk, &S::features, &make<S>};
}

const std::vector<Entry>& entries() {
  static const std::vector<Entry> kSchemes = {
      entry<NativeScheme>("none", "system.virtualization=none", "native paging",
                          Virtualization::kNone),
      entry<EptScheme>("ept", "system.virtualization=ept",
                       "hardware walks the guest table x the EPT (2D)", Virtualization::kEpt),
      entry<ShadowScheme>("shadow", "system.virtualization=shadow",
                          "hardware walks the hypervisor's gVA -> hPA shadow tables",
                          Virtualization::kShadow),
      entry<NestedShadowEptScheme>(
          "nested_shadow_ept", "system.virtualization=nested,system.nested_walk=shadow_ept",
          "an L2 guest: L0 composes EPT02, hardware walks L2 table x EPT02 (as KVM)",
          Virtualization::kNested, NestedWalk::kShadowEpt),
      entry<NestedHw3dScheme>(
          "nested_hw3d", "system.virtualization=nested,system.nested_walk=hw3d",
          "an L2 guest: hardware walks L2 table x EPT12 x EPT01 (3D)", Virtualization::kNested,
          NestedWalk::kHw3d),
      entry<AgileScheme>("agile", "system.virtualization=agile",
                         "Agile Paging: shadow table, switching to guest table x EPT where "
                         "the guest writes its tables",
                         Virtualization::kAgile),
  };
  return kSchemes;
}

const Entry& find(const MachineParams& p) {
  for (const Entry& e : entries())
    if (e.virt == p.virt && (e.virt != Virtualization::kNested || e.walk == p.nested_walk))
      return e;
  throw std::logic_error("no translation scheme registered for this configuration");
}

}  // namespace

// The page-table kinds' own refusals, each naming both keys.
static bool check_tables(const MachineParams& p, SchemeConfigError& error) {
  if (p.host_page_table != TableKind::kRadix && p.virt == Virtualization::kNone) {
    error = {"host_page_table",
             "a host page table needs a host dimension: system.virtualization is none"};
    return false;
  }
  const bool guest_ecpt = p.page_table == TableKind::kEcpt;
  const bool ecpt = guest_ecpt || p.host_page_table == TableKind::kEcpt;
  const char* const ecpt_key = guest_ecpt ? "page_table" : "host_page_table";
  if (ecpt && p.virt != Virtualization::kNone && p.virt != Virtualization::kEpt) {
    const char* const virt = p.virt == Virtualization::kShadow   ? "shadow"
                             : p.virt == Virtualization::kNested ? "nested"
                                                                 : "agile";
    error = {ecpt_key, std::string("ECPT is modelled natively and under EPT (nested ECPT with "
                                   "both tables hashed); not with system.virtualization: ") +
                           virt};
    return false;
  }
  const bool asap = p.dmt == DmtMode::kAsap;
  if (ecpt && p.dmt != DmtMode::kOff) {
    error = {asap ? "asap" : "dmt",
             std::string(asap ? "ASAP prefetches radix PL2 and PL1 entries"
                              : "DMT's TEAs hold radix leaf tables") +
                 "; not with system." + ecpt_key + ": ecpt"};
    return false;
  }
  if (guest_ecpt && p.table_pool.enabled) {
    error = {"hugegpt",
             "HugeGPT's pool holds the guest's 4 KiB radix table pages; not with "
             "system.page_table: ecpt"};
    return false;
  }
  if (p.virt == Virtualization::kAgile && p.page_table != TableKind::kRadix) {
    error = {"page_table",
             "Agile Paging switches from a radix shadow table into the guest's radix table; "
             "not with system.page_table: " +
                 std::string(p.page_table == TableKind::kFpt ? "fpt" : "ecpt") +
                 " (system.virtualization: agile)"};
    return false;
  }
  const bool fpt = p.page_table == TableKind::kFpt || p.host_page_table == TableKind::kFpt;
  if (fpt && p.table_pool.enabled) {
    error = {"hugegpt",
             "HugeGPT's pool holds 4 KiB table pages; FPT (system.page_table or "
             "system.host_page_table: fpt) flattens into 2 MiB ones"};
    return false;
  }
  if (fpt && p.dmt != DmtMode::kOff) {
    error = {asap ? "asap" : "dmt",
             asap ? "ASAP lays out radix PL2 and PL1 tables; not with FPT (system.page_table or "
                    "system.host_page_table: fpt)"
                  : "DMT's TEAs hold radix leaf tables; not with FPT (system.page_table or "
                    "system.host_page_table: fpt)"};
    return false;
  }
  return true;
}

std::vector<SchemeInfo> registered_schemes() {
  std::vector<SchemeInfo> out;
  for (const Entry& e : entries())
    out.push_back(SchemeInfo{e.name, e.config, e.summary, e.virt, e.walk, e.features()});
  return out;
}

SchemeFeatures scheme_features(const MachineParams& params) { return find(params).features(); }

bool check_scheme(const MachineParams& params, SchemeConfigError& error) {
  const SchemeFeatures f = find(params).features();
  if (!check_tables(params, error)) return false;
  if (params.table_pool.enabled && !f.hugegpt) {
    error = {"hugegpt", "HugeGPT needs system.virtualization: ept"};
    return false;
  }
  if (params.dmt == DmtMode::kDmt && !f.dmt) {
    error = {"dmt", f.dmt_refusal};
    return false;
  }
  if (params.dmt == DmtMode::kAsap && !f.asap) {
    error = {"asap", f.asap_refusal};
    return false;
  }
  if (params.dmt == DmtMode::kPvDmt && !f.pvdmt) {
    error = {f.pvdmt_key, f.pvdmt_refusal};
    return false;
  }
  return true;
}

std::unique_ptr<Scheme> make_scheme(const MachineParams& params, PhysMem& mem,
                                    TeaAllocator& teas) {
  // The model refuses what it does not model, whoever built the params (the config reader
  // reports the same error at the key's line first).
  SchemeConfigError refused;
  if (!check_scheme(params, refused))
    throw std::invalid_argument("system." + refused.key + ": " + refused.message);
  return find(params).make(params, mem, teas);
}

}  // namespace mmusim
