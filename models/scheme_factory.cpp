#include "models/scheme_factory.h"

#include "models/scheme_ept.h"
#include "models/scheme_native.h"
#include "models/scheme_nested.h"
#include "models/scheme_shadow.h"

namespace mmusim {

const char* virtualization_name(Virtualization v) {
  switch (v) {
    case Virtualization::kNone: return "none";
    case Virtualization::kEpt: return "ept";
    case Virtualization::kShadow: return "shadow";
    case Virtualization::kNested: return "nested";
  }
  return "?";
}

namespace {

// The registry: one row per scheme, found by the configuration's system.virtualization (and,
// nested, system.nested_walk).
struct Entry {
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
Entry entry(Virtualization virt, NestedWalk walk = NestedWalk::kShadowEpt) {
  return Entry{virt, walk, &S::features, &make<S>};
}

const Entry& find(const MachineParams& p) {
  static const Entry kSchemes[] = {
      entry<NativeScheme>(Virtualization::kNone),
      entry<EptScheme>(Virtualization::kEpt),
      entry<ShadowScheme>(Virtualization::kShadow),
      entry<NestedShadowEptScheme>(Virtualization::kNested, NestedWalk::kShadowEpt),
      entry<NestedHw3dScheme>(Virtualization::kNested, NestedWalk::kHw3d),
  };
  for (const Entry& e : kSchemes)
    if (e.virt == p.virt && (e.virt != Virtualization::kNested || e.walk == p.nested_walk))
      return e;
  throw std::logic_error("no translation scheme registered for this configuration");
}

}  // namespace

bool check_scheme(const MachineParams& params, SchemeConfigError& error) {
  const SchemeFeatures f = find(params).features();
  if (params.table_pool.enabled && !f.hugegpt) {
    error = {"hugegpt", "HugeGPT needs system.virtualization: ept"};
    return false;
  }
  if (params.dmt == DmtMode::kDmt && !f.dmt) {
    error = {"dmt", f.dmt_refusal};
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
  return find(params).make(params, mem, teas);
}

}  // namespace mmusim
