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
  on_exit bench_cleanup

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
  # The rollup looks for new hours every 10 s instead of 5 min, so the measurement does not wait
  # for it once the hub is back after the load.
  java -cp "$sim_cp" org.communityguard.sim.bench.ConsoleBench site --out "$BENCH_DIR/site.yaml" \
    --devices "$devices" --buildings "$buildings" || fail "could not write the benchmark site file"
  local http_port uplink_port admin_password
  http_port=$(bench_free_port)
  uplink_port=$(bench_free_port)
  admin_password=$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')
  bench_console_start_hub() {
    # shellcheck disable=SC2086  # BENCH_HUB_JAVA_OPTS is a list of JVM options
    HUB_DB_URL="jdbc:postgresql://127.0.0.1:$BENCH_PG_PORT/postgres" HUB_DB_USER=postgres HUB_DB_PASSWORD= \
      HUB_DB_TIMESCALE=required HUB_HTTP_HOST=127.0.0.1 HUB_HTTP_PORT=$http_port \
      HUB_UPLINK_HOST=127.0.0.1 HUB_UPLINK_PORT=$uplink_port HUB_SITE_FILE="$BENCH_DIR/site.yaml" \
      HUB_ADMIN_PASSWORD="$admin_password" HUB_TELEMETRY_ROLLUP_EVERY=10s \
      java ${BENCH_HUB_JAVA_OPTS:-} -jar "$BENCH_HUB_JAR" >>"$BENCH_DIR/hub.log" 2>&1 &
    BENCH_HUB_PID=$!
    bench_wait_hub "$http_port"
  }
  # Once to create the schema and load the site, then stopped: the history goes in with no hub
  # running, as if it had been stored over the last month.
  bench_console_start_hub
  bench_stop_hub
  note "schema and site loaded by the hub (log $BENCH_DIR/hub.log)"

  section "history"
  local db_url="jdbc:postgresql://127.0.0.1:$BENCH_PG_PORT/postgres"
  bench_console_driver load --db-url "$db_url" "${driver_args[@]}"

  section "console benchmark"
  bench_console_start_hub
  note "hub on 127.0.0.1 (pid $BENCH_HUB_PID): HTTP $http_port, log $BENCH_DIR/hub.log"
  BENCH_ADMIN_PASSWORD=$admin_password bench_console_driver measure --hub "http://127.0.0.1:$http_port" \
    --db-url "$db_url" "${driver_args[@]}"

  bench_finish
}

# Runs the driver in the background with its output followed here (bash runs the INT/TERM trap,
# and so the cleanup, at once during "wait"); fails the run when the driver fails.
bench_console_driver() {
  local status=0 follow_pid
  : >>"$BENCH_DIR/driver.log"
  java -cp "$sim_cp" org.communityguard.sim.bench.ConsoleBench "$@" >>"$BENCH_DIR/driver.log" 2>>"$BENCH_DIR/driver.err" &
  BENCH_DRIVER_PID=$!
  tail -n 0 -f --pid="$BENCH_DRIVER_PID" "$BENCH_DIR/driver.log" &
  follow_pid=$!
  wait "$BENCH_DRIVER_PID" || status=$?
  wait "$follow_pid" || true
  if ((status != 0)); then
    tail -n 30 "$BENCH_DIR/driver.err" >&2
    grep -E 'WARN|ERROR' "$BENCH_DIR/hub.log" | tail -n 20 >&2 || true
    fail "the console benchmark's $1 step failed (exit $status); driver and hub logs in $BENCH_DIR"
  fi
}

