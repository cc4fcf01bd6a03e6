# What every deploy/bench.sh mode shares: the machine's description, the build, free ports, and
# a throwaway PostgreSQL with TimescaleDB and durable settings. Source it after log.sh, apt.sh
# and test-deps.sh.
# shellcheck shell=bash

BENCH_PG_USER=postgres

# A few lines describing the run and the machine, as docs/benchmarks.md records them.
bench_describe_machine() {
  local cpu memory
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
  memory=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  note "date      : $(date -u '+%Y-%m-%d %H:%M UTC')"
  note "commit    : $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  note "machine   : $(nproc) CPUs ($cpu), $memory memory, $(uname -sr)"
  note "load      : $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min averages before the run)"
  note "java      : $(java -version 2>&1 | head -n 1)"
}

# Builds the hub and device-sim jars (and what they depend on), and the edge agent's when asked
# (bench_build edge-agent: BENCH_AGENT_JAR); BENCH_SIM_CP is device-sim's class path, for its
# drivers. Tests are the business of deploy/test.sh.
bench_build() {
  local modules=hub,device-sim${1:+,$1}
  mvn -B -q --no-transfer-progress -Dstyle.color=never -DskipTests package -pl "$modules" -am \
    >"$BENCH_DIR/build.log" 2>&1 \
    || { tail -n 40 "$BENCH_DIR/build.log" >&2; fail "the build failed: mvn -DskipTests package -pl $modules -am"; }
  BENCH_HUB_JAR=$(bench_copy_jar hub) && BENCH_SIM_JAR=$(bench_copy_jar device-sim) || exit 1
  BENCH_SIM_CP="$BENCH_SIM_JAR:$(dirname "$BENCH_SIM_JAR")/lib/*"
  if [[ ${1:-} == edge-agent ]]; then
    BENCH_AGENT_JAR=$(bench_copy_jar edge-agent) || exit 1
  fi
}

# A module's jar and its lib/ copied into BENCH_DIR/jars, so that a build in the working tree
# during a long run (the test suite, say) cannot change a jar under a running or restarting JVM.
# Prints the copy's path.
bench_copy_jar() {
  local jar
  jar=$(find "$1/target" -maxdepth 1 -name "$1-*.jar" ! -name '*-sources.jar' | head -n 1)
  [[ -n $jar ]] || fail "the build left no $1 jar in $1/target"
  mkdir -p "$BENCH_DIR/jars/$1"
  cp "$jar" "$BENCH_DIR/jars/$1/"
  cp -r "$1/target/lib" "$BENCH_DIR/jars/$1/"
  printf '%s\n' "$BENCH_DIR/jars/$1/$(basename "$jar")"
}

# A TCP port that nobody listens on at the moment, below the kernel's ephemeral range: a port
# in that range can be taken between this check and the server's bind by any outgoing
# connection's local end (PackagesIT once failed so: the hub's HTTP port "already in use").
# A race with another program choosing the same way is still possible, and accepted.
bench_free_port() {
  local port low=32768 high
  read -r low high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || true
  ((low > 11000)) || low=61000 high=65535
  while true; do
    if ((low == 61000)); then
      port=$((61000 + RANDOM % (high - 61000)))
    else
      port=$((10000 + RANDOM % (low - 10000)))
    fi
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      printf '%s\n' "$port"
      return
    fi
  done
}

# Sets BENCH_PG_BIN to the PostgreSQL server binaries that have TimescaleDB next to them: those
# of pg_config on the PATH, else Debian's /usr/lib/postgresql/N/bin, highest N first. Returns 1
# when there are none.
bench_find_postgres() {
  local dir candidates=()
  if command -v pg_config >/dev/null; then
    candidates+=("$(pg_config --bindir)")
  fi
  candidates+=($(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r))
  for dir in "${candidates[@]}"; do
    if [[ -x $dir/initdb && -x $dir/postgres && -f $(bench_pg_sharedir "$dir")/extension/timescaledb.control ]]; then
      BENCH_PG_BIN=$dir
      return 0
    fi
  done
  return 1
}

# The share directory of a bin directory; Debian ships pg_config with the server only in -dev,
# so fall back to its layout (/usr/share/postgresql/N).
bench_pg_sharedir() {
  if [[ -x $1/pg_config ]]; then
    "$1/pg_config" --sharedir
  else
    printf '/usr/share/postgresql/%s\n' "$(basename "$(dirname "$1")")"
  fi
}

# PostgreSQL with TimescaleDB: found, or installed the way deploy/test.sh installs it.
bench_ensure_postgres() {
  if bench_find_postgres; then
    note "PostgreSQL with TimescaleDB: $BENCH_PG_BIN"
    return
  fi
  note "no PostgreSQL with TimescaleDB here: installing as deploy/test.sh does"
  install_test_dependencies
  bench_find_postgres || fail "PostgreSQL with TimescaleDB is still missing after installing it"
}

# Sets BENCH_MOSQUITTO_BIN, installing Mosquitto when it is missing.
bench_ensure_mosquitto() {
  BENCH_MOSQUITTO_BIN=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  if [[ ! -x $BENCH_MOSQUITTO_BIN ]]; then
    note "Mosquitto missing: installing it"
    apt_install mosquitto
    BENCH_MOSQUITTO_BIN=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  fi
}

# Writes to $1 the gateway's Mosquitto configuration (deploy/mosquitto/gateway.conf: its queue for
# the agent, its in-flight window) on 127.0.0.1:$2, minus what a throwaway local run cannot have
# (accounts, syslog, persistence).
bench_mosquitto_conf() {
  grep -v -E '^(listener|allow_anonymous|password_file|acl_file|persistence|log_dest|autosave_interval)' \
    deploy/mosquitto/gateway.conf >"$1"
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n' "$2" >>"$1"
}

# The JVM options of a systemd unit of deploy/systemd ($1: communityguard-edge, communityguard-hub),
# so that a benchmark's process runs as an installed one does.
bench_unit_java_opts() {
  local opts unit=deploy/systemd/$1.service
  opts=$(sed -n 's/^Environment="JAVA_OPTS=\(.*\)"$/\1/p' "$unit")
  [[ -n $opts ]] || fail "no JAVA_OPTS in $unit"
  printf '%s\n' "$opts"
}

# The edge agent's (deploy/systemd/communityguard-edge.service): the field's Raspberry-Pi budget.
bench_agent_java_opts() {
  bench_unit_java_opts communityguard-edge
}

# Waits up to 120 s for URL $1 to answer 2xx while process $2 lives; on failure shows the end of log $3.
bench_wait_http() {
  local url=$1 pid=$2 log=$3 i
  for i in $(seq 1 1200); do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$log" >&2; fail "$(basename "$log"): the process exited (log above)"; }
    curl -fs -o /dev/null --max-time 2 "$url" && return 0
    sleep 0.1
  done
  tail -n 30 "$log" >&2
  fail "$url did not answer within 120 s (log above)"
}

# SIGTERM to a process this script started, and wait for it; harmless when it is gone.
bench_stop_process() {
  if [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}

# The prefix that runs a command as the PostgreSQL OS user when we are root (PostgreSQL refuses
# to run as root). An array, not a function: "${BENCH_AS_PG[@]}" postgres ... & must leave $!
# the server's own pid (setpriv execs it), not that of a subshell.
if [[ $EUID -eq 0 ]]; then
  BENCH_AS_PG=(setpriv --reuid="$BENCH_PG_USER" --regid="$BENCH_PG_USER" --init-groups --)
else
  BENCH_AS_PG=()
fi

# Starts a throwaway PostgreSQL (BENCH_PG_BIN, from bench_ensure_postgres) with its files in
# BENCH_DIR/pg, on a free loopback port; BENCH_PG_EXTRA_CONF, when set, is appended to its settings. Sets BENCH_PG_PORT and BENCH_PG_PID; bench_stop_postgres
# stops it.
#
# Durable on purpose: fsync, synchronous_commit and full_page_writes keep their defaults (on),
# unlike the test harness's throwaway servers, so an acknowledged reading is on disk. Sized for
# a shared 24 GiB machine. max_wal_size and checkpoint_timeout keep a five-minute run (about 10 GB
# of WAL) free of checkpoints, so the phases of one run are compared under the same conditions;
# the driver marks any window a checkpoint falls into anyway. WAL is only kept as written, so
# the large setting costs no disk beyond what the run writes.
bench_start_postgres() {
  BENCH_PG_DIR=$BENCH_DIR/pg
  mkdir -p "$BENCH_PG_DIR"
  [[ $EUID -ne 0 ]] || chown "$BENCH_PG_USER:" "$BENCH_PG_DIR"
  "${BENCH_AS_PG[@]}" "$BENCH_PG_BIN/initdb" --pgdata="$BENCH_PG_DIR/data" --username=postgres --auth=trust \
    --encoding=UTF8 --locale=C >"$BENCH_PG_DIR/initdb.log" 2>&1 \
    || { tail -n 20 "$BENCH_PG_DIR/initdb.log" >&2; fail "initdb failed"; }
  cat >>"$BENCH_PG_DIR/data/postgresql.conf" <<CONF

# --- CommunityGuard deploy/bench.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$BENCH_PG_DIR'
timezone = 'UTC'
log_timezone = 'UTC'
shared_preload_libraries = 'timescaledb'
timescaledb.telemetry_level = off
# Durability: the defaults, written out so nobody wonders.
fsync = on
synchronous_commit = on
full_page_writes = on
shared_buffers = 1GB
max_wal_size = 32GB
checkpoint_timeout = 15min
log_checkpoints = on
CONF
  # A mode may add or override settings (later lines win).
  if [[ -n ${BENCH_PG_EXTRA_CONF:-} ]]; then
    printf '%s\n' "$BENCH_PG_EXTRA_CONF" >>"$BENCH_PG_DIR/data/postgresql.conf"
  fi
  local attempt
  for attempt in 1 2 3; do
    BENCH_PG_PORT=$(bench_free_port)
    "${BENCH_AS_PG[@]}" "$BENCH_PG_BIN/postgres" -D "$BENCH_PG_DIR/data" -c "port=$BENCH_PG_PORT" \
      >>"$BENCH_PG_DIR/postgres.log" 2>&1 &
    BENCH_PG_PID=$!
    if bench_wait_postgres; then
      return
    fi
    grep -q "could not bind" "$BENCH_PG_DIR/postgres.log" || break
  done
  tail -n 20 "$BENCH_PG_DIR/postgres.log" >&2
  fail "PostgreSQL did not start (log above)"
}

bench_wait_postgres() {
  local i
  for i in $(seq 1 120); do
    kill -0 "$BENCH_PG_PID" 2>/dev/null || return 1
    if "$BENCH_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$BENCH_PG_PORT"; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

# SIGINT is PostgreSQL's fast shutdown: clients are disconnected, nothing waits for them.
bench_stop_postgres() {
  if [[ -n ${BENCH_PG_PID:-} ]] && kill -0 "$BENCH_PG_PID" 2>/dev/null; then
    kill -INT "$BENCH_PG_PID" 2>/dev/null || true
    local i
    for i in $(seq 1 40); do
      kill -0 "$BENCH_PG_PID" 2>/dev/null || break
      sleep 0.25
    done
    kill -KILL "$BENCH_PG_PID" 2>/dev/null || true
  fi
}

# A scratch directory for the run (database files, logs) in BENCH_DIR. Deleted at exit, except
# its logs when the run did not reach BENCH_OK=1 (they explain why) and all of it with BENCH_KEEP=1.
bench_make_dir() {
  BENCH_DIR=$(mktemp -d /var/tmp/communityguard-bench.XXXXXX)
  chmod 755 "$BENCH_DIR"
}

bench_remove_dir() {
  if [[ -z ${BENCH_DIR:-} || ! -d $BENCH_DIR ]]; then
    return
  fi
  if [[ -n ${BENCH_KEEP:-} ]]; then
    printf 'BENCH_KEEP: database files and logs kept in %s\n' "$BENCH_DIR" >&2
  elif [[ -n ${BENCH_OK:-} ]]; then
    rm -rf "$BENCH_DIR"
  else
    # The database files are gigabytes and say nothing the logs do not; the jars are the build's.
    rm -rf "$BENCH_DIR/pg/data" "$BENCH_DIR/jars"
    printf 'logs kept in %s\n' "$BENCH_DIR" >&2
  fi
}

# Driver, then hub, then database: nobody spends its last seconds retrying a vanished server.
bench_cleanup() {
  if [[ -n ${BENCH_DRIVER_PID:-} ]] && kill -0 "$BENCH_DRIVER_PID" 2>/dev/null; then
    kill -TERM "$BENCH_DRIVER_PID" 2>/dev/null || true
    wait "$BENCH_DRIVER_PID" 2>/dev/null || true
  fi
  bench_stop_hub
  bench_stop_postgres
  bench_remove_dir
}

# Runs a driver, the command "$@", in the background: its output into BENCH_DIR/driver.log, followed
# here as it comes, its errors into driver.err. Sets BENCH_DRIVER_STATUS to its exit code.
bench_run_driver() {
  local follow_pid
  BENCH_DRIVER_STATUS=0
  # Created here, not by the driver's redirection, which may come after tail looks for it.
  : >"$BENCH_DIR/driver.log"
  "$@" >>"$BENCH_DIR/driver.log" 2>"$BENCH_DIR/driver.err" &
  BENCH_DRIVER_PID=$!
  # Driver and follower run in the background and are waited for: bash runs its INT/TERM trap
  # (and so the cleanup) at once during "wait", but only after a foreground command ends.
  tail -n +1 -f --pid="$BENCH_DRIVER_PID" "$BENCH_DIR/driver.log" &
  follow_pid=$!
  wait "$BENCH_DRIVER_PID" || BENCH_DRIVER_STATUS=$?
  wait "$follow_pid" || true
}

# Stops hub and database, prints the timings, and ends with the driver's RESULT line: the last
# line, whatever else was printed.
bench_finish() {
  section "stop"
  bench_stop_hub
  bench_stop_postgres
  sections_summary
  BENCH_OK=1
  grep '^RESULT ' "$BENCH_DIR/driver.log" | tail -n 1
}
