// Fuzz harness: the YAML config reader with --set overrides, as `mmusim run CONFIG --set ...`
// reads them. Input: leading lines "--set KEY.PATH=VALUE" (at most 16), then the YAML document.
// A ConfigError is the documented answer to bad input; anything else is a finding. A config that
// reads must read again, to the same values, from the effective YAML `mmusim run` writes.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "testbench/sim_config.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

constexpr size_t kMaxSets = 16;

struct Input {
  std::vector<std::string> sets;
  std::string yaml;
};

Input split(const uint8_t* data, size_t size) {
  Input in;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string marker = "--set ";
  size_t pos = 0;
  while (in.sets.size() < kMaxSets && text.compare(pos, marker.size(), marker) == 0) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    in.sets.push_back(text.substr(pos + marker.size(), nl - pos - marker.size()));
    pos = nl < text.size() ? nl + 1 : nl;
  }
  in.yaml = text.substr(pos);
  return in;
}

// Reads a config the way cmd_run does; the effective YAML on success, or a ConfigError.
std::string read(const std::string& yaml, const std::vector<std::string>& sets) {
  mmusim::ConfigDoc doc = mmusim::ConfigDoc::from_string(yaml, "fuzz.yaml");
  for (const std::string& s : sets) doc.set(s);
  mmusim::read_sim_config(doc);
  return doc.effective_yaml();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Input in = split(data, size);
  std::string effective;
  try {
    effective = read(in.yaml, in.sets);
  } catch (const mmusim::ConfigError&) {
    return 0;
  } catch (const std::exception& e) {
    mmusim::fuzz::unexpected(e);
  }
  std::string again;
  try {
    again = read(effective, {});
  } catch (const std::exception& e) {
    mmusim::fuzz::finding(std::string("the effective config does not read back: ") + e.what() +
                          "\n" + effective);
  }
  if (again != effective)
    mmusim::fuzz::finding("the effective config reads back differently:\n" + effective +
                          "---\n" + again);
  return 0;
}
