# run_fuzz.cmake: runs a libFuzzer target for SECONDS over a fresh copy of the seed corpus.
#   cmake -DFUZZER=... -DSEEDS=dir -DWORK=dir -DDICT=file -DSECONDS=60 -P run_fuzz.cmake
# Fails when the fuzzer reports anything (crash, leak, timeout, sanitizer report); the input
# that did it is left in WORK/artifacts/. The corpus it grew stays in WORK/corpus.
foreach(v FUZZER SEEDS WORK DICT SECONDS)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_fuzz.cmake: -D${v}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)
file(GLOB seeds ${SEEDS}/*)
if(NOT seeds)
  message(FATAL_ERROR "no seeds in ${SEEDS}: build the fuzz_seeds target first")
endif()
file(COPY ${seeds} DESTINATION ${WORK}/corpus)

execute_process(
  COMMAND ${FUZZER}
          -max_total_time=${SECONDS}
          -rss_limit_mb=2048
          -timeout=10
          -dict=${DICT}
          -artifact_prefix=${WORK}/artifacts/
          -print_final_stats=1
          ${WORK}/corpus
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(GLOB found ${WORK}/artifacts/*)
  message(FATAL_ERROR "fuzzer failed (exit ${rc}); reproducer: ${found}")
endif()
