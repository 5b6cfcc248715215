#!/bin/sh
# Builds and runs the fleet benchmark: ./run_fleet_bench.sh [BUILD_DIR] [kamgw_bench_fleet options]
#   e.g. tests/bench/fleet/run_fleet_bench.sh build --meters 1,50,200 --interval 10s
set -eu
build=${1:-build}
[ $# -gt 0 ] && shift
cmake --build "$build" -j2 --target kamgw_bench_fleet
exec "$build/bin/kamgw_bench_fleet" "$@"
