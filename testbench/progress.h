// A progress line on stderr for long runs and sweeps, redrawn in place with \r; silent when
// stderr is not a terminal (logs and pipes get no progress noise).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace mmusim {

class ProgressLine {
 public:
  ProgressLine();  // enabled when stderr is a terminal
  bool enabled() const { return m_enabled; }
  // Whether half a second has passed since the last redraw.
  bool due() const;
  // Replaces the line with text.
  void show(const std::string& text);
  // Erases the line, leaving the cursor at its start.
  void clear();

 private:
  using Clock = std::chrono::steady_clock;
  bool m_enabled;
  size_t m_width = 0;
  Clock::time_point m_last;
};

// "0:42", "12:03", "1:02:03"; "?" when unknown.
std::string format_duration(double seconds);

// Progress of a stream of accesses towards a planned total: count, rate and time left.
class AccessProgress {
 public:
  AccessProgress(std::string label, uint64_t total);
  // Cheap enough to call after every access: looks at the clock every kEvery accesses only.
  void tick(uint64_t done) {
    if ((done & (kEvery - 1)) == 0) draw(done);
  }
  void finish() { m_line.clear(); }

 private:
  static constexpr uint64_t kEvery = uint64_t{1} << 16;
  void draw(uint64_t done);
  std::string m_label;
  uint64_t m_total;
  std::chrono::steady_clock::time_point m_start;
  ProgressLine m_line;
};

}  // namespace mmusim
