#!/usr/bin/env bash
# Set-up for a fresh Debian bookworm machine, run as root from the source tree:
#
#   packaging/setup.sh demo   install build dependencies, build, run kamgw on the simulated meter
#   packaging/setup.sh test   install build dependencies, build, run every test (what CI runs)
#   packaging/setup.sh deps      only install the build dependencies
#   packaging/setup.sh build     only build (release preset, into build/)
#   packaging/setup.sh packages  install build dependencies, build the Debian packages into build/packages/
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export DEBIAN_FRONTEND=noninteractive
# A fresh clone in another folder still hits the compiler cache.
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=true

# Each stage says when it starts and how long the run has taken so far (CI keeps an eye on both).
step() { printf '\n==> %s (at %s, %d s into the run)\n' "$*" "$(date +%T)" "$SECONDS"; }

install_deps() {
    step "Installing build dependencies (Debian packages)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q
    # shellcheck disable=SC2046
    $sudo apt-get install -y -q --no-install-recommends $(grep -v '^#' packaging/build-deps.txt)
}

build_release() {
    step "Building (release, warnings are errors)"
    cmake --preset release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
    cmake --build --preset release -j "$(nproc)"
}

# dpkg-buildpackage wants debian/ at the top of the tree: it runs on an export of the tree in a
# temporary folder, so the tree itself never gets one, whatever happens.
build_packages() {
    step "Building the Debian packages (into build/packages/)"
    local work out="$ROOT/build/packages" rc=0
    work=$(mktemp -d /tmp/kamgw-deb.XXXXXX)
    mkdir -p "$work/src"
    if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$ROOT" ls-files -z | (cd "$ROOT" && tar --null -T - -cf -) | tar -x -C "$work/src"
    else
        tar -C "$ROOT" --exclude='./build*' -cf - . | tar -x -C "$work/src"
    fi
    cp -r "$work/src/packaging/debian" "$work/src/debian"
    # The compiler cache (when installed) serves the package build too; CMake reads this variable.
    if command -v ccache >/dev/null; then
        export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$work/src" CCACHE_NOHASHDIR=true
    fi
    (cd "$work/src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        tail -50 "$work/build.log"
        echo "the package build failed (exit $rc); its whole log was $work/build.log" >&2
        rm -rf "$work"
        return "$rc"
    fi
    mkdir -p "$out"
    rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
    cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out"/
    rm -rf "$work"
    ls -1 "$out"
}

check_format() {
    step "Checking formatting (clang-format)"
    local files
    mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc' 2>/dev/null || find core plugins sdk tests -name '*.[ch]pp')
    clang-format --dry-run --Werror "${files[@]}"
    echo "${#files[@]} files formatted correctly"
}

run_tests_release() {
    step "Running the test suite (unit and integration tests against real services)"
    ctest --test-dir build --output-on-failure --no-tests=error -j 2 --timeout 300
}

run_tests_sanitized() {
    step "Building and running the unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
    cmake --preset asan -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
    cmake --build --preset asan -j "$(nproc)"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure --no-tests=error -j 2 -L unit --timeout 300
}

run_fuzzers() {
    step "Fuzzing the KMP receive path, kamgw decode, the config loader, the telnet codec and HA messages (libFuzzer, bounded time)"
    cmake --preset fuzz -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
    # Only the fuzz targets: the rest of the tree is built and tested with g++ above.
    local name corpus seconds
    for name in frame_receiver decode_text config_loader telnet_codec ha_messages; do
        # The receive path gets the most time; the others 30 s each (KAMGW_FUZZ_SECONDS overrides all).
        seconds=30
        [ "$name" = frame_receiver ] && seconds=60
        seconds=${KAMGW_FUZZ_SECONDS:-$seconds}
        cmake --build --preset fuzz --target "kamgw_fuzz_$name"
        corpus=$(mktemp -d)
        cp tests/fuzz/corpus/"$name"/* "$corpus"/
        build-fuzz/bin/"kamgw_fuzz_$name" -max_total_time="$seconds" -print_final_stats=1 "$corpus"
        rm -rf "$corpus"
    done
}

run_package_tests() {
    if [ -x packaging/test-packages.sh ]; then
        step "Building, linting, installing and running the Debian packages"
        packaging/test-packages.sh
    fi
}

case "${1:-}" in
deps) install_deps ;;
build) build_release ;;
packages)
    install_deps
    build_packages
    ;;
demo)
    install_deps
    build_release
    step "Running kamgw on the simulated meter (etc/demo.toml); Ctrl-C to stop"
    exec build/bin/kamgw run -c etc/demo.toml
    ;;
test)
    install_deps
    check_format
    build_release
    run_tests_release
    run_tests_sanitized
    run_fuzzers
    run_package_tests
    step "All tests passed"
    ;;
*)
    sed -n '2,9p' "$0"
    exit 64
    ;;
esac
