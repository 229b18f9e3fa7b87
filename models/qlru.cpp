#include "models/qlru.h"

#include <cstring>

namespace mmusim {

bool QlruPolicy::operator==(const QlruPolicy& o) const {
  return std::memcmp(hit, o.hit, sizeof hit) == 0 && insert == o.insert &&
         insert_rare == o.insert_rare && victim == o.victim && update == o.update &&
         update_on_miss_only == o.update_on_miss_only;
}

namespace {

bool digit(char c, char max, uint8_t& out) {
  if (c < '0' || c > max) return false;
  out = static_cast<uint8_t>(c - '0');
  return true;
}

}  // namespace

bool parse_qlru_policy(const std::string& text, QlruPolicy& out) {
  // qlru_hXY_mX_rX_uX or qlru_hXY_mrXY_rX_uX, optionally _umo.
  QlruPolicy p;
  const char* s = text.c_str();
  if (std::strncmp(s, "qlru_h", 6) != 0) return false;
  s += 6;
  uint8_t h3, h2;
  if (!digit(s[0], '2', h3) || !digit(s[1], '1', h2) || s[2] != '_') return false;
  // The five hit functions of the measurements: H21, H20, H11, H10, H00.
  if (h2 > h3 || (h3 == 0 && h2 != 0)) return false;
  p.hit[3] = h3;
  p.hit[2] = h2;
  s += 3;
  if (s[0] != 'm') return false;
  if (s[1] == 'r') {
    if (!digit(s[2], '3', p.insert) || !digit(s[3], '3', p.insert_rare) || s[4] != '_')
      return false;
    if (p.insert_rare == p.insert) return false;
    s += 5;
  } else {
    if (!digit(s[1], '3', p.insert) || s[2] != '_') return false;
    p.insert_rare = p.insert;
    s += 3;
  }
  if (s[0] != 'r' || !digit(s[1], '2', p.victim) || s[2] != '_') return false;
  if (s[3] != 'u' || !digit(s[4], '3', p.update)) return false;
  s += 5;
  if (std::strcmp(s, "_umo") == 0)
    p.update_on_miss_only = true;
  else if (*s != '\0')
    return false;
  if (p.victim != 1 && p.update >= 2) return false;
  out = p;
  return true;
}

std::string qlru_policy_name(const QlruPolicy& p) {
  std::string s = "qlru_h";
  s += static_cast<char>('0' + p.hit[3]);
  s += static_cast<char>('0' + p.hit[2]);
  s += p.randomized() ? "_mr" : "_m";
  s += static_cast<char>('0' + p.insert);
  if (p.randomized()) s += static_cast<char>('0' + p.insert_rare);
  s += "_r";
  s += static_cast<char>('0' + p.victim);
  s += "_u";
  s += static_cast<char>('0' + p.update);
  if (p.update_on_miss_only) s += "_umo";
  return s;
}

}  // namespace mmusim
