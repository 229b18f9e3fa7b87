# A ChampSim trace (made here: 20,000 input_instr records of a loop over 2 MiB of code reading a
# 4 MiB table and updating another) imports and runs under every scheme with the oracle check on,
# whether or not the sample traces are present. Variables: MMUSIM, CONFIG, OUT.
include(${CMAKE_CURRENT_LIST_DIR}/trace_common.cmake)
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
# u64 ip; u8 is_branch, branch_taken, dst_regs[2], src_regs[4]; u64 dst_mem[2]; u64 src_mem[4]
set(perl [=[
for my $i (0 .. 19999) {
  my $ip = 0x400000 + ($i * 4096 + $i * 4) % (2 << 20);
  my $src = 0x10000000 + (($i * 2654435761) % (4 << 20) & ~7);
  my $dst = ($i % 3 == 0) ? 0x20000000 + (($i * 40503) % (4 << 20) & ~7) : 0;
  print pack("Q<C8Q<2Q<4", $ip, 0, 0, 0, 0, 0, 0, 0, 0, $dst, 0, $src, 0, 0, 0);
}]=])
execute_process(COMMAND perl -e "${perl}" OUTPUT_FILE ${OUT}/loop.champsim RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "perl: ${rc}")
endif()
mmusim_expect(0 out err trace import --from champsim ${OUT}/loop.champsim --out ${OUT}/loop.mtr)
if(NOT out MATCHES "46667 records.*fetch 20000  load 20000  store 6667  modify 0")
  message(FATAL_ERROR "champsim import:\n${out}")
endif()
run_all_schemes(${CONFIG} ${OUT}/loop.mtr 46667 ${OUT} TRUE)
