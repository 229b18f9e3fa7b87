# Bad trace input stops with a clear error (exit 1 for bad data, 2 for config errors), never a
# crash: truncated, corrupt and unknown-version traces name the file (and the record offset);
# corrupt lackey and ChampSim input name the file and line or record. Variables: MMUSIM, CONFIG,
# OUT.
include(${CMAKE_CURRENT_LIST_DIR}/trace_common.cmake)
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
set(run run ${CONFIG} --set workload.kind=trace --set workload.count=0)

function(expect_error rc regex)
  mmusim_expect(${rc} out err ${ARGN})
  if(NOT err MATCHES "${regex}")
    message(FATAL_ERROR "stderr does not match '${regex}':\n${err}")
  endif()
  message(STATUS "${err}")
endfunction()

function(shell cmd)
  execute_process(COMMAND sh -c "${cmd}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${cmd}: ${rc}")
  endif()
endfunction()

set(t ${OUT}/good.mtr)
mmusim_expect(0 o e trace generate --records 200000 --footprint-mib 16 --out ${t})
file(SIZE ${t} size)

# Truncated in the middle, and just before the end marker.
math(EXPR half "${size} / 2")
shell("head -c ${half} ${t} > ${OUT}/half.mtr")
expect_error(1 "^mmusim: error: [^\n]*/half.mtr: record [0-9]+: truncated[^\n]*\n$"
             ${run} --set workload.path=${OUT}/half.mtr --out ${OUT}/r1)
math(EXPR most "${size} - 8")
shell("head -c ${most} ${t} > ${OUT}/end.mtr")
expect_error(1 "/end.mtr: record 200000: truncated block header"
             ${run} --set workload.path=${OUT}/end.mtr --out ${OUT}/r2)
expect_error(1 "/end.mtr: record 200000: truncated" trace stat ${OUT}/end.mtr)
# Cut at a block boundary (the end marker gone), inside the last block's data, inside the header.
math(EXPR cut "${size} - 16")
shell("head -c ${cut} ${t} > ${OUT}/noend.mtr")
expect_error(1 "/noend.mtr: record 200000: truncated: the trace ends without its end marker\n$"
             ${run} --set workload.path=${OUT}/noend.mtr --out ${OUT}/r9)
math(EXPR cut "${size} - 16 - 100")
shell("head -c ${cut} ${t} > ${OUT}/lastblock.mtr")
expect_error(1 "/lastblock.mtr: record [1-9][0-9]*: truncated block\n$"
             ${run} --set workload.path=${OUT}/lastblock.mtr --out ${OUT}/r10)
expect_error(1 "/lastblock.mtr: record [1-9][0-9]*: truncated block\n$"
             trace stat ${OUT}/lastblock.mtr)
foreach(cut 12 30)
  shell("head -c ${cut} ${t} > ${OUT}/head${cut}.mtr")
  expect_error(1 "/head${cut}.mtr: header: truncated\n$"
               ${run} --set workload.path=${OUT}/head${cut}.mtr --out ${OUT}/r11)
endforeach()

# A damaged byte inside a block.
file(COPY_FILE ${t} ${OUT}/corrupt.mtr)
shell("printf 'Z' | dd of=${OUT}/corrupt.mtr bs=1 seek=${half} conv=notrunc 2>/dev/null")
expect_error(1 "/corrupt.mtr: record [0-9]+: corrupt"
             ${run} --set workload.path=${OUT}/corrupt.mtr --out ${OUT}/r3)

# A version this mmusim does not read.
file(COPY_FILE ${t} ${OUT}/v7.mtr)
shell("printf '\\007' | dd of=${OUT}/v7.mtr bs=1 seek=8 conv=notrunc 2>/dev/null")
expect_error(1 "/v7.mtr: trace format version 7 is not supported \\(this mmusim reads version 1\\)"
             ${run} --set workload.path=${OUT}/v7.mtr --out ${OUT}/r4)

# Not a trace at all; no such file; no path.
file(WRITE ${OUT}/text.mtr "I  0400000,4\n")
expect_error(1 "/text.mtr: not an mmusim trace" ${run} --set workload.path=${OUT}/text.mtr --out ${OUT}/r5)
expect_error(2 "--set workload.path=[^:]*: workload.path: no such file: [^\n]*/absent.mtr"
             ${run} --set workload.path=${OUT}/absent.mtr --out ${OUT}/r6)
expect_error(2 "workload.path: workload.kind trace needs a path" ${run} --out ${OUT}/r7)

# A warm-up longer than the trace.
expect_error(1 "the workload ended within its warm-up of 300000 accesses"
             ${run} --set workload.path=${t} --set workload.warmup=300000 --out ${OUT}/r8)

# Corrupt lackey text: file and line.
file(WRITE ${OUT}/bad.lackey "==12== Lackey\nI  0400000,4\n L 7ff0001000,8\n S 7ff000100x,8\n")
expect_error(1 "^mmusim: error: [^\n]*/bad.lackey:4: expected ADDRESS,SIZE: ' S 7ff000100x,8'\n$"
             trace import --from lackey ${OUT}/bad.lackey --out ${OUT}/bad1.mtr)
# ChampSim input whose last record is cut short: file and record.
shell("(printf '\\001'; head -c 99 /dev/zero) > ${OUT}/bad.champsim")
expect_error(1 "/bad.champsim: record 1: truncated \\(36 of 64 bytes\\)"
             trace import --from champsim ${OUT}/bad.champsim --out ${OUT}/bad2.mtr)
# An xz stream cut short.
if(EXISTS ${SAMPLES}/sort-small.champsim.xz)
  shell("head -c 20000 ${SAMPLES}/sort-small.champsim.xz > ${OUT}/cut.champsim.xz")
  expect_error(1 "/cut.champsim.xz: record [0-9]+: xz: truncated stream"
               trace import --from champsim ${OUT}/cut.champsim.xz --out ${OUT}/bad3.mtr)
  shell("head -c 20000 ${SAMPLES}/sort-small.lackey.gz > ${OUT}/cut.lackey.gz")
  expect_error(1 "/cut.lackey.gz:[0-9]+: gzip: "
               trace import --from lackey ${OUT}/cut.lackey.gz --out ${OUT}/bad4.mtr)
endif()
# No output left behind by a failed import.
if(EXISTS ${OUT}/bad1.mtr OR EXISTS ${OUT}/bad1.mtr.tmp OR EXISTS ${OUT}/bad1.mtr.body.tmp)
  message(FATAL_ERROR "a failed import left a file behind")
endif()
