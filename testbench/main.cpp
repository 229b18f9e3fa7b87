// mmusim: command-line entry point.
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <systemc>

#include "models/scheme_factory.h"
#include "testbench/simulation.h"
#include "testbench/stop_signal.h"
#include "testbench/sweep.h"
#include "testbench/trace_commands.h"

namespace {

int g_interrupted_by = 0;  // the stop signal that ended a run early, or 0

const char* kUsage =
    "usage: mmusim run CONFIG [--set KEY.PATH=VALUE]... [--out DIR] [--cold] [--waves FILE]\n"
    "       mmusim sweep SWEEP.yaml [-j N] [--out DIR] [--collect | --emit slurm | --point K]\n"
    "       mmusim params [CONFIG]   print every config key with its default and meaning\n"
    "       mmusim schemes           list the translation schemes: name, the --set assignments\n"
    "                                that select it, the features it accepts, what it is\n"
    "\n"
    "  --set KEY.PATH=VALUE  override a config key (VALUE is YAML: 4K, 2M, [4K,2M], 0x1000)\n"
    "  --out DIR             where stats.json, stats.txt and config.yaml go (default out/)\n"
    "  --cold                worst case: every TLB, PWC, nested TLB and CWC disabled\n"
    "  --waves FILE          dump the RTL DMT unit's signals to an FST file (mmu.dmt.impl: rtl)\n"
    "\n"
    "sweep: runs every point of the sweep file (base config + overrides + axes) as its own\n"
    "`mmusim run` into DIR/points/NNNN, N at a time (default: one per core), skipping points\n"
    "already done, and writes DIR/results.csv (DIR defaults to out/<sweep name>).\n"
    "  --collect             only write results.csv from the finished points\n"
    "  --emit slurm          write DIR/sweep.sbatch, a job array whose task K runs point K\n"
    "                        (-j N limits the tasks running at once)\n"
    "  --point K             run point K only (what a Slurm task does)\n";

std::string usage() { return std::string(kUsage) + mmusim::kTraceUsage; }

int usage_error(const std::string& message) {
  std::cerr << "mmusim: " << message << "\n" << usage();
  return 2;
}

int cmd_params(const std::vector<std::string>& args) {
  using namespace mmusim;
  ConfigDoc doc = args.empty() ? ConfigDoc::from_string("{}", "<defaults>")
                               : ConfigDoc::from_file(args[0]);
  read_sim_config(doc);
  for (const ParamInfo& p : doc.params()) {
    if (p.type == "section") continue;
    std::cout << p.path << " (" << p.type << ", default " << p.default_value;
    if (!p.allowed.empty()) std::cout << ", " << p.allowed;
    std::cout << "): " << p.description << "\n";
  }
  return 0;
}

int cmd_schemes() {
  for (const mmusim::SchemeInfo& s : mmusim::registered_schemes()) {
    std::string features;
    if (s.features.hugegpt) features += "hugegpt,";
    if (s.features.dmt) features += "dmt,";
    if (s.features.pvdmt) features += "pvdmt,";
    if (s.features.asap) features += "asap,";
    if (!features.empty()) features.pop_back();
    std::cout << s.name << "\t" << s.config << "\t" << (features.empty() ? "-" : features)
              << "\t" << s.summary << "\n";
  }
  return 0;
}

int cmd_run(const std::vector<std::string>& args) {
  using namespace mmusim;
  std::string config;
  std::vector<std::string> sets;
  RunOptions options;
  bool cold = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* flag) -> const std::string& {
      if (i + 1 >= args.size()) throw std::invalid_argument(std::string(flag) + " needs a value");
      return args[++i];
    };
    if (a == "--set") sets.push_back(value("--set"));
    else if (a.rfind("--set=", 0) == 0) sets.push_back(a.substr(6));
    else if (a == "--out") options.out_dir = value("--out");
    else if (a == "--cold") cold = true;
    else if (a == "--waves") options.waves = value("--waves");
    else if (!a.empty() && a[0] == '-') throw std::invalid_argument("unknown option " + a);
    else if (config.empty()) config = a;
    else throw std::invalid_argument("more than one config given");
  }
  if (config.empty()) throw std::invalid_argument("no config given");
  ConfigDoc doc = ConfigDoc::from_file(config);
  for (const std::string& s : sets) doc.set(s);
  if (cold) doc.set("sim.cold=true");
  SimConfig cfg = read_sim_config(doc);
  if (!options.waves.empty() && cfg.mmu.dmt_impl != DmtImpl::kRtl)
    throw std::invalid_argument("--waves dumps the RTL DMT unit's signals: it needs "
                                "mmu.dmt.impl: rtl (as in configs/dmt_rtl.yaml)");
  options.config_label = config;
  options.effective_yaml = doc.effective_yaml();
  options.progress = true;
  catch_stop_signals();
  const Summary s = run_simulation(cfg, options, std::cout);
  return s.oracle_mismatches == 0 ? 0 : 3;
}

}  // namespace

int sc_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << usage();
    return args.empty() ? 2 : 0;
  }
  const std::string cmd = args[0];
  args.erase(args.begin());
  try {
    if (cmd == "run") return cmd_run(args);
    if (cmd == "params") return cmd_params(args);
    if (cmd == "schemes") return cmd_schemes();
    if (cmd == "sweep") return mmusim::sweep_command(args, std::cout);
    if (cmd == "trace") return mmusim::cmd_trace(args, std::cout);
    return usage_error("unknown command '" + cmd + "'");
  } catch (const mmusim::Interrupted& e) {
    std::cerr << "mmusim: " << e.what() << std::endl;
    g_interrupted_by = e.signal();
    return 128 + e.signal();
  } catch (const mmusim::ConfigError& e) {
    std::cerr << "mmusim: config error: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    return usage_error(e.what());
  } catch (const std::exception& e) {
    std::cerr << "mmusim: error: " << e.what() << "\n";
    return 1;
  }
}

// Our own main, ahead of libsystemc's, so the banner setting is in place before the kernel reads
// it; sc_elab_and_sim then calls sc_main as usual.
int main(int argc, char** argv) {
  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
  // A file size limit (ulimit -f) then fails the write, which names the file, instead of
  // killing the process.
  std::signal(SIGXFSZ, SIG_IGN);
  const int rc = sc_core::sc_elab_and_sim(argc, argv);
  // A run stopped by a signal ends by that signal, after SystemC has cleaned up, so that a
  // shell or a sweep sees how it ended (exit status 128 + N).
  if (g_interrupted_by) mmusim::end_by_signal(g_interrupted_by);
  return rc;
}
