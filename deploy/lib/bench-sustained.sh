# deploy/bench.sh sustained: one fixed offered rate, open loop, for an hour on a database with
# PostgreSQL's own WAL settings (checkpoints on), reported per five-minute window.
# Method and results: docs/benchmarks.md. Source it after bench-common.sh and bench-ingest.sh.
# shellcheck shell=bash

BENCH_SUSTAINED_USAGE='usage: bash deploy/bench.sh sustained [options]
  --gateways N        simulated gateways, one MQTT 5 connection each (20)
  --buildings N       buildings of 100 devices behind each gateway, all in the site file (50: 100,000 devices)
  --rate N            readings per second offered in total, open loop (20000: a reading per device every 5 s)
  --minutes N         measured minutes (60)
  --window-seconds S  seconds per reported window (300)
  --warmup S          seconds of load before the first window (60)
  --chunk-minutes N   chunk interval of the readings hypertable for the run; 0 keeps the hub'"'"'s day (10)
  --batch N           readings per uplink batch (500)
  --window N          unacknowledged batches per gateway (16, the hub'"'"'s Receive Maximum)
  --keep              keep the database files and logs (printed at exit)
Environment: BENCH_HUB_JAVA_OPTS, extra JVM options of the hub.
The last line is: RESULT sustained_minutes=<n> offered_rps=<n> readings_per_s=<n> min_window_rps=<n>
  ack_p50_ms=<ms> ack_p99_ms=<ms> worst_window_ack_p99_ms=<ms> checkpoints=<n> chunks=<n> rollup_runs=<n>
  readings_lost=<n> readings_duplicated=<n>'

bench_sustained() {
  local gateways=20 buildings=50 driver_args=()
  while (($#)); do
    case $1 in
      --gateways) gateways=$2; shift 2 ;;
      --buildings) buildings=$2; driver_args+=("$1" "$2"); shift 2 ;;
      --rate | --minutes | --window-seconds | --warmup | --chunk-minutes | --batch | --window)
        driver_args+=("$1" "$2"); shift 2 ;;
      --keep) BENCH_KEEP=1; shift ;;
      -h | --help) printf '%s\n' "$BENCH_SUSTAINED_USAGE"; return 0 ;;
      *) printf '%s\n' "$BENCH_SUSTAINED_USAGE" >&2; fail "unknown option: $1" ;;
    esac
  done
  [[ $gateways =~ ^[0-9]+$ && $gateways -ge 1 && $gateways -le 999 ]] || fail "--gateways must be 1 to 999"
  [[ $buildings =~ ^[0-9]+$ && $buildings -ge 1 ]] || fail "--buildings must be a whole number of at least 1"

  bench_make_dir
  on_exit bench_cleanup

  section "machine"
  bench_describe_machine
  note "settings  : $gateways gateways of $buildings buildings (100 devices each)${driver_args[*]:+, driver ${driver_args[*]}}"

  # PostgreSQL's defaults for the WAL (the ingest mode raises them to keep its windows free of
  # checkpoints): checkpoints every 5 minutes or 1 GB of WAL, as a server that was not tuned.
  BENCH_PG_EXTRA_CONF=$'max_wal_size = 1GB\ncheckpoint_timeout = 5min'
  bench_prepare_hub

  section "hub"
  local pairs
  pairs=$(bench_gateway_pairs "$gateways")
  HUB_UPLINK_GATEWAYS="$pairs" java -cp "$BENCH_SIM_JAR:$(dirname "$BENCH_SIM_JAR")/lib/*" \
    org.communityguard.sim.bench.IngestBench site --out "$BENCH_DIR/site.yaml" --buildings "$buildings" \
    || fail "could not write the benchmark site file"
  note "site file: $(grep -c '^  - {id: .*, type: ' "$BENCH_DIR/site.yaml") devices, $(du -h "$BENCH_DIR/site.yaml" | cut -f1)"
  local http_port uplink_port
  http_port=$(bench_free_port)
  uplink_port=$(bench_free_port)
  # The hub's own defaults otherwise: writers, commit size, rollup every 5 minutes, retention.
  bench_start_hub "$http_port" "$uplink_port" "$pairs" HUB_SITE_FILE="$BENCH_DIR/site.yaml"
  bench_wait_hub "$http_port" 180
  note "hub on 127.0.0.1 (pid $BENCH_HUB_PID): uplink $uplink_port, HTTP $http_port, log $BENCH_DIR/hub.log"

  section "sustained load"
  bench_run_driver env HUB_UPLINK_GATEWAYS="$pairs" java -cp "$BENCH_SIM_JAR:$(dirname "$BENCH_SIM_JAR")/lib/*" \
    org.communityguard.sim.bench.SustainedBench \
    --uplink "tcp://127.0.0.1:$uplink_port" --db-url "jdbc:postgresql://127.0.0.1:$BENCH_PG_PORT/postgres" \
    --hub-http "http://127.0.0.1:$http_port" --hub-pid "$BENCH_HUB_PID" --postgres-pid "$BENCH_PG_PID" "${driver_args[@]}"
  local status=$BENCH_DRIVER_STATUS
  note "checkpoints in the server's log: $(grep -c 'checkpoint complete' "$BENCH_PG_DIR/postgres.log" || true)"
  note "hub warnings and errors: $(grep -c -E ' (WARN|ERROR) ' "$BENCH_DIR/hub.log" || true)"
  if ((status != 0)); then
    tail -n 30 "$BENCH_DIR/driver.err" >&2
    grep -E 'WARN|ERROR' "$BENCH_DIR/hub.log" | tail -n 20 >&2 || true
    fail "the sustained benchmark failed (exit $status); driver and hub logs in $BENCH_DIR"
  fi
  bench_finish
}
