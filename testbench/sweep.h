// `mmusim sweep`: runs the points of a sweep file as parallel `mmusim run` processes, each into
// its own directory, resumably (finished points are kept, killed ones rerun), and gathers their
// stats into results.csv; or writes a Slurm job array that runs the same points elsewhere.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace mmusim {

struct SweepOptions {
  enum class Mode {
    kRun,        // run the missing points here, then write results.csv
    kCollect,    // write results.csv from the points already finished
    kEmitSlurm,  // write an sbatch job-array script whose task k runs point k
    kPoint,      // run point `point` only (what a Slurm task does)
  };
  std::string file;     // the sweep file
  std::string out_dir;  // empty: out/<sweep file's name without extension>
  unsigned jobs = 0;    // points run at once (0: one per available core); kEmitSlurm: array limit
  Mode mode = Mode::kRun;
  size_t point = 0;
};

// Returns the exit code: 0 when every point succeeded, 1 when some failed (or, collecting, are
// missing), 128 + the signal when interrupted. Throws ConfigError for a bad sweep file, a point
// whose config is invalid, or an output directory holding points of another sweep.
int run_sweep(const SweepOptions& options, std::ostream& out);

// `mmusim sweep ARGS...`: parses the options (std::invalid_argument for a usage error) and runs.
int sweep_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace mmusim
