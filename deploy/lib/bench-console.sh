# deploy/bench.sh console: how fast the console's board loads and a device's 7-day chart answers
# with a long history stored (by default 10,000 past incidents and 50 million readings).
# Method and results: docs/benchmarks.md. Source it after bench-common.sh.
# shellcheck shell=bash

BENCH_CONSOLE_USAGE='usage: bash deploy/bench.sh console [options]
  --readings N          readings stored before measuring (50000000)
  --days N              days of history they span, ending now (30)
  --devices N           devices in the benchmark community (500)
  --buildings N         buildings (25)
  --incidents N         past incidents stored (10000)
  --open N              of which still open (25)
  --rounds N            board loads measured (30)
  --charts N            devices whose 7-day chart is measured (20)
  --keep                keep the database files and logs (printed at exit)
Environment: BENCH_HUB_JAVA_OPTS, extra JVM options of the hub.
The last line is: RESULT board_load_ms=<n> chart_7d_ms=<n>'

bench_console() {
  local driver_args=() devices=500 buildings=25
  while (($#)); do
    case $1 in
      --devices) devices=$2; driver_args+=("$1" "$2"); shift 2 ;;
      --buildings) buildings=$2; driver_args+=("$1" "$2"); shift 2 ;;
      --readings | --days | --incidents | --open | --rounds | --charts)
        driver_args+=("$1" "$2"); shift 2 ;;
      --keep) BENCH_KEEP=1; shift ;;
      -h | --help) printf '%s\n' "$BENCH_CONSOLE_USAGE"; return 0 ;;
      *) printf '%s\n' "$BENCH_CONSOLE_USAGE" >&2; fail "unknown option: $1" ;;
    esac
  done

  bench_make_dir
  on_exit bench_console_cleanup

  section "machine"
  bench_describe_machine
  note "settings  : ${driver_args[*]:-defaults}"

  section "PostgreSQL and TimescaleDB"
  bench_ensure_postgres

  section "build"
  bench_build
  note "$BENCH_HUB_JAR, $BENCH_SIM_JAR"
  local sim_cp
  sim_cp="$BENCH_SIM_JAR:$(dirname "$BENCH_SIM_JAR")/lib/*"

  section "database"
  # Loading 50 million rows writes about as much WAL as data: let checkpoints recycle it rather
  # than keep it all (the ingest mode keeps it, to keep checkpoints out of its windows).
  BENCH_PG_EXTRA_CONF=$'max_wal_size = 4GB\ncheckpoint_timeout = 5min' bench_start_postgres
  note "PostgreSQL on 127.0.0.1:$BENCH_PG_PORT (pid $BENCH_PG_PID), files in $BENCH_PG_DIR"

  section "hub"
  # The rollup looks for new hours every 10 s instead of 5 min, so the run does not wait for it
  # once the history is stored.
  java -cp "$sim_cp" org.communityguard.sim.bench.ConsoleBench site --out "$BENCH_DIR/site.yaml" \
    --devices "$devices" --buildings "$buildings" || fail "could not write the benchmark site file"
  local http_port uplink_port admin_password
  http_port=$(bench_free_port)
  uplink_port=$(bench_free_port)
  admin_password=$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')
  # shellcheck disable=SC2086  # BENCH_HUB_JAVA_OPTS is a list of JVM options
  HUB_DB_URL="jdbc:postgresql://127.0.0.1:$BENCH_PG_PORT/postgres" HUB_DB_USER=postgres HUB_DB_PASSWORD= \
    HUB_DB_TIMESCALE=required HUB_HTTP_HOST=127.0.0.1 HUB_HTTP_PORT=$http_port \
    HUB_UPLINK_HOST=127.0.0.1 HUB_UPLINK_PORT=$uplink_port HUB_SITE_FILE="$BENCH_DIR/site.yaml" \
    HUB_ADMIN_PASSWORD="$admin_password" HUB_TELEMETRY_ROLLUP_EVERY=10s \
    java ${BENCH_HUB_JAVA_OPTS:-} -jar "$BENCH_HUB_JAR" >"$BENCH_DIR/hub.log" 2>&1 &
  BENCH_HUB_PID=$!
  bench_wait_hub "$http_port"
  note "hub on 127.0.0.1 (pid $BENCH_HUB_PID): HTTP $http_port, log $BENCH_DIR/hub.log"

  section "console benchmark"
  local status=0 follow_pid
  : >"$BENCH_DIR/driver.log"
  BENCH_ADMIN_PASSWORD=$admin_password java -cp "$sim_cp" org.communityguard.sim.bench.ConsoleBench run \
    --hub "http://127.0.0.1:$http_port" --db-url "jdbc:postgresql://127.0.0.1:$BENCH_PG_PORT/postgres" \
    "${driver_args[@]}" >>"$BENCH_DIR/driver.log" 2>"$BENCH_DIR/driver.err" &
  BENCH_DRIVER_PID=$!
  tail -n +1 -f --pid="$BENCH_DRIVER_PID" "$BENCH_DIR/driver.log" &
  follow_pid=$!
  wait "$BENCH_DRIVER_PID" || status=$?
  wait "$follow_pid" || true
  if ((status != 0)); then
    tail -n 30 "$BENCH_DIR/driver.err" >&2
    grep -E 'WARN|ERROR' "$BENCH_DIR/hub.log" | tail -n 20 >&2 || true
    fail "the console benchmark failed (exit $status); driver and hub logs in $BENCH_DIR"
  fi

  section "stop"
  bench_stop_hub
  bench_stop_postgres
  sections_summary
  BENCH_OK=1
  grep '^RESULT ' "$BENCH_DIR/driver.log" | tail -n 1
}

bench_console_cleanup() {
  if [[ -n ${BENCH_DRIVER_PID:-} ]] && kill -0 "$BENCH_DRIVER_PID" 2>/dev/null; then
    kill -TERM "$BENCH_DRIVER_PID" 2>/dev/null || true
    wait "$BENCH_DRIVER_PID" 2>/dev/null || true
  fi
  bench_stop_hub
  bench_stop_postgres
  bench_remove_dir
}
