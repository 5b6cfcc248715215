#!/usr/bin/env bash
# Set-up for a fresh Debian bookworm machine, run as root from the source tree:
#
#   packaging/setup.sh demo   install build dependencies, build, run kamgw on the simulated meter
#   packaging/setup.sh test   install build dependencies, build, run every test (what CI runs)
#   packaging/setup.sh deps      only install the build dependencies
#   packaging/setup.sh test-peers  only install the test peers Debian lacks (Node-RED, pinned, from npm)
#   packaging/setup.sh build     only build (release preset, into build/)
#   packaging/setup.sh packages  install build dependencies, build the Debian packages into build/packages/
#   packaging/setup.sh cross [ARCH...]  cross-build the packages for a Raspberry Pi (arm64 armhf by
#                                default) into build/packages/ARCH/ and smoke-test them under qemu-user
#   packaging/setup.sh addon [ARCH...]  the Home Assistant add-on with the packages for each architecture
#                                (amd64 by default; arm64, armhf cross-built) in build/ha-addon/kamgw/
#   packaging/setup.sh image [ARCH...]  the packages, then the OCI image (debootstrap + buildah; not in
#                                CI: it downloads a Debian base system) and a run of it (packaging/image.sh)
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

# Node-RED is not packaged by Debian: the tests' copy comes from npm, pinned, into the build tree.
# The 4.1 line runs on Node.js 20; 5.x needs Node.js 22.9 or later.
NODE_RED_VERSION=4.1.15
install_test_peers() {
    step "Installing the test peers Debian lacks (Node-RED $NODE_RED_VERSION from npm)"
    local dir="$ROOT/build/test-peers/node-red"
    if ! command -v npm >/dev/null; then
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get install -y -q --no-install-recommends nodejs npm
    fi
    if [ "$(node -p "require('$dir/node_modules/node-red/package.json').version" 2>/dev/null)" = "$NODE_RED_VERSION" ]; then
        echo "Node-RED $NODE_RED_VERSION is already in $dir"
        return
    fi
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --save-exact "node-red@$NODE_RED_VERSION"
}

build_release() {
    step "Building (release, warnings are errors)"
    cmake --preset release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
    cmake --build --preset release -j "$(nproc)"
}

# dpkg-buildpackage wants debian/ at the top of the tree: it runs on an export of the tree in a
# temporary folder, so the tree itself never gets one, whatever happens.
# With an architecture (arm64, armhf) the packages are cross-built for it into build/packages/ARCH/.
build_packages() {
    local arch=${1:-} work out="$ROOT/build/packages" rc=0
    local -a cross=()
    if [ -n "$arch" ]; then
        out="$out/$arch"
        cross=(-a "$arch")
    fi
    step "Building the Debian packages ${arch:+for $arch }(into ${out#"$ROOT"/}/)"
    work=$(mktemp -d /tmp/kamgw-deb.XXXXXX)
    mkdir -p "$work/src"
    if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$ROOT" ls-files -z | (cd "$ROOT" && tar --null -T - -cf -) | tar -x -C "$work/src"
    else
        tar -C "$ROOT" --exclude='./build*' -cf - . | tar -x -C "$work/src"
    fi
    cp -r "$work/src/packaging/debian" "$work/src/debian"
    [ -z "$arch" ] || install_cross_deps "$arch" "$work/src"
    # The compiler cache (when installed) serves the package build too; CMake reads the launcher
    # variable. debhelper points HOME into the build tree, so the cache's folder is named here or
    # every package build would start with an empty cache.
    if command -v ccache >/dev/null; then
        CCACHE_DIR=${CCACHE_DIR:-$(ccache -k cache_dir)}
        export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$work/src" CCACHE_NOHASHDIR=true CCACHE_DIR
    fi
    (cd "$work/src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b "${cross[@]}") >"$work/build.log" 2>&1 || rc=$?
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

# A cross build needs Debian's cross toolchain, the target's -dev packages side by side with the
# machine's own (multiarch), and qemu-user to run what was built.
install_cross_deps() {
    local arch=$1 src=$2
    step "Installing the $arch cross toolchain, $arch build dependencies and qemu-user"
    dpkg --add-architecture "$arch"
    apt-get update -q
    apt-get install -y -q --no-install-recommends "crossbuild-essential-$arch" qemu-user-static file
    apt-get build-dep -y -q --no-install-recommends -a "$arch" "$src"
}

# What a user would try first on the Pi, run under qemu-user from the unpacked packages: the
# version, one read of the simulated meter, and the plugins the packages hold, loaded for real.
smoke_test_cross() {
    local arch=$1 debs="$ROOT/build/packages/$1" root qemu triplet
    step "Smoke-testing the $arch packages under qemu-user"
    # dpkg-architecture warns that the machine's gcc is not the target's; that is the point here.
    triplet=$(dpkg-architecture -a "$arch" -qDEB_HOST_MULTIARCH 2>/dev/null)
    qemu="qemu-$(dpkg-architecture -a "$arch" -qDEB_HOST_GNU_CPU 2>/dev/null)-static"  # aarch64, arm
    root=$(mktemp -d /tmp/kamgw-cross.XXXXXX)
    for deb in "$debs"/kamgw_*.deb "$debs"/kamgw-sink-*.deb; do
        case "$deb" in *dbgsym*) continue ;; esac
        dpkg-deb -x "$deb" "$root"
    done
    file -b "$root/usr/sbin/kamgw"
    # The target's libraries are in the machine's multiarch folders (installed with its -dev
    # packages above); the plugins are named where they were unpacked.
    local -a kamgw=("$qemu" "$root/usr/sbin/kamgw")
    local plugins="$root/usr/lib/$triplet/kamgw/plugins"
    "${kamgw[@]}" --version
    "${kamgw[@]}" read sim://multical403 --plugin-dir "$plugins" 2>&1
    "${kamgw[@]}" plugins --plugin-dir "$plugins" | grep -E '^(sink|transport) '
    # `check` loads each sink and runs the sink's own check of its table; `run --once` takes one
    # poll through the journal into the CSV sink.
    mkdir -p "$root/state"
    cat >"$root/meter.toml" <<EOF
[gateway]
state_dir = "$root/state"
plugin_dirs = ["$plugins"]

[[meter]]
name = "sim"
url = "sim://multical403"

[[sink]]
type = "csv"
path = "$root/readings.csv"
EOF
    cat "$root/meter.toml" - >"$root/all-sinks.toml" <<EOF

[[sink]]
type = "mqtt-ha"
url = "mqtt://localhost:1883"

[[sink]]
type = "mqtt"
url = "mqtt://localhost:1883"

[[sink]]
type = "influxdb"
url = "http://localhost:8086"
database = "kamgw"

[[sink]]
type = "ha-websocket"
url = "http://localhost:8123"
token = "smoke-test"
EOF
    "${kamgw[@]}" check -c "$root/all-sinks.toml" | head -1
    "${kamgw[@]}" run --once -c "$root/meter.toml"
    echo "readings.csv: $(($(wc -l <"$root/readings.csv") - 1)) readings"
    rm -rf "$root"
}

# The packages of each architecture: this machine's built natively, others cross-built and tried
# under qemu-user.
build_packages_for() {
    local arch
    for arch in "$@"; do
        if [ "$arch" = "$(dpkg --print-architecture)" ]; then
            build_packages
        else
            build_packages "$arch"
            smoke_test_cross "$arch"
        fi
    done
}

install_image_tools() {
    step "Installing the image tools (buildah, debootstrap)"
    apt-get install -y -q --no-install-recommends buildah debootstrap
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

# The sanitizer build runs while the release tests do: they mostly wait on real services and
# timers, so the compiler gets the idle cores; at the lowest priority it yields to them.
start_sanitized_build() {
    step "Building the unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (alongside the release tests; log in build-asan/build.log)"
    cmake --preset asan -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
    nice -n 19 cmake --build --preset asan -j "$(nproc)" >build-asan/build.log 2>&1 &
    SANITIZED_BUILD=$!
}

run_tests_sanitized() {
    step "Running the unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
    local rc=0
    wait "$SANITIZED_BUILD" || rc=$?
    tail -5 build-asan/build.log
    if [ "$rc" -ne 0 ]; then
        grep -A20 '^FAILED:' build-asan/build.log | head -80
        echo "the sanitizer build failed (exit $rc); its log is build-asan/build.log" >&2
        return "$rc"
    fi
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure --no-tests=error -j 2 -L unit --timeout 300
}

run_fuzzers() {
    step "Fuzzing the KMP receive path, kamgw decode, the config loader, the telnet codec and HA messages (libFuzzer, bounded time)"
    cmake --preset fuzz -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
    # Only the fuzz targets: the rest of the tree is built and tested with g++ above.
    local -a names=(frame_receiver decode_text config_loader telnet_codec ha_messages)
    cmake --build --preset fuzz --target "${names[@]/#/kamgw_fuzz_}"
    # A fuzzer uses one core: as many run at once as there are cores, each into its own log.
    local name seconds work failed=0 running=0
    work=$(mktemp -d)
    for name in "${names[@]}"; do
        # The receive path gets the most time; the others 30 s each (KAMGW_FUZZ_SECONDS overrides all).
        seconds=30
        [ "$name" = frame_receiver ] && seconds=60
        seconds=${KAMGW_FUZZ_SECONDS:-$seconds}
        mkdir "$work/$name"
        cp tests/fuzz/corpus/"$name"/* "$work/$name"/
        if [ "$running" -ge "$(nproc)" ]; then
            wait -n || failed=1
            running=$((running - 1))
        fi
        build-fuzz/bin/"kamgw_fuzz_$name" -max_total_time="$seconds" -print_final_stats=1 "$work/$name" \
            >"$work/$name.log" 2>&1 &
        running=$((running + 1))
    done
    while [ "$running" -gt 0 ]; do
        wait -n || failed=1
        running=$((running - 1))
    done
    for name in "${names[@]}"; do
        echo "--- kamgw_fuzz_$name"
        tail -25 "$work/$name.log"
    done
    rm -rf "$work"
    [ "$failed" = 0 ] || { echo "a fuzzer failed (its log is above)" >&2; return 1; }
}

run_package_tests() {
    if [ -x packaging/test-packages.sh ]; then
        step "Building, linting, installing and running the Debian packages"
        packaging/test-packages.sh
    fi
}

case "${1:-}" in
deps) install_deps ;;
test-peers) install_test_peers ;;
build) build_release ;;
packages)
    install_deps
    build_packages
    ;;
cross)
    shift
    [ "$#" -gt 0 ] || set -- arm64 armhf
    install_deps
    for arch in "$@"; do
        build_packages "$arch"
        smoke_test_cross "$arch"
    done
    step "Cross-built and smoke-tested: $*"
    ;;
addon)
    shift
    [ "$#" -gt 0 ] || set -- amd64
    install_deps
    build_packages_for "$@"
    packaging/image.sh addon "$@"
    ;;
image)
    shift
    [ "$#" -gt 0 ] || set -- "$(dpkg --print-architecture)"
    install_deps
    install_image_tools
    build_packages_for "$@"
    packaging/image.sh addon "$@"
    for arch in "$@"; do
        packaging/image.sh base "$arch"
        packaging/image.sh build "$arch"
        # This machine's image against a real broker; another architecture's once under qemu-user.
        if [ "$arch" = "$(dpkg --print-architecture)" ]; then
            packaging/image.sh try
        else
            packaging/image.sh smoke "$arch"
        fi
    done
    ;;
demo)
    install_deps
    build_release
    step "Running kamgw on the simulated meter (etc/demo.toml); Ctrl-C to stop"
    exec build/bin/kamgw run -c etc/demo.toml
    ;;
test)
    install_deps
    install_test_peers
    check_format
    build_release
    start_sanitized_build
    run_tests_release
    run_tests_sanitized
    run_fuzzers
    run_package_tests
    step "All tests passed"
    ;;
*)
    sed -n '2,16p' "$0"
    exit 64
    ;;
esac
