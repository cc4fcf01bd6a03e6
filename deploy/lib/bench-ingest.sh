# deploy/bench.sh ingest: the hub's durable, acknowledged ingest rate over the uplink, next to
# the raw COPY rate of the same rows into the same hypertable, in one run on one database.
# Method and results: docs/benchmarks.md. Source it after bench-common.sh.
# shellcheck shell=bash

BENCH_INGEST_USAGE='usage: bash deploy/bench.sh ingest [options]
  --gateways N            simulated gateways, one MQTT 5 connection each (20)
  --writers N             hub database writers (HUB_INGEST_WRITERS) and raw COPY connections (2)
  --commit-rows N         readings per transaction, hub (HUB_INGEST_MAX_READINGS_PER_COMMIT) and raw COPY (20000)
  --receive-maximum N     batches in flight per gateway the hub allows (HUB_UPLINK_RECEIVE_MAXIMUM) (16)
  --batch N               readings per uplink batch (500)
  --window N              batches a gateway keeps in flight, at most the Receive Maximum (2)
  --rounds N              rounds of (hub measured, then raw COPY measured); medians are reported (5)
  --warmup S              seconds of uplink load before the first round (20)
  --duration S            seconds the hub is measured, each round (15)
  --copy-duration S       seconds the raw COPY is measured, each round (as --duration)
  --ramp S                seconds of load before every other measurement (3)
  --copy-scan N           at the end, raw COPY with 1..N connections, for the best of them (4; 0 skips)
  --devices KIND          provisioned: the hub'"'"'s site file lists every gateway'"'"'s devices, as in a
                          community (default); unprovisioned: it lists none, so every reading is
                          flagged unprovisioned and its device entered in the registry (the old mode)
  --copy-scan-duration S  seconds of each of those (8)
  --curve LIST            then open loop at these percentages of the hub'"'"'s median, --duration each:
                          stored rate and ack latency per step, and the hub'"'"'s own part of it from
                          its /metrics; none skips (10,25,50,75,100)
  --keep                  keep the database files and logs (printed at exit)
Environment: BENCH_HUB_JAVA_OPTS, extra JVM options of the hub (e.g. a JFR recording).
The last line is: RESULT ingest_ratio=<hub/copy> hub_rps=<n> copy_rps=<n> ack_p50_ms=<n> ack_p99_ms=<n>
  then per curve step: curve_rps_<pct>=<n> curve_ack_p50_ms_<pct>=<ms> curve_ack_p99_ms_<pct>=<ms>
  curve_hub_p99_ms_<pct>=<ms> (arrival to commit) curve_commit_p99_ms_<pct>=<ms> (one transaction),
  both "at most" bounds of the hub'"'"'s histogram buckets'

bench_ingest() {
  # The driver's own settings default in IngestBench (BenchOptions); only the hub's are set here.
  local gateways=20 writers=2 commit_rows=20000 receive_maximum=16 devices=provisioned driver_args=()
  while (($#)); do
    case $1 in
      --gateways) gateways=$2; shift 2 ;;
      --writers) writers=$2; shift 2 ;;
      --commit-rows) commit_rows=$2; shift 2 ;;
      --receive-maximum) receive_maximum=$2; shift 2 ;;
      --devices) devices=$2; shift 2 ;;
      --batch | --window | --warmup | --duration | --ramp | --rounds | --copy-duration | --copy-scan | --copy-scan-duration \
        | --curve)
        driver_args+=("$1" "$2"); shift 2 ;;
      --keep) BENCH_KEEP=1; shift ;;
      -h | --help) printf '%s\n' "$BENCH_INGEST_USAGE"; return 0 ;;
      *) printf '%s\n' "$BENCH_INGEST_USAGE" >&2; fail "unknown option: $1" ;;
    esac
  done
  [[ $gateways =~ ^[0-9]+$ && $gateways -ge 1 && $gateways -le 999 ]] || fail "--gateways must be 1 to 999"
  [[ $devices == provisioned || $devices == unprovisioned ]] || fail "--devices must be provisioned or unprovisioned"

  bench_make_dir
  on_exit bench_cleanup

  section "machine"
  bench_describe_machine
  note "settings  : $gateways gateways ($devices devices), $writers writers, $commit_rows readings per commit, Receive Maximum $receive_maximum${driver_args[*]:+, driver ${driver_args[*]}}"

  bench_prepare_hub

  section "hub"
  local pairs
  pairs=$(bench_gateway_pairs "$gateways")
  local site=()
  if [[ $devices == provisioned ]]; then
    HUB_UPLINK_GATEWAYS="$pairs" java -cp "$BENCH_SIM_JAR:$(dirname "$BENCH_SIM_JAR")/lib/*" \
      org.communityguard.sim.bench.IngestBench site --out "$BENCH_DIR/site.yaml" \
      || fail "could not write the benchmark site file"
    site=(HUB_SITE_FILE="$BENCH_DIR/site.yaml")
  fi
  local http_port uplink_port
  http_port=$(bench_free_port)
  uplink_port=$(bench_free_port)
  bench_start_hub "$http_port" "$uplink_port" "$pairs" HUB_UPLINK_RECEIVE_MAXIMUM="$receive_maximum" \
    HUB_INGEST_WRITERS="$writers" HUB_INGEST_MAX_READINGS_PER_COMMIT="$commit_rows" "${site[@]}"
  bench_wait_hub "$http_port"
  note "hub on 127.0.0.1 (pid $BENCH_HUB_PID): uplink $uplink_port, HTTP $http_port, log $BENCH_DIR/hub.log"

  section "ingest benchmark"
  bench_run_driver env HUB_UPLINK_GATEWAYS="$pairs" java -cp "$BENCH_SIM_JAR:$(dirname "$BENCH_SIM_JAR")/lib/*" \
    org.communityguard.sim.bench.IngestBench \
    --uplink "tcp://127.0.0.1:$uplink_port" --db-url "jdbc:postgresql://127.0.0.1:$BENCH_PG_PORT/postgres" \
    --copy-connections "$writers" --commit-rows "$commit_rows" \
    --hub-pid "$BENCH_HUB_PID" --postgres-pid "$BENCH_PG_PID" --hub-http "http://127.0.0.1:$http_port" "${driver_args[@]}"
  local status=$BENCH_DRIVER_STATUS
  note "checkpoints during the run: $(grep -c 'checkpoint starting' "$BENCH_PG_DIR/postgres.log" || true)"
  if ((status != 0)); then
    tail -n 30 "$BENCH_DIR/driver.err" >&2
    grep -E 'WARN|ERROR' "$BENCH_DIR/hub.log" | tail -n 20 >&2 || true
    fail "the ingest benchmark failed (exit $status); driver and hub logs in $BENCH_DIR"
  fi

  bench_finish
}

# The sections every mode of one hub on the throwaway database starts with: PostgreSQL with
# TimescaleDB found or installed, the jars built, the database started.
bench_prepare_hub() {
  section "PostgreSQL and TimescaleDB"
  bench_ensure_postgres

  section "build"
  bench_build
  note "$BENCH_HUB_JAR, $BENCH_SIM_JAR"

  section "database"
  bench_start_postgres
  note "PostgreSQL on 127.0.0.1:$BENCH_PG_PORT (pid $BENCH_PG_PID), files in $BENCH_PG_DIR"
}

# The gateways bench-gw-001 to bench-gw-$1 as id:secret,..., each a fresh random secret: the same
# list goes to the hub (HUB_UPLINK_GATEWAYS) and the driver.
bench_gateway_pairs() {
  local pairs="" i
  for ((i = 1; i <= $1; i++)); do
    pairs+="${pairs:+,}$(printf 'bench-gw-%03d' "$i"):$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
  done
  printf '%s' "$pairs"
}

# Starts the hub jar in the background on the throwaway database: 127.0.0.1, HTTP port $1, uplink
# port $2, the gateways $3 (id:secret,...) registered, and the NAME=VALUE settings that follow; its
# output in BENCH_DIR/hub.log. Sets BENCH_HUB_PID: a simple command in the background (env execs
# java), so $! is the JVM itself, whose CPU time and memory the drivers read.
bench_start_hub() {
  local http_port=$1 uplink_port=$2 gateways=$3
  shift 3
  # shellcheck disable=SC2086  # BENCH_HUB_JAVA_OPTS is a list of JVM options
  HUB_DB_URL="jdbc:postgresql://127.0.0.1:$BENCH_PG_PORT/postgres" HUB_DB_USER=postgres HUB_DB_PASSWORD= \
    HUB_DB_TIMESCALE=required HUB_HTTP_HOST=127.0.0.1 HUB_HTTP_PORT=$http_port \
    HUB_UPLINK_HOST=127.0.0.1 HUB_UPLINK_PORT=$uplink_port HUB_UPLINK_GATEWAYS=$gateways \
    HUB_ADMIN_PASSWORD="$(head -c 12 /dev/urandom | base64)" \
    env "$@" java ${BENCH_HUB_JAVA_OPTS:-} -jar "$BENCH_HUB_JAR" >"$BENCH_DIR/hub.log" 2>&1 &
  BENCH_HUB_PID=$!
}

# Waits for the hub on HTTP port $1 to answer /api/health, for up to $2 seconds (60).
bench_wait_hub() {
  local i seconds=${2:-60}
  for i in $(seq 1 $((seconds * 2))); do
    if ! kill -0 "$BENCH_HUB_PID" 2>/dev/null; then
      tail -n 30 "$BENCH_DIR/hub.log" >&2
      fail "the hub exited at start-up (log above)"
    fi
    if curl -fs "http://127.0.0.1:$1/api/health" >/dev/null; then
      return
    fi
    sleep 0.5
  done
  tail -n 30 "$BENCH_DIR/hub.log" >&2
  fail "the hub did not answer /api/health within $seconds s (log above)"
}

# SIGTERM runs the hub's shutdown hook: stop listening, drain the ingest queue, close the pool.
bench_stop_hub() {
  if [[ -n ${BENCH_HUB_PID:-} ]] && kill -0 "$BENCH_HUB_PID" 2>/dev/null; then
    kill -TERM "$BENCH_HUB_PID" 2>/dev/null || true
    local i
    for i in $(seq 1 80); do
      kill -0 "$BENCH_HUB_PID" 2>/dev/null || return 0
      sleep 0.25
    done
    kill -KILL "$BENCH_HUB_PID" 2>/dev/null || true
  fi
}

