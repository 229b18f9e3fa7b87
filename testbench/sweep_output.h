// A sweep's output directory: one directory per point (points/NNNN) holding what `mmusim run`
// writes plus the point's identity and an end marker, and the combined results.csv.
//
// points/NNNN/point.yaml   the point's index and overrides (its identity), written before the run
// points/NNNN/stdout.txt, stderr.txt   the run's output
// points/NNNN/stats.json, stats.txt, config.yaml   written by the run
// points/NNNN/done         written after the run succeeded: the point is finished
// points/NNNN/failed       written after the run failed: its exit code or signal
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "testbench/sweep_spec.h"

namespace mmusim {

enum class PointState { kAbsent, kPartial, kDone, kFailed };

std::filesystem::path point_dir(const std::filesystem::path& out, size_t index);
PointState point_state(const std::filesystem::path& dir);
// A file's whole content ("" when it cannot be read).
std::string read_file(const std::filesystem::path& path);
// The text of point.yaml for p.
std::string point_identity(const SweepSpec& spec, const SweepPoint& p);
// The failed marker's text: "exit N" or "signal N".
std::string read_failure(const std::filesystem::path& dir);
// The run's standard error on one line (newlines as " | "), at most a few hundred characters.
std::string read_error(const std::filesystem::path& dir);

// The columns results.csv carries for every point: headline figures of its stats.json (simulated
// only, no wall-clock figures, so a rerun gives the same bytes).
const std::vector<std::string>& result_metrics();
// One row's metric cells from a point's stats.json (empty cells when it has none).
std::vector<std::string> read_metrics(const std::filesystem::path& dir);

// Tallies of a results table.
struct ResultCounts {
  size_t ok = 0, failed = 0, missing = 0;
};

// Writes out/results.csv (through a temporary file and a rename): point, one column per axis,
// status (ok, failed, missing), exit, the metrics, error. Returns the tallies.
ResultCounts write_results(const std::filesystem::path& out, const SweepSpec& spec);

}  // namespace mmusim
