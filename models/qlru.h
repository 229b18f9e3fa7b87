// Quad-age LRU (QLRU) policies, as Abel and Reineke describe the replacement policies they measured
// on Intel's L2 and L3 caches (nanoBench, ISPASS 2020; uops.info/cache.html; the nanoBench Cache
// Analyzer's simulator, tools/CacheAnalyzer/cacheSim.py). Every way has a 2-bit age, 3 the oldest;
// a policy is named QLRU_H<hit>_M<insert>_R<victim>_U<update>[_UMO] after its four functions:
//   H<xy>  a hit sets age 3 to x, age 2 to y, ages 1 and 0 to 0 (H21, H20, H11, H10, H00)
//   M<x>   a filled line gets age x; MR<xy>: age x, or y with probability 1/16 (cacheSim.py's
//          randomized variants have x > y; uops.info's Ice Lake L3 variant "occasionally inserts
//          new blocks with age 3 instead of age 1", MR13 if its rate is 1/16 too)
//   R0     the victim is the first invalid way, else the first way of age 3
//   R1     as R0, but way 0 when no way has age 3
//   R2     the last invalid way, else the first way of age 3
//   U0     after an access, every age grows by 3 - (the largest age)
//   U1     the same over the other ways; the accessed way keeps its age
//   U2     when no way has age 3, every age grows by 1
//   U3     the same for the other ways
//   _UMO   the update runs only on a miss, before the victim is chosen (no way excluded)
// Invalid ways count as age 3. SRRIP (Jaleel et al., ISCA 2010) is QLRU_H00_M2_R0_U0_UMO.
#pragma once

#include <cstdint>
#include <string>

namespace mmusim {

struct QlruPolicy {
  uint8_t hit[4] = {0, 0, 0, 0};  // new age after a hit, by the old age
  uint8_t insert = 1;             // age of a filled line
  uint8_t insert_rare = 1;        // ... with probability 1/16 (equal to insert: deterministic)
  uint8_t victim = 0;             // R0, R1, R2
  uint8_t update = 0;             // U0..U3
  bool update_on_miss_only = false;

  bool randomized() const { return insert_rare != insert; }
  bool operator==(const QlruPolicy& o) const;
};

// Parses a policy name, lower case ("qlru_h11_m1_r0_u0", "qlru_h11_mr31_r0_u0",
// "qlru_h00_m2_r0_u0_umo"); leaves `out` untouched and returns false for anything else. R0 and R2
// with U2 or U3 are refused: those updates do not keep a way of age 3 for the victim.
bool parse_qlru_policy(const std::string& text, QlruPolicy& out);
std::string qlru_policy_name(const QlruPolicy& p);

}  // namespace mmusim
