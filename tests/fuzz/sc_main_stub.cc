// The harnesses that read configs link the simulator's libraries and with them libsystemc.so,
// whose main() calls sc_main. The harness's own main (libFuzzer's, or the replay driver's) runs
// instead; this sc_main only satisfies the link and is never called.
#include <cstdio>

extern "C" int sc_main(int, char**) {  // as <systemc> declares it
  std::fprintf(stderr, "sc_main: not a simulator\n");
  return 1;
}
