#!/usr/bin/env bash
# build.sh: installs what eddy needs (Debian 12), builds it, and runs the demo or the tests.
#
#   ./build.sh demo          install what is missing, build (release), run the demo
#   ./build.sh test          install what is missing, build three ways, run every test
#   ./build.sh test --quick  the release build and its tests only (for developers)
#   ./build.sh build         install what is missing and build (release) only
#   ./build.sh deps          install what is missing only
#
# The three test builds, each in its own folder:
#   build/release  gcc, Release, -Werror                    ctest -j2 (every test)
#   build/asan     gcc, Debug, AddressSanitizer + UBSan     ctest -j2 (every test)
#   build/fuzz     clang, libFuzzer + ASan + UBSan          ctest -R fuzz, one at a time
# Exit code: 0 when every step and test passed, 1 when a test failed, 2 for a bad command line
# or packages that cannot be installed, anything else from a failed build step.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

# Debian packages: build tools, then libraries, then the tools the tests call.
PACKAGES=(
  re2c lemon cmake ninja-build pkg-config gcc clang libclang-rt-14-dev
  librdkafka-dev liblmdb-dev libcurl4-openssl-dev libedit-dev libmicrohttpd-dev libjansson-dev
  libxxhash-dev zlib1g-dev libzstd-dev libcmocka-dev libpcre2-dev
  sqlite3 kcat python3
)
# npm packages for the integration tests' servers (s3rver for S3) go here when those tests
# arrive: check with `npm ls`, install with `npm install --no-save` into a folder of build/.

JOBS=2

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
}

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
[ -t 1 ] || step() { printf '\n== %s\n' "$*"; }

install_deps() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "build.sh: no dpkg-query here, so not Debian: install these (or your system's names"
    echo "for them) yourself, then run this again: ${PACKAGES[*]}"
    command -v cmake >/dev/null 2>&1 && command -v ninja >/dev/null 2>&1 && return 0
    exit 2
  fi
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "build.sh: these packages are missing: ${missing[*]}"
      echo "as root, run:"
      echo "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
      exit 2
    fi
  fi
  step "installing ${#missing[@]} missing package(s): ${missing[*]}"
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
}

# build DIR [cmake options...]: configures (log in DIR/configure.log) and builds with ninja.
# Returns non-zero when either fails.
build() {
  local dir=$1
  shift
  mkdir -p "$dir"
  if ! cmake -S . -B "$dir" -G Ninja "$@" >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log"
    echo "build.sh: configuring $dir failed (log above, also in $dir/configure.log)"
    return 1
  fi
  if ! ninja -C "$dir" --quiet -j"$JOBS"; then
    echo "build.sh: building $dir failed (errors above)"
    return 1
  fi
}

SUMMARIES=()
TOTAL_PASSED=0
TOTAL_FAILED=0
FAILED_BUILDS=()

# run_tests NAME DIR [ctest options...]: runs ctest, keeps its summary line.
run_tests() {
  local name=$1 dir=$2
  shift 2
  local log="$dir/ctest.log" rc
  set +e
  ctest --test-dir "$dir" --output-on-failure --no-tests=error "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  local line passed=0 failed=0 total
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [ -n "$line" ]; then
    failed=$(sed -E 's/.*passed, ([0-9]+) tests? failed out of.*/\1/' <<<"$line")
    total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
    passed=$((total - failed))
  else
    line="no test summary (ctest exit code $rc): see $log"
  fi
  TOTAL_PASSED=$((TOTAL_PASSED + passed))
  TOTAL_FAILED=$((TOTAL_FAILED + failed))
  SUMMARIES+=("$(printf '%-8s %s' "$name:" "$line")")
  if [ "$rc" -ne 0 ]; then FAILED_BUILDS+=("$name"); fi
  return 0
}

# build_failed NAME: a build that did not compile counts as a failure and runs no test.
build_failed() {
  SUMMARIES+=("$(printf '%-8s %s' "$1:" "build failed: no tests run (errors above)")")
  FAILED_BUILDS+=("$1")
  TOTAL_FAILED=$((TOTAL_FAILED + 1))
}

cmd_test() {
  local quick=0 a
  for a in "$@"; do
    case "$a" in
      --quick) quick=1 ;;
      *) echo "build.sh: 'test' has no option '$a' (try: ./build.sh test --quick)"; exit 2 ;;
    esac
  done
  install_deps
  local t0=$SECONDS

  step "release build (gcc, Release, -Werror) in build/release"
  if build build/release -DCMAKE_BUILD_TYPE=Release -DEDDY_WERROR=ON; then
    step "release tests"
    run_tests release build/release -j"$JOBS"
  else
    build_failed release
  fi

  if [ "$quick" -eq 0 ]; then
    step "sanitizer build (gcc, Debug, ASan + UBSan) in build/asan"
    if build build/asan -DCMAKE_BUILD_TYPE=Debug -DEDDY_SANITIZE=ON -DEDDY_BENCH=OFF; then
      step "sanitizer tests"
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
        run_tests asan build/asan -j"$JOBS"
    else
      build_failed asan
    fi

    if [ -f tests/fuzz/CMakeLists.txt ]; then
      step "fuzz build (clang, libFuzzer + ASan + UBSan) in build/fuzz"
      if CC=clang build build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDDY_FUZZ=ON \
        -DEDDY_BENCH=OFF; then
        step "fuzz tests (one at a time: each uses a core for a fixed time)"
        run_tests fuzz build/fuzz -R fuzz
      else
        build_failed fuzz
      fi
    else
      SUMMARIES+=("fuzz:    skipped: tests/fuzz/CMakeLists.txt does not exist yet")
    fi
  fi

  step "summary ($((SECONDS - t0)) s)"
  local s
  for s in "${SUMMARIES[@]}"; do echo "$s"; done
  if [ ${#FAILED_BUILDS[@]} -gt 0 ]; then
    echo "failing: ${FAILED_BUILDS[*]} (build errors are above; test logs in build/<name>/ctest.log;"
    echo "rerun one test: ctest --test-dir build/<name> -R <test> --output-on-failure)"
  fi
  echo "total: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
  [ ${#FAILED_BUILDS[@]} -eq 0 ]
}

cmd_demo() {
  [ $# -eq 0 ] || { echo "build.sh: 'demo' takes no option"; exit 2; }
  install_deps
  step "building eddy (release) in build/release"
  build build/release -DCMAKE_BUILD_TYPE=Release || exit 1
  local eddy=build/release/shell/eddy
  local q=sql/examples/demo_bids_per_minute.sql

  step "1/4  eddy version: eddy and the libraries it runs on"
  "$eddy" version

  step "2/4  eddy explain $q"
  echo "Bids per channel and minute (a TUMBLE window in event time) over the built-in Nexmark"
  echo "generator. The plan eddy makes of it:"
  echo
  "$eddy" explain "$q"

  step "3/4  eddy run $q"
  echo "300,000 generated events; each window prints when the watermark passes its end:"
  echo
  "$eddy" run "$q"

  step "4/4  the same file with a typo (FORM for FROM): eddy shows where, and exits 1"
  local rc=0
  sed 's/^FROM TABLE(/FORM TABLE(/' "$q" | "$eddy" run - 2>&1 || rc=$?
  if [ "$rc" -ne 1 ]; then
    echo "build.sh: expected exit code 1 (query error) from the broken query, got $rc"
    exit 1
  fi
  echo "(exit code $rc: query error; 0 is done, 2 usage error, 3 runtime failure)"

  step "next"
  printf '  %-32s %s\n' "$eddy" "the SQL shell (statements end with ';')" \
    "$eddy help" "all commands and options" \
    "ls sql/examples/" "more queries: HOP, CUMULATE, SESSION, group windows"
}

main() {
  local what=${1:-}
  [ $# -gt 0 ] && shift
  case "$what" in
    demo) cmd_demo "$@" ;;
    test) cmd_test "$@" ;;
    build)
      install_deps
      build build/release -DCMAKE_BUILD_TYPE=Release || exit 1
      echo "built: build/release/shell/eddy"
      ;;
    deps) install_deps ;;
    -h | --help | help) usage ;;
    "") usage; exit 2 ;;
    *) echo "build.sh: unknown command '$what'"; usage; exit 2 ;;
  esac
}

main "$@"
