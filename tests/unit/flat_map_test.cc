// FlatMap against std::unordered_map under random inserts, overwrites and erases (the erase's
// backward shift is where open addressing usually goes wrong).
#include <gtest/gtest.h>

#include <unordered_map>

#include "models/flat_map.h"
#include "models/rng.h"

namespace mmusim {
namespace {

TEST(FlatMap, AgreesWithUnorderedMapUnderChurn) {
  FlatMap<uint64_t> map;
  std::unordered_map<uint64_t, uint64_t> ref;
  Rng rng(5);
  for (int i = 0; i < 200000; ++i) {
    // Keys from a small range collide and form long probe runs; a few far keys spread them.
    const uint64_t key = (i % 7 == 0) ? rng.next() >> 1 : rng.below(5000) * 4096;
    switch (rng.below(3)) {
      case 0:
      case 1:
        map.insert(key, i);
        ref[key] = i;
        break;
      case 2:
        EXPECT_EQ(map.erase(key), ref.erase(key) == 1);
        break;
    }
    if (i % 1000 == 0) {
      ASSERT_EQ(map.size(), ref.size());
      for (const auto& [k, v] : ref) {
        const uint64_t* found = map.find(k);
        ASSERT_NE(found, nullptr) << k;
        ASSERT_EQ(*found, v);
      }
    }
  }
  size_t visited = 0;
  map.for_each([&](uint64_t k, uint64_t v) {
    ++visited;
    EXPECT_EQ(ref.at(k), v);
  });
  EXPECT_EQ(visited, ref.size());
}

TEST(FlatMap, ReservedKeyIsRefused) {
  FlatMap<int> map;
  EXPECT_THROW(map.insert(FlatMap<int>::kEmpty, 1), std::invalid_argument);
  EXPECT_FALSE(map.contains(FlatMap<int>::kEmpty));
}

}  // namespace
}  // namespace mmusim
