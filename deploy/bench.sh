#!/usr/bin/env bash
# The project's benchmarks, one subcommand each; their figures are recorded in docs/benchmarks.md.
#   bash deploy/bench.sh edge [options]   the edge agent on a Raspberry-Pi budget (-Xmx64m, one core)
# Each mode starts what it measures and stops it at exit, Ctrl-C included.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source deploy/lib/log.sh
source deploy/lib/apt.sh
source deploy/lib/bench-edge.sh

trap 'exit 130' INT
trap 'exit 143' TERM

mode=${1:-}
(($#)) && shift
case $mode in
  edge) bench_edge "$@" ;;
  *)
    echo "usage: bash deploy/bench.sh edge [options]   (docs/benchmarks.md)" >&2
    exit 2
    ;;
esac
