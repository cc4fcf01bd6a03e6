# deploy/bench.sh faults: the fault catalogue of issue 12, end to end. For each fault, on a fresh
# database of one durable PostgreSQL (fsync on): a Mosquitto (the gateway's configuration), the
# hub jar, the edge agent jar and device-sim's FaultDriver (the demo site's 42 devices reporting
# every 100 ms, alarms from one smoke detector at a time, the ledger of every (device, seq)); the
# fault is injected here, then the driver waits until the hub has everything and counts. One row
# per fault, then the RESULT line with the totals. Method and results: docs/benchmarks.md,
# section Faults. Source it after bench-common.sh and bench-ingest.sh (bench_wait_hub, bench_stop_hub).
# shellcheck shell=bash

BENCH_FAULTS_USAGE='usage: bash deploy/bench.sh faults [options]
  --quick              a smoke run of every fault: 3 kills of each kind, 3 power cuts, 2 half-open rounds of
                       15 s, 4 reboots, 15 poison readings, a 20 s black hole, a 30 s provider outage
  --seed N             seeds the kill moments, the devices and the order of the alarming detectors (random, printed)
  --only FAULT[,FAULT] run only these faults of the catalogue
  --reboots N          rounds of device reboots (8; --quick 4)
  --poison N           poison readings (90; --quick 15)
  --hub-kills N        hub kills (20; --quick 3)
  --postgres-kills N   PostgreSQL kills (10; --quick 3)
  --half-open N        rounds of a half-open database connection (10; --quick 2)
  --half-open-s S      seconds each round holds the connections silent (40; --quick 15)
  --agent-kills N      edge agent kills (20; --quick 3)
  --power-cuts N       broker and agent power cuts (10; --quick 3)
  --black-hole S       seconds the uplink is a black hole (600; --quick 20)
  --notify-down S      seconds the notification provider is down (3600; --quick 30)
  --interval-ms N      each device reports every N ms (100)
  --keep               keep the database files and logs (printed at exit)
The catalogue, in this order:
  device-reboot  N times every device power-cycles and its seq starts again at 0, 1, 300 or 5000
                 (each value for some device every round); an alarm right after each round
  poison-reading N readings the hub'"'"'s database cannot store (U+0000 in a string, a number beyond
                 any double, a time after year 9999), one device after another, among alarms:
                 each must be refused with a reason, everything else stored
  hub-kill       kill -9 of the hub mid-batch, N times, each 0.2-2 s (random) after the restarted hub
                 stores again; restarted on the same database and uplink port
  postgres-kill  kill -9 of PostgreSQL, postmaster and every backend at once, N times under load;
                 restarted on the same data directory and port (crash recovery)
  half-open-db   N times the hub'"'"'s open database connections go silent (a relay between hub and
                 PostgreSQL stops forwarding them, closing nothing) for S s while new ones go through;
                 an alarm during each
  agent-kill     kill -9 of the edge agent, N times under load; restarted on the same buffer
  power-loss     kill -9 of Mosquitto (the gateway'"'"'s configuration, persistence on) and the agent
                 together, N times; both restarted on the same persistence file and buffer
  black-hole     the uplink (a relay between agent and hub) stops forwarding and closes nothing, for S s
  notify-down    the webhook notification provider answers 503 for the first half of S s and
                 refuses connections for the second half; fires during the outage must be notified after it
Each alarm is one smoke detector going into alarm; "raised" means the hub holds a FIRE incident of
that detector from that alarm or a later reading of it (docs/benchmarks.md). Per fault:
  alarms sent / raised / delay max (ms) / lost, readings acknowledged / stored / lost / duplicated,
  and where the fault has them: poison readings refused, readings lost in the broker'"'"'s window
The last line is: RESULT alarms_sent=<n> alarms_raised=<n> alarms_lost=<n> alarm_delay_max_ms=<n>
  alarms_duplicated=<n> readings_acknowledged=<n> readings_stored=<n> readings_lost=<n>
  readings_lost_in_broker_window=<n> readings_duplicated=<n> readings_unexpected=<n> readings_poison=<n>
  readings_refused=<n> readings_poison_stored=<n> notifications_sent=<n> notifications_delivered=<n>
  notifications_lost=<n> faults=<run> seed=<n>   (targets: 0 lost, 0 duplicated, every poison reading refused;
  readings_lost_in_broker_window is the documented power-loss window of Mosquitto, reported, not a target)'

BENCH_FAULTS_CATALOGUE=(device-reboot poison-reading hub-kill postgres-kill half-open-db agent-kill power-loss
  black-hole notify-down)
BENCH_FAULTS_GATEWAY=gw-sunny-1
BENCH_FAULTS_SECRET=bench-faults-gateway-secret-0123
BENCH_FAULTS_SITE=deploy/demo/site.yaml

bench_faults() {
  local quick="" seed="" only="" reboots="" poison="" hub_kills="" postgres_kills="" half_open="" half_open_s=""
  local agent_kills="" power_cuts="" black_hole="" notify_down=""
  BENCH_FAULTS_INTERVAL_MS=100
  while (($#)); do
    case $1 in
      --quick) quick=1; shift ;;
      --seed) seed=$2; shift 2 ;;
      --only) only=$2; shift 2 ;;
      --reboots) reboots=$2; shift 2 ;;
      --poison) poison=$2; shift 2 ;;
      --hub-kills) hub_kills=$2; shift 2 ;;
      --postgres-kills) postgres_kills=$2; shift 2 ;;
      --half-open) half_open=$2; shift 2 ;;
      --half-open-s) half_open_s=$2; shift 2 ;;
      --agent-kills) agent_kills=$2; shift 2 ;;
      --power-cuts) power_cuts=$2; shift 2 ;;
      --black-hole) black_hole=$2; shift 2 ;;
      --notify-down) notify_down=$2; shift 2 ;;
      --interval-ms) BENCH_FAULTS_INTERVAL_MS=$2; shift 2 ;;
      --keep) BENCH_KEEP=1; shift ;;
      -h | --help) printf '%s\n' "$BENCH_FAULTS_USAGE"; return 0 ;;
      *) printf '%s\n' "$BENCH_FAULTS_USAGE" >&2; fail "unknown option: $1" ;;
    esac
  done
  BENCH_FAULTS_REBOOTS=${reboots:-$([[ -n $quick ]] && echo 4 || echo 8)}
  BENCH_FAULTS_POISON=${poison:-$([[ -n $quick ]] && echo 15 || echo 90)}
  BENCH_FAULTS_HUB_KILLS=${hub_kills:-$([[ -n $quick ]] && echo 3 || echo 20)}
  BENCH_FAULTS_POSTGRES_KILLS=${postgres_kills:-$([[ -n $quick ]] && echo 3 || echo 10)}
  BENCH_FAULTS_HALF_OPEN=${half_open:-$([[ -n $quick ]] && echo 2 || echo 10)}
  BENCH_FAULTS_HALF_OPEN_S=${half_open_s:-$([[ -n $quick ]] && echo 15 || echo 40)}
  BENCH_FAULTS_AGENT_KILLS=${agent_kills:-$([[ -n $quick ]] && echo 3 || echo 20)}
  BENCH_FAULTS_POWER_CUTS=${power_cuts:-$([[ -n $quick ]] && echo 3 || echo 10)}
  BENCH_FAULTS_BLACK_HOLE_S=${black_hole:-$([[ -n $quick ]] && echo 20 || echo 600)}
  BENCH_FAULTS_NOTIFY_DOWN_S=${notify_down:-$([[ -n $quick ]] && echo 30 || echo 3600)}
  local n
  for n in "$BENCH_FAULTS_REBOOTS" "$BENCH_FAULTS_POISON" "$BENCH_FAULTS_HUB_KILLS" "$BENCH_FAULTS_POSTGRES_KILLS" \
    "$BENCH_FAULTS_HALF_OPEN" "$BENCH_FAULTS_HALF_OPEN_S" "$BENCH_FAULTS_AGENT_KILLS" "$BENCH_FAULTS_POWER_CUTS" \
    "$BENCH_FAULTS_BLACK_HOLE_S" "$BENCH_FAULTS_NOTIFY_DOWN_S" "$BENCH_FAULTS_INTERVAL_MS"; do
    [[ $n =~ ^[0-9]+$ && $n -ge 1 ]] || fail "counts, durations and the interval must be whole numbers of at least 1: $n"
  done
  seed=${seed:-$(((RANDOM << 15) | RANDOM))}
  [[ $seed =~ ^[0-9]+$ ]] || fail "--seed must be a whole number"
  BENCH_FAULTS_SEED=$seed
  # Every random choice of the script (kill moments, alarms) comes from here: same seed, same plan.
  RANDOM=$seed

  local faults=() fault
  if [[ -n $only ]]; then
    IFS=, read -r -a faults <<<"$only"
    for fault in "${faults[@]}"; do
      [[ " ${BENCH_FAULTS_CATALOGUE[*]} " == *" $fault "* ]] || fail "no fault '$fault' (see --help)"
    done
  else
    faults=("${BENCH_FAULTS_CATALOGUE[@]}")
  fi

  bench_make_dir
  on_exit bench_faults_cleanup

  section "machine"
  bench_describe_machine
  note "settings  : seed $seed (replay with --seed $seed), faults ${faults[*]};"
  note "            reboots $BENCH_FAULTS_REBOOTS, poison readings $BENCH_FAULTS_POISON, hub kills $BENCH_FAULTS_HUB_KILLS,"
  note "            PostgreSQL kills $BENCH_FAULTS_POSTGRES_KILLS, half-open rounds $BENCH_FAULTS_HALF_OPEN of ${BENCH_FAULTS_HALF_OPEN_S}s,"
  note "            agent kills $BENCH_FAULTS_AGENT_KILLS, power cuts $BENCH_FAULTS_POWER_CUTS, black hole ${BENCH_FAULTS_BLACK_HOLE_S}s,"
  note "            provider down ${BENCH_FAULTS_NOTIFY_DOWN_S}s, devices report every ${BENCH_FAULTS_INTERVAL_MS} ms"

  section "PostgreSQL, TimescaleDB, Mosquitto"
  bench_ensure_postgres
  bench_ensure_mosquitto
  note "Mosquitto: $BENCH_MOSQUITTO_BIN"

  section "build"
  bench_build edge-agent
  note "$BENCH_HUB_JAR, $BENCH_AGENT_JAR, $BENCH_SIM_JAR"

  section "database"
  # Production's checkpoint settings (the ingest mode keeps checkpoints out of its windows;
  # here crash recovery should replay what a real server would). One syncfs() instead of an
  # fsync() per file at the start of crash recovery: restarts in about a second.
  BENCH_PG_EXTRA_CONF=$'max_wal_size = 1GB\ncheckpoint_timeout = 5min\nrecovery_init_sync_method = syncfs' \
    bench_start_postgres
  note "PostgreSQL on 127.0.0.1:$BENCH_PG_PORT (pid $BENCH_PG_PID), fsync on, files in $BENCH_PG_DIR"

  BENCH_FAULTS_ROWS=()
  for fault in "${faults[@]}"; do
    section "fault: $fault"
    bench_faults_run "$fault"
  done

  bench_faults_report "${faults[*]}"
}

# One fault, from fresh servers to its FAULT line (appended to BENCH_FAULTS_ROWS).
bench_faults_run() {
  local fault=$1 dir="$BENCH_DIR/$1"
  mkdir -p "$dir"
  BENCH_FAULTS_RUN_DIR=$dir
  local db="fault_${fault//-/_}"
  "$BENCH_PG_BIN/psql" -h 127.0.0.1 -p "$BENCH_PG_PORT" -U "$BENCH_PG_USER" -d postgres -qc "CREATE DATABASE $db" \
    || fail "could not create database $db"
  BENCH_FAULTS_DB_URL="jdbc:postgresql://127.0.0.1:$BENCH_PG_PORT/$db"
  BENCH_FAULTS_HUB_DB_URL=$BENCH_FAULTS_DB_URL

  BENCH_FAULTS_MQTT_PORT=$(bench_free_port)
  bench_faults_start_mosquitto
  BENCH_FAULTS_HTTP_PORT=$(bench_free_port)
  BENCH_FAULTS_UPLINK_PORT=$(bench_free_port)
  BENCH_FAULTS_HUB_EXTRA=()
  local driver_args=() agent_uplink_port=$BENCH_FAULTS_UPLINK_PORT db_proxy_port
  case $fault in
    half-open-db)
      # The hub reaches PostgreSQL through the driver's relay; the driver counts on a direct connection.
      db_proxy_port=$(bench_free_port)
      driver_args+=(--black-hole-proxy "$db_proxy_port:$BENCH_PG_PORT")
      BENCH_FAULTS_HUB_DB_URL="jdbc:postgresql://127.0.0.1:$db_proxy_port/$db"
      ;;
    black-hole)
      agent_uplink_port=$(bench_free_port)
      driver_args+=(--black-hole-proxy "$agent_uplink_port:$BENCH_FAULTS_UPLINK_PORT")
      ;;
    notify-down)
      local webhook_port
      webhook_port=$(bench_free_port)
      driver_args+=(--webhook-port "$webhook_port")
      BENCH_FAULTS_HUB_EXTRA=(HUB_NOTIFY_WEBHOOK_URL="http://127.0.0.1:$webhook_port/notify"
        HUB_NOTIFY_WEBHOOK_SECRET=bench-faults-webhook-secret-0123)
      ;;
  esac
  BENCH_FAULTS_COAP_PORT=$(bench_free_port)
  BENCH_FAULTS_METRICS_PORT=$(bench_free_port)
  BENCH_FAULTS_AGENT_UPLINK=tcp://127.0.0.1:$agent_uplink_port
  # The driver first: its relay may be the hub's way to the database; it waits for the agent.
  bench_faults_start_driver "$fault" "${driver_args[@]}"
  bench_faults_start_hub
  note "hub (pid $BENCH_HUB_PID) on uplink $BENCH_FAULTS_UPLINK_PORT, HTTP $BENCH_FAULTS_HTTP_PORT, database $db"
  bench_faults_start_agent
  note "edge agent (pid $BENCH_FAULTS_AGENT_PID), buffer in $dir/buffer; driver (pid $BENCH_DRIVER_PID)"
  bench_faults_await_ready
  bench_faults_await_storing

  case $fault in
    device-reboot) bench_fault_device_reboot ;;
    poison-reading) bench_fault_poison_reading ;;
    hub-kill) bench_fault_hub_kill ;;
    postgres-kill) bench_fault_postgres_kill ;;
    half-open-db) bench_fault_half_open_db ;;
    agent-kill) bench_fault_agent_kill ;;
    power-loss) bench_fault_power_loss ;;
    black-hole) bench_fault_black_hole ;;
    notify-down) bench_fault_notify_down ;;
  esac

  note "stopping the devices; the driver waits until the hub has everything, then counts"
  bench_faults_finish_driver
  local row
  row=$(grep '^FAULT ' "$dir/driver.out" | tail -n 1)
  [[ -n $row ]] || { tail -n 30 "$dir/driver.err" >&2; fail "the driver of $fault printed no FAULT line (log above)"; }
  BENCH_FAULTS_ROWS+=("$row")
  grep -E 'problem|NOT settled|still being retried|refusals by reason' "$dir/driver.err" | head -n 20 | sed 's/^/  /' || true
  note "$(bench_faults_row "$row")"
  bench_stop_process "${BENCH_FAULTS_AGENT_PID:-}"
  bench_stop_hub
  bench_stop_process "${BENCH_FAULTS_MOSQUITTO_PID:-}"
}

# ---- The faults. Each runs while the devices report; the driver does the counting.

# Three times in four (from the seed), the next smoke detector goes into alarm now.
bench_faults_maybe_alarm() {
  if ((RANDOM % 4 < 3)); then
    bench_faults_send alarm
  fi
}

# 200 ms to 2 s, from the seed.
bench_faults_random_pause() {
  local ms=$((200 + RANDOM % 1801))
  sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
}

# $1 times: most times an alarm, 0.2 to 2 s, then $3 (a kill -9 and the restart), then until the
# hub stores again, so that the next kill strikes a chain at work; $2 names it in the log.
bench_faults_strike() {
  local times=$1 what=$2 strike=$3 i started
  for ((i = 1; i <= times; i++)); do
    bench_faults_maybe_alarm
    bench_faults_random_pause
    started=$SECONDS
    "$strike"
    note "$what $i/$times: back after $((SECONDS - started)) s"
    bench_faults_await_storing
  done
  bench_faults_random_pause
}

bench_fault_hub_kill() {
  bench_faults_strike "$BENCH_FAULTS_HUB_KILLS" "hub kill -9" bench_faults_kill_hub
}

bench_fault_postgres_kill() {
  bench_faults_strike "$BENCH_FAULTS_POSTGRES_KILLS" "PostgreSQL kill -9 (crash recovery)" bench_faults_kill_postgres
}

bench_fault_agent_kill() {
  bench_faults_strike "$BENCH_FAULTS_AGENT_KILLS" "edge agent kill -9" bench_faults_kill_agent
}

bench_faults_kill_hub() {
  kill -KILL "$BENCH_HUB_PID"
  wait "$BENCH_HUB_PID" 2>/dev/null || true
  bench_faults_start_hub
}

bench_faults_kill_agent() {
  kill -KILL "$BENCH_FAULTS_AGENT_PID"
  wait "$BENCH_FAULTS_AGENT_PID" 2>/dev/null || true
  # Devices keep reporting while the agent is down: Mosquitto queues the MQTT readings.
  bench_faults_random_pause
  bench_faults_start_agent
}

# $2 alarms spread over $1 seconds: one at the start, then one every $1/$2 seconds.
bench_faults_alarms_during() {
  local seconds=$1 count=$2 step i
  step=$((seconds / count))
  for ((i = 0; i < count; i++)); do
    bench_faults_send alarm
    sleep "$step"
  done
  sleep $((seconds - count * step))
}

bench_fault_black_hole() {
  bench_faults_send black-hole
  note "uplink black hole for ${BENCH_FAULTS_BLACK_HOLE_S}s, 8 alarms during it"
  bench_faults_alarms_during "$BENCH_FAULTS_BLACK_HOLE_S" 8
  bench_faults_send resume
  note "uplink forwarding again"
  bench_faults_send alarm
  bench_faults_await_storing
}

bench_fault_notify_down() {
  local half=$(((BENCH_FAULTS_NOTIFY_DOWN_S + 1) / 2))
  bench_faults_send webhook-503
  note "notification provider answers 503 for ${half}s, then refuses connections; 8 alarms during the outage"
  bench_faults_alarms_during "$half" 4
  bench_faults_send webhook-refuse
  bench_faults_alarms_during $((BENCH_FAULTS_NOTIFY_DOWN_S - half)) 4
  bench_faults_send webhook-up
  note "notification provider back"
}

# Every device power-cycles, N times, 2 to 5 s apart: its seq starts again (FaultDriver's
# REBOOT_SEQS), and an alarm comes right after, among the rebooted readings.
bench_fault_device_reboot() {
  local i
  for ((i = 1; i <= BENCH_FAULTS_REBOOTS; i++)); do
    bench_faults_send reboot
    bench_faults_send alarm
    note "reboot $i/$BENCH_FAULTS_REBOOTS: every device's seq starts again"
    bench_faults_random_pause
    sleep 2
  done
  bench_faults_await_storing
}

# N poison readings, one device after another (every kind for every transport and format), in
# bursts of three with an alarm most times: the devices keep reporting around them.
bench_fault_poison_reading() {
  local i
  for ((i = 1; i <= BENCH_FAULTS_POISON; i++)); do
    bench_faults_send poison
    if ((i % 3 == 0)); then
      bench_faults_maybe_alarm
      bench_faults_random_pause
    fi
  done
  note "$BENCH_FAULTS_POISON poison readings sent"
  bench_faults_await_storing
}

# The hub's database connections open now go silent (the driver's relay stops forwarding them
# and closes nothing) for S s, an alarm a second in; connections the hub opens meanwhile work.
bench_fault_half_open_db() {
  bench_faults_strike "$BENCH_FAULTS_HALF_OPEN" "database connections half-open for ${BENCH_FAULTS_HALF_OPEN_S}s" \
    bench_faults_half_open_once
}

bench_faults_half_open_once() {
  bench_faults_send half-open
  sleep 1
  bench_faults_send alarm
  sleep "$((BENCH_FAULTS_HALF_OPEN_S - 1))"
  bench_faults_send resume
}

# Mosquitto and the agent SIGKILLed in one kill, N times: the gateway's power cut. The driver is
# told an autosave interval and 2 s before the cut, so that it knows which readings only the
# broker had acknowledged since its last save could have run (the documented window).
bench_fault_power_loss() {
  bench_faults_strike "$BENCH_FAULTS_POWER_CUTS" "power cut (Mosquitto and agent kill -9)" bench_faults_power_cut
}

bench_faults_power_cut() {
  local autosave
  autosave=$(sed -n 's/^autosave_interval \([0-9]*\)$/\1/p' deploy/mosquitto/gateway.conf)
  bench_faults_send power-window
  # A save is due every autosave_interval s, checked on whole seconds: one more second of slack.
  sleep "$((autosave + 2))"
  kill -KILL "$BENCH_FAULTS_MOSQUITTO_PID" "$BENCH_FAULTS_AGENT_PID"
  wait "$BENCH_FAULTS_MOSQUITTO_PID" "$BENCH_FAULTS_AGENT_PID" 2>/dev/null || true
  # Told after the kill, and after the devices have read every PUBACK the broker sent before it:
  # told before, the driver could close the window while the broker still acknowledged, and the
  # readings of those last milliseconds (the very ones a power cut loses) counted as lost.
  sleep 0.5
  bench_faults_send power-cut
  bench_faults_random_pause
  bench_faults_start_mosquitto
  bench_faults_start_agent
}

# ---- Processes.

# A fresh broker per fault (no retained status or queued session of the previous one), with the
# gateway's configuration, persistence included (its autosave interval); on BENCH_FAULTS_MQTT_PORT.
# Started again after a power cut on the same persistence file.
bench_faults_start_mosquitto() {
  local dir=$BENCH_FAULTS_RUN_DIR
  mkdir -p "$dir/mosquitto"
  bench_mosquitto_conf "$dir/mosquitto.conf" "$BENCH_FAULTS_MQTT_PORT"
  sed -i 's/^persistence false$/persistence true/' "$dir/mosquitto.conf"
  printf 'persistence_location %s/\n' "$dir/mosquitto" >>"$dir/mosquitto.conf"
  grep '^autosave_interval ' deploy/mosquitto/gateway.conf >>"$dir/mosquitto.conf"
  # As root Mosquitto would switch to a "mosquitto" user, which may lack the run directory.
  if [[ $EUID -eq 0 ]]; then
    printf 'user root\n' >>"$dir/mosquitto.conf"
  fi
  "$BENCH_MOSQUITTO_BIN" -c "$dir/mosquitto.conf" >>"$dir/mosquitto.log" 2>&1 &
  BENCH_FAULTS_MOSQUITTO_PID=$!
  local i
  for i in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$BENCH_FAULTS_MQTT_PORT") 2>/dev/null && return 0
    kill -0 "$BENCH_FAULTS_MOSQUITTO_PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "Mosquitto did not start: $(tail -n 5 "$dir/mosquitto.log")"
}


# The hub with its deployment's settings on every start (as systemd restarts it), on this fault's
# database and fixed ports, so the agent finds a restarted hub where it was.
bench_faults_start_hub() {
  env HUB_DB_URL="$BENCH_FAULTS_HUB_DB_URL" HUB_DB_USER=postgres HUB_DB_PASSWORD= HUB_DB_TIMESCALE=required \
    HUB_HTTP_HOST=127.0.0.1 HUB_HTTP_PORT="$BENCH_FAULTS_HTTP_PORT" \
    HUB_UPLINK_HOST=127.0.0.1 HUB_UPLINK_PORT="$BENCH_FAULTS_UPLINK_PORT" \
    HUB_UPLINK_GATEWAYS="$BENCH_FAULTS_GATEWAY:$BENCH_FAULTS_SECRET" HUB_SITE_FILE="$BENCH_FAULTS_SITE" \
    HUB_ADMIN_PASSWORD=bench-faults-admin-0123 "${BENCH_FAULTS_HUB_EXTRA[@]}" \
    java ${BENCH_HUB_JAVA_OPTS:-} -jar "$BENCH_HUB_JAR" >>"$BENCH_FAULTS_RUN_DIR/hub.log" 2>&1 &
  BENCH_HUB_PID=$!
  bench_wait_http "http://127.0.0.1:$BENCH_FAULTS_HTTP_PORT/api/health" "$BENCH_HUB_PID" "$BENCH_FAULTS_RUN_DIR/hub.log"
}

# The edge agent with the JVM options of its systemd unit, on this fault's buffer and fixed ports.
bench_faults_start_agent() {
  local opts
  opts=$(bench_agent_java_opts)
  # shellcheck disable=SC2086  # the unit's JAVA_OPTS is a list of JVM options
  EDGE_GATEWAY_ID=$BENCH_FAULTS_GATEWAY EDGE_SITE_FILE=$BENCH_FAULTS_SITE \
    EDGE_BROKER_URL="tcp://127.0.0.1:$BENCH_FAULTS_MQTT_PORT" EDGE_UPLINK_URL=$BENCH_FAULTS_AGENT_UPLINK \
    EDGE_UPLINK_SECRET=$BENCH_FAULTS_SECRET EDGE_PRIVACY_PSEUDONYM_KEY=bench-faults-pseudonym-key-0123456789-abcdef \
    EDGE_COAP_HOST=127.0.0.1 EDGE_COAP_PORT="$BENCH_FAULTS_COAP_PORT" \
    EDGE_METRICS_HOST=127.0.0.1 EDGE_METRICS_PORT="$BENCH_FAULTS_METRICS_PORT" \
    EDGE_BUFFER_DIR="$BENCH_FAULTS_RUN_DIR/buffer" \
    java $opts -jar "$BENCH_AGENT_JAR" >>"$BENCH_FAULTS_RUN_DIR/agent.log" 2>&1 &
  BENCH_FAULTS_AGENT_PID=$!
  bench_wait_http "http://127.0.0.1:$BENCH_FAULTS_METRICS_PORT/health" "$BENCH_FAULTS_AGENT_PID" "$BENCH_FAULTS_RUN_DIR/agent.log"
}



# Until the hub commits readings again (its stored counter moves), or 120 s.
bench_faults_await_storing() {
  local url="http://127.0.0.1:$BENCH_FAULTS_HTTP_PORT/metrics" before now i
  before=$(bench_faults_stored "$url")
  for i in $(seq 1 1200); do
    now=$(bench_faults_stored "$url")
    if [[ $now != "$before" && $now != -1 ]]; then
      return 0
    fi
    sleep 0.1
  done
  fail "the hub stored nothing for 120 s (logs in $BENCH_FAULTS_RUN_DIR)"
}

bench_faults_stored() {
  curl -fs --max-time 2 "$1" 2>/dev/null | sed -n 's/^hub_readings_stored_total \([0-9.eE+]*\)$/\1/p' | head -n 1 | grep . \
    || echo -1
}

# PostgreSQL's power cut: postmaster stopped first (it forks nothing more), every process of the
# server stopped, then all SIGKILLed at once (no backend finishes a commit after the postmaster);
# then started again on the same data directory and port: crash recovery.
bench_faults_kill_postgres() {
  local pids
  kill -STOP "$BENCH_PG_PID"
  pids="$BENCH_PG_PID $(pgrep -P "$BENCH_PG_PID" | tr '\n' ' ')"
  # shellcheck disable=SC2086  # a list of pids
  kill -STOP $pids 2>/dev/null || true
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  wait "$BENCH_PG_PID" 2>/dev/null || true
  local pid i
  for pid in $pids; do
    for i in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
  done
  "${BENCH_AS_PG[@]}" "$BENCH_PG_BIN/postgres" -D "$BENCH_PG_DIR/data" -c "port=$BENCH_PG_PORT" \
    >>"$BENCH_PG_DIR/postgres.log" 2>&1 &
  BENCH_PG_PID=$!
  bench_wait_postgres || { tail -n 20 "$BENCH_PG_DIR/postgres.log" >&2; fail "PostgreSQL did not come back (log above)"; }
}

# The driver reads its commands from a FIFO this script holds open for writing (fd BENCH_FAULTS_CMD).
bench_faults_start_driver() {
  local fault=$1 dir=$BENCH_FAULTS_RUN_DIR
  shift
  rm -f "$dir/commands"
  mkfifo "$dir/commands"
  : >"$dir/driver.out"
  java -Xmx1g -cp "$BENCH_SIM_JAR:$(dirname "$BENCH_SIM_JAR")/lib/*" org.communityguard.sim.bench.faults.FaultDriver \
    --fault "$fault" --site "$BENCH_FAULTS_SITE" --seed "$BENCH_FAULTS_SEED" --interval-ms "$BENCH_FAULTS_INTERVAL_MS" \
    --mqtt "tcp://127.0.0.1:$BENCH_FAULTS_MQTT_PORT" --coap "coap://127.0.0.1:$BENCH_FAULTS_COAP_PORT" \
    --agent "http://127.0.0.1:$BENCH_FAULTS_METRICS_PORT" --db-url "$BENCH_FAULTS_DB_URL" "$@" \
    <"$dir/commands" >"$dir/driver.out" 2>"$dir/driver.err" &
  BENCH_DRIVER_PID=$!
  exec {BENCH_FAULTS_CMD}>"$dir/commands"
}

bench_faults_send() {
  printf '%s\n' "$1" >&"$BENCH_FAULTS_CMD"
}

bench_faults_await_ready() {
  local i
  for i in $(seq 1 1200); do
    grep -q '^READY' "$BENCH_FAULTS_RUN_DIR/driver.out" && return 0
    kill -0 "$BENCH_DRIVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 30 "$BENCH_FAULTS_RUN_DIR/driver.err" >&2
  fail "the driver did not get its devices connected (log above)"
}

# "stop", then waits for the driver (it settles and counts; after a long outage that takes minutes).
bench_faults_finish_driver() {
  bench_faults_send stop
  exec {BENCH_FAULTS_CMD}>&-
  local status=0
  wait "$BENCH_DRIVER_PID" || status=$?
  BENCH_DRIVER_PID=
  if ((status != 0)); then
    tail -n 30 "$BENCH_FAULTS_RUN_DIR/driver.err" >&2
    fail "the driver failed (exit $status); logs in $BENCH_FAULTS_RUN_DIR"
  fi
}

bench_faults_cleanup() {
  bench_stop_process "${BENCH_FAULTS_AGENT_PID:-}"
  bench_stop_process "${BENCH_FAULTS_MOSQUITTO_PID:-}"
  bench_cleanup
}

# ---- Output.

# The value of key $2 in a "key=value ..." line $1 (0 when absent).
bench_faults_value() {
  local v
  v=$(printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1)
  printf '%s\n' "${v:-0}"
}

bench_faults_row() {
  local r=$1 line
  line=$(printf '%-14s %6s %6s %9s %5s | %9s %9s %5s %5s' "$(bench_faults_value "$r" fault)" \
    "$(bench_faults_value "$r" alarms_sent)" "$(bench_faults_value "$r" alarms_raised)" \
    "$(bench_faults_value "$r" alarm_delay_max_ms)" "$(bench_faults_value "$r" alarms_lost)" \
    "$(bench_faults_value "$r" readings_acknowledged)" "$(bench_faults_value "$r" readings_stored)" \
    "$(bench_faults_value "$r" readings_lost)" "$(bench_faults_value "$r" readings_duplicated)")
  if (($(bench_faults_value "$r" readings_poison) > 0)); then
    line+=$(printf ' | poison %s: refused %s, stored %s' "$(bench_faults_value "$r" readings_poison)" \
      "$(bench_faults_value "$r" readings_refused)" "$(bench_faults_value "$r" readings_poison_stored)")
  fi
  if (($(bench_faults_value "$r" reboots) > 0)); then
    line+=$(printf ' | %s reboots of every device' "$(bench_faults_value "$r" reboots)")
  fi
  if [[ $(bench_faults_value "$r" fault) == power-loss ]]; then
    line+=$(printf " | lost in the broker's window %s" "$(bench_faults_value "$r" readings_lost_in_broker_window)")
  fi
  if [[ $r == *notifications_sent=* ]]; then
    line+=$(printf ' | notifications sent %s, delivered %s, lost %s' "$(bench_faults_value "$r" notifications_sent)" \
      "$(bench_faults_value "$r" notifications_delivered)" "$(bench_faults_value "$r" notifications_lost)")
  fi
  printf '%s\n' "$line"
}

bench_faults_report() {
  section "results"
  printf '%-14s %6s %6s %9s %5s | %9s %9s %5s %5s\n' "" "alarms" "" "" "" "readings" "" "" ""
  printf '%-14s %6s %6s %9s %5s | %9s %9s %5s %5s\n' fault sent raised "delay max" lost acknowledged stored lost dup
  local r key total
  for r in "${BENCH_FAULTS_ROWS[@]}"; do
    bench_faults_row "$r"
  done
  printf '(delay max in ms)\n'
  sections_summary
  BENCH_OK=1
  local result="RESULT"
  for key in alarms_sent alarms_raised alarms_lost alarm_delay_max_ms alarms_duplicated readings_acknowledged \
    readings_stored readings_lost readings_lost_in_broker_window readings_duplicated readings_unexpected \
    readings_poison readings_refused readings_poison_stored notifications_sent notifications_delivered \
    notifications_lost; do
    total=0
    for r in "${BENCH_FAULTS_ROWS[@]}"; do
      if [[ $key == alarm_delay_max_ms ]]; then
        total=$((total > $(bench_faults_value "$r" "$key") ? total : $(bench_faults_value "$r" "$key")))
      else
        total=$((total + $(bench_faults_value "$r" "$key")))
      fi
    done
    result+=" $key=$total"
  done
  local run
  run=$(printf '%s' "$1" | tr ' ' ',')
  printf '%s faults=%s seed=%s\n' "$result" "$run" "$BENCH_FAULTS_SEED"
}
