# deploy/bench.sh alarm: alarm latency end to end, under background telemetry. One durable
# PostgreSQL (fsync on), the hub jar, a Mosquitto (the gateway's configuration) and the edge agent
# jar (its systemd unit's JVM options); device-sim's AlarmBench simulates the smoke detectors
# (plain CoAP to the agent, as the profile's battery devices post), the background gateways
# (straight onto the hub's uplink, at a fixed offered rate per level) and a console user signed in
# on the live stream (GET /api/events). Each alarm is timed from the detector's send to its
# incident.opened on that stream, both in the driver's JVM. Method: docs/benchmarks.md, section
# Alarm latency. Source it after bench-common.sh and bench-ingest.sh (bench_wait_hub, bench_stop_hub).
# shellcheck shell=bash

BENCH_ALARM_USAGE='usage: bash deploy/bench.sh alarm [options]
  --alarms N        alarms per background level, each from a detector with no FIRE incident open (200)
  --levels LIST     background readings/s offered to the hub'"'"'s uplink per level, in this order; max is as
                    fast as the background gateways'"'"' windows allow (10000,50000,max)
  --seed N          the order of the detectors and the gaps between alarms (random, printed)
  --warmup S        seconds of a level'"'"'s background before its first alarm (10)
  --gap-ms N        mean gap between two alarms, each drawn from 0.5 to 1.5 times it (250)
  --timeout S       an alarm whose incident.opened has not come S s after its send is lost (30)
  --gateways N      background gateways, one MQTT 5 connection each (20)
  --keep            keep the database files and logs (printed at exit)
Per level: the background actually stored (readings/s; NOT REACHED when below 95% of the offer),
alarms sent / seen / lost / duplicated, latency p50 / p99 / max (ms), and of it the edge agent'"'"'s
answer (the alarm on its disk) and the hub'"'"'s safety lane (arrival to commit, histogram bucket bounds).
The last line is: RESULT alarm_p50_ms_<level>=<ms> alarm_p99_ms_<level>=<ms> alarm_max_ms_<level>=<ms> ...
  alarm_edge_p99_ms_<level>=<ms> hub_safety_lane_p99_ms_<level>=<ms> ...
  background_rps_<level>=<n> background_reached_<level>=yes|no ... (no reached key for max)
  alarms_sent=<n> alarms_seen=<n> alarms_lost=<n> alarms_duplicated=<n> fire_events_unexpected=<n>
  background_failures=<n> seed=<n>   (<level>: 10k, 50k, max; n/a where no alarm of the level was seen)'

BENCH_ALARM_GATEWAY=gw-alarm-1

bench_alarm() {
  local alarms=200 levels=10000,50000,max seed="" gateways=20 driver_args=()
  while (($#)); do
    case $1 in
      --alarms) alarms=$2; shift 2 ;;
      --levels) levels=$2; shift 2 ;;
      --seed) seed=$2; shift 2 ;;
      --gateways) gateways=$2; shift 2 ;;
      --warmup | --gap-ms | --timeout) driver_args+=("$1" "$2"); shift 2 ;;
      --keep) BENCH_KEEP=1; shift ;;
      -h | --help) printf '%s\n' "$BENCH_ALARM_USAGE"; return 0 ;;
      *) printf '%s\n' "$BENCH_ALARM_USAGE" >&2; fail "unknown option: $1" ;;
    esac
  done
  [[ $alarms =~ ^[0-9]+$ && $alarms -ge 1 && $alarms -le 10000 ]] || fail "--alarms must be 1 to 10000"
  [[ $gateways =~ ^[0-9]+$ && $gateways -ge 1 && $gateways -le 999 ]] || fail "--gateways must be 1 to 999"
  [[ $levels =~ ^(max|[0-9]+)(,(max|[0-9]+))*$ ]] || fail "--levels must be readings/s or max, comma separated"
  seed=${seed:-$(((RANDOM << 15) | RANDOM))}
  [[ $seed =~ ^[0-9]+$ ]] || fail "--seed must be a whole number"
  local level_count
  level_count=$(($(tr -cd , <<<"$levels" | wc -c) + 1))

  bench_make_dir
  on_exit bench_alarm_cleanup

  section "machine"
  bench_describe_machine
  note "settings  : $alarms alarms per level, levels $levels, $gateways background gateways, seed $seed" \
    "(replay with --seed $seed)${driver_args[*]:+, ${driver_args[*]}}"

  section "PostgreSQL, TimescaleDB, Mosquitto"
  bench_ensure_postgres
  bench_ensure_mosquitto

  section "build"
  bench_build edge-agent
  note "$BENCH_HUB_JAR, $BENCH_AGENT_JAR, $BENCH_SIM_JAR"
  local sim_cp
  sim_cp="$BENCH_SIM_JAR:$(dirname "$BENCH_SIM_JAR")/lib/*"

  section "database"
  bench_start_postgres
  note "PostgreSQL on 127.0.0.1:$BENCH_PG_PORT (pid $BENCH_PG_PID), fsync on, files in $BENCH_PG_DIR"

  section "hub, Mosquitto, edge agent"
  # One detector per alarm: none alarms twice, so each alarm opens its own FIRE incident.
  java -cp "$sim_cp" org.communityguard.sim.bench.alarm.AlarmBench site --out "$BENCH_DIR/site.yaml" \
    --gateway "$BENCH_ALARM_GATEWAY" --detectors $((alarms * level_count)) \
    || fail "could not write the benchmark site file"
  # The agent's gateway and the background gateways, each its own fresh secret.
  local agent_secret background="" i
  agent_secret=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
  for ((i = 1; i <= gateways; i++)); do
    background+="${background:+,}$(printf 'bench-gw-%03d' "$i"):$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
  done
  local http_port uplink_port mqtt_port coap_port metrics_port admin_password
  http_port=$(bench_free_port)
  uplink_port=$(bench_free_port)
  mqtt_port=$(bench_free_port)
  coap_port=$(bench_free_port)
  metrics_port=$(bench_free_port)
  admin_password=$(head -c 12 /dev/urandom | base64 | tr '+/' '-_')
  # shellcheck disable=SC2086  # BENCH_HUB_JAVA_OPTS is a list of JVM options
  HUB_DB_URL="jdbc:postgresql://127.0.0.1:$BENCH_PG_PORT/postgres" HUB_DB_USER=postgres HUB_DB_PASSWORD= \
    HUB_DB_TIMESCALE=required HUB_HTTP_HOST=127.0.0.1 HUB_HTTP_PORT=$http_port \
    HUB_UPLINK_HOST=127.0.0.1 HUB_UPLINK_PORT=$uplink_port \
    HUB_UPLINK_GATEWAYS="$BENCH_ALARM_GATEWAY:$agent_secret,$background" HUB_SITE_FILE="$BENCH_DIR/site.yaml" \
    HUB_ADMIN_PASSWORD="$admin_password" \
    java ${BENCH_HUB_JAVA_OPTS:-} -jar "$BENCH_HUB_JAR" >"$BENCH_DIR/hub.log" 2>&1 &
  BENCH_HUB_PID=$!
  bench_wait_hub "$http_port"
  note "hub on 127.0.0.1 (pid $BENCH_HUB_PID): uplink $uplink_port, HTTP $http_port, log $BENCH_DIR/hub.log"

  bench_mosquitto_conf "$BENCH_DIR/mosquitto.conf" "$mqtt_port"
  # As root Mosquitto would switch to a "mosquitto" user, which may lack the run directory.
  [[ $EUID -ne 0 ]] || printf 'user root\n' >>"$BENCH_DIR/mosquitto.conf"
  "$BENCH_MOSQUITTO_BIN" -c "$BENCH_DIR/mosquitto.conf" >"$BENCH_DIR/mosquitto.log" 2>&1 &
  BENCH_ALARM_MOSQUITTO_PID=$!
  note "Mosquitto on 127.0.0.1:$mqtt_port (pid $BENCH_ALARM_MOSQUITTO_PID)"

  local agent_opts
  agent_opts=$(bench_agent_java_opts)
  # shellcheck disable=SC2086  # the unit's JAVA_OPTS is a list of JVM options
  EDGE_GATEWAY_ID=$BENCH_ALARM_GATEWAY EDGE_SITE_FILE="$BENCH_DIR/site.yaml" \
    EDGE_BROKER_URL="tcp://127.0.0.1:$mqtt_port" EDGE_UPLINK_URL="tcp://127.0.0.1:$uplink_port" \
    EDGE_UPLINK_SECRET=$agent_secret EDGE_PRIVACY_PSEUDONYM_KEY=bench-alarm-pseudonym-key-0123456789-abcdef \
    EDGE_COAP_HOST=127.0.0.1 EDGE_COAP_PORT="$coap_port" \
    EDGE_METRICS_HOST=127.0.0.1 EDGE_METRICS_PORT="$metrics_port" EDGE_BUFFER_DIR="$BENCH_DIR/buffer" \
    java $agent_opts -jar "$BENCH_AGENT_JAR" >"$BENCH_DIR/agent.log" 2>&1 &
  BENCH_ALARM_AGENT_PID=$!
  bench_wait_http "http://127.0.0.1:$metrics_port/health" "$BENCH_ALARM_AGENT_PID" "$BENCH_DIR/agent.log"
  note "edge agent (pid $BENCH_ALARM_AGENT_PID): CoAP $coap_port, log $BENCH_DIR/agent.log"

  section "alarm latency"
  bench_run_driver env HUB_UPLINK_GATEWAYS="$background" BENCH_ADMIN_PASSWORD="$admin_password" java -cp "$sim_cp" \
    org.communityguard.sim.bench.alarm.AlarmBench run --hub "http://127.0.0.1:$http_port" \
    --uplink "tcp://127.0.0.1:$uplink_port" --site "$BENCH_DIR/site.yaml" --mqtt "tcp://127.0.0.1:$mqtt_port" \
    --coap "coap://127.0.0.1:$coap_port" --alarms "$alarms" --levels "$levels" --seed "$seed" "${driver_args[@]}"
  if ((BENCH_DRIVER_STATUS != 0)); then
    tail -n 30 "$BENCH_DIR/driver.err" >&2
    grep -E 'WARN|ERROR' "$BENCH_DIR/hub.log" "$BENCH_DIR/agent.log" | tail -n 20 >&2 || true
    fail "the alarm benchmark failed (exit $BENCH_DRIVER_STATUS); driver, hub and agent logs in $BENCH_DIR"
  fi
  note "agent and hub warnings and errors logged: $(grep -c -E 'WARN|ERROR' "$BENCH_DIR/agent.log" || true)," \
    "$(grep -c -E 'WARN|ERROR' "$BENCH_DIR/hub.log" || true)"
  bench_stop_process "$BENCH_ALARM_AGENT_PID"
  bench_stop_process "$BENCH_ALARM_MOSQUITTO_PID"
  bench_finish
}

bench_alarm_cleanup() {
  bench_stop_process "${BENCH_ALARM_AGENT_PID:-}"
  bench_stop_process "${BENCH_ALARM_MOSQUITTO_PID:-}"
  bench_cleanup
}
