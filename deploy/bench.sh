#!/usr/bin/env bash
# The project's benchmarks, one subcommand each; their figures are recorded in docs/benchmarks.md.
#   bash deploy/bench.sh ingest [options]   hub ingest rate vs raw COPY on the same database
#   bash deploy/bench.sh ingest --help      its options
#   bash deploy/bench.sh edge [options]     the edge agent on a Raspberry-Pi budget (-Xmx64m, one core)
#   bash deploy/bench.sh console [options]  console board load and 7-day chart with a large history stored
#   bash deploy/bench.sh alarm [options]    alarm latency, detector to the console's live stream, under background telemetry
#   bash deploy/bench.sh gateways [options] 2,000 small gateways on one hub: connect all, steady state, reconnect storm
#   bash deploy/bench.sh faults [options]   the fault catalogue (reboots, poison, kill -9, half-open, power cut, black hole, provider down): nothing lost
# Each mode starts what it measures (a throwaway PostgreSQL, the hub, ...) and stops it at exit,
# Ctrl-C included. Installs PostgreSQL/TimescaleDB as deploy/test.sh does, only when missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source deploy/lib/log.sh
source deploy/lib/apt.sh
source deploy/lib/test-deps.sh
source deploy/lib/bench-common.sh
source deploy/lib/bench-ingest.sh
source deploy/lib/bench-sustained.sh
source deploy/lib/bench-edge.sh
source deploy/lib/bench-console.sh
source deploy/lib/bench-alarm.sh
source deploy/lib/bench-gateways.sh
source deploy/lib/bench-faults.sh
source deploy/lib/bench-fuzz.sh

# Ctrl-C or a kill: leave through exit, so the EXIT trap stops every server this run started.
trap 'exit 130' INT
trap 'exit 143' TERM

usage() {
  cat <<'USAGE'
usage: bash deploy/bench.sh MODE [options]
modes:
  ingest   the hub's durable ingest rate over the uplink next to raw COPY into the same hypertable
  sustained one fixed rate open loop for an hour, PostgreSQL's default WAL settings (checkpoints on), 100,000
           devices, several chunks, the rollup running: stored rate and ack latency per 5-minute window
  edge     the edge agent's accepted messages/s, peak RSS and start-up time with -Xmx64m on one core
  console  the console's board load and a device's 7-day chart, with 10,000 incidents and 50 million readings stored
  alarm    alarm latency end to end: a smoke detector's alarm through the edge agent and the hub to a signed-in
           console's live stream, p50/p99/max per level of background telemetry (10k, 50k readings/s, the hub's max)
  gateways 2,000 small gateways (a reading per device per minute, about one per batch) on one hub: time to
           connect them all, the steady state's acknowledged rate, ack latency and hub memory, then a reconnect
           storm of all of them: time until all are back, the longest ingest stall, readings lost or duplicated
  faults   the fault catalogue end to end (device reboots, poison readings, hub, PostgreSQL and agent kill -9,
           half-open database connections, gateway power cut, uplink black hole, notification provider down):
           alarms and readings sent, raised or stored, lost and duplicated, per fault
  fuzz     every decoder's property under Jazzer, 100,000 generated inputs each: inputs, refusals by reason, crashes
See docs/benchmarks.md for the method and the recorded results; MODE --help for options.
USAGE
}

mode=${1:-}
(($#)) && shift
case $mode in
  ingest) bench_ingest "$@" ;;
  sustained) bench_sustained "$@" ;;
  edge) bench_edge "$@" ;;
  console) bench_console "$@" ;;
  alarm) bench_alarm "$@" ;;
  gateways) bench_gateways "$@" ;;
  faults) bench_faults "$@" ;;
  fuzz) bench_fuzz "$@" ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
