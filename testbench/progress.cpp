#include "testbench/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace mmusim {

namespace {
constexpr std::chrono::milliseconds kRedrawInterval(500);
}  // namespace

ProgressLine::ProgressLine()
    : m_enabled(isatty(STDERR_FILENO) == 1), m_last(Clock::now() - kRedrawInterval) {}

bool ProgressLine::due() const { return m_enabled && Clock::now() - m_last >= kRedrawInterval; }

void ProgressLine::show(const std::string& text) {
  if (!m_enabled) return;
  std::string line = "\r" + text;
  if (text.size() < m_width) line.append(m_width - text.size(), ' ');
  m_width = text.size();
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  m_last = Clock::now();
}

void ProgressLine::clear() {
  if (!m_enabled || m_width == 0) return;
  std::fprintf(stderr, "\r%*s\r", static_cast<int>(m_width), "");
  std::fflush(stderr);
  m_width = 0;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long long s = std::llround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

AccessProgress::AccessProgress(std::string label, uint64_t total)
    : m_label(std::move(label)), m_total(total), m_start(std::chrono::steady_clock::now()) {}

void AccessProgress::draw(uint64_t done) {
  if (!m_line.due()) return;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
  const double rate = elapsed > 0 ? done / elapsed : 0;
  char buf[160];
  std::snprintf(
      buf, sizeof buf, "%s: %.1f / %.1f M accesses (%.0f%%), %.2f M accesses/s, %s left",
      m_label.c_str(), done / 1e6, m_total / 1e6, m_total ? 100.0 * done / m_total : 100.0,
      rate / 1e6,
      rate > 0 ? format_duration((m_total - std::min(done, m_total)) / rate).c_str() : "?");
  m_line.show(buf);
}

}  // namespace mmusim
