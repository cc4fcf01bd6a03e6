# deploy/bench.sh edge: the edge agent on a Raspberry-Pi budget. Source it after log.sh.
#   the systemd unit's JVM options (-Xmx64m ...), pinned to one core (taskset -c 0), Mosquitto as the device broker (its gateway
#   configuration, deploy/mosquitto/gateway.conf, without authentication or persistence), no hub
#   (the uplink is refused: every reading stays in the durable buffer, the worst case for the disk),
#   1,000 simulated devices: 80% MQTT lamp-posts over 4 connections, 20% CoAP smoke detectors
#   from one endpoint (device-sim's EdgeBench, on the other core).
# Measures: sustained readings accepted per second (the agent's own counter over the measured
# window: accepted means fsynced), peak RSS (VmHWM of the agent process) and start-up time
# (process start to /health answering 200, i.e. broker connected and serving).
# shellcheck shell=bash

bench_edge_usage() {
  cat <<'USAGE'
usage: bash deploy/bench.sh edge [--devices N] [--warmup S] [--seconds S] [--coap-pct P]
  --devices N    simulated devices (default 1000)
  --warmup S     seconds of load before measuring (default 10)
  --seconds S    measured seconds (default 30)
  --coap-pct P   share of the devices speaking CoAP (default 20)
Environment: BENCH_EDGE_JAVA_OPTS, extra JVM options of the agent (e.g. a JFR recording).
Last line: RESULT edge_msgs_per_s=<n> edge_rss_mb=<n> edge_startup_ms=<n>
USAGE
}

bench_edge() {
  local devices=1000 warmup=10 seconds=30 coap_pct=20
  while (($#)); do
    case $1 in
      --devices) devices=$2; shift 2 ;;
      --warmup) warmup=$2; shift 2 ;;
      --seconds) seconds=$2; shift 2 ;;
      --coap-pct) coap_pct=$2; shift 2 ;;
      -h | --help) bench_edge_usage; return 0 ;;
      *) bench_edge_usage >&2; return 2 ;;
    esac
  done

  section "machine"
  note "date      : $(date -u '+%Y-%m-%d %H:%M UTC')"
  note "commit    : $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  note "machine   : $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(uname -sr)"
  note "disk      : $(df -h "${TMPDIR:-/tmp}" | awk 'NR==2 {print $1 " " $2}') (the buffer's fsyncs go here)"
  note "java      : $(java -version 2>&1 | head -n 1)"
  command -v taskset >/dev/null || fail "taskset (util-linux) is needed to pin the agent to one core"
  bench_ensure_mosquitto

  section "build"
  mvn -B -q --no-transfer-progress -Dstyle.color=never -DskipTests package -pl edge-agent,device-sim -am \
    || fail "the build failed: mvn -DskipTests package -pl edge-agent,device-sim -am"
  local agent_jar sim_jar
  agent_jar=$(find edge-agent/target -maxdepth 1 -name 'edge-agent-*.jar' | head -n 1)
  sim_jar=$(find device-sim/target -maxdepth 1 -name 'device-sim-*.jar' | head -n 1)
  [[ -n $agent_jar && -n $sim_jar ]] || fail "no edge-agent or device-sim jar in */target"

  section "servers"
  local work broker_port coap_port metrics_port dead_port
  work=$(mktemp -d "${TMPDIR:-/tmp}/edge-bench.XXXXXX")
  on_exit "rm -rf '$work'"
  broker_port=$(bench_free_port); coap_port=$(bench_free_port); metrics_port=$(bench_free_port); dead_port=$(bench_free_port)
  bench_mosquitto_conf "$work/mosquitto.conf" "$broker_port"
  "$BENCH_MOSQUITTO_BIN" -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
  local mosquitto_pid=$!
  on_exit "kill $mosquitto_pid 2>/dev/null || true"
  sleep 0.5
  kill -0 "$mosquitto_pid" 2>/dev/null || fail "Mosquitto did not start: $(cat "$work/mosquitto.log")"
  note "Mosquitto on 127.0.0.1:$broker_port"

  # The load's devices are in no site file; without one the agent would serve no plain CoAP (every
  # device must prove who it is, docs/site-file.md "Device identity"). Here none needs to.
  printf 'community: bench\ndevice_auth: none\ndevices: []\n' >"$work/site.yaml"

  local started_ns agent_pid
  # The JVM options of deploy/systemd/communityguard-edge.service, so the figures are the field's.
  EDGE_JAVA_OPTS=$(sed -n 's/^Environment="JAVA_OPTS=\(.*\)"$/\1/p' deploy/systemd/communityguard-edge.service)
  [[ -n $EDGE_JAVA_OPTS ]] || fail "no JAVA_OPTS in deploy/systemd/communityguard-edge.service"
  started_ns=$(date +%s%N)
  EDGE_GATEWAY_ID=gw-bench EDGE_SITE_FILE="$work/site.yaml" EDGE_BROKER_URL="tcp://127.0.0.1:$broker_port" \
    EDGE_UPLINK_URL="tcp://127.0.0.1:$dead_port" EDGE_UPLINK_SECRET=bench-secret-0123456789 \
    EDGE_PRIVACY_PSEUDONYM_KEY=bench-pseudonym-key-0123456789-abcdef \
    EDGE_COAP_HOST=127.0.0.1 EDGE_COAP_PORT="$coap_port" EDGE_METRICS_HOST=127.0.0.1 EDGE_METRICS_PORT="$metrics_port" \
    EDGE_BUFFER_DIR="$work/buffer" EDGE_LOG_LEVEL=WARN \
    MALLOC_ARENA_MAX=2 taskset -c 0 java $EDGE_JAVA_OPTS ${BENCH_EDGE_JAVA_OPTS:-} -jar "$agent_jar" >"$work/agent.log" 2>&1 &
  agent_pid=$!
  on_exit "kill $agent_pid 2>/dev/null || true"
  local startup_ms=""
  for _ in $(seq 1 600); do
    if curl -fs "http://127.0.0.1:$metrics_port/health" >/dev/null 2>&1; then
      startup_ms=$((($(date +%s%N) - started_ns) / 1000000))
      break
    fi
    kill -0 "$agent_pid" 2>/dev/null || fail "the agent exited: $(tail -n 20 "$work/agent.log")"
    sleep 0.02
  done
  [[ -n $startup_ms ]] || fail "the agent did not become healthy within 12 s"
  # taskset can be refused silently by a container's cpuset: check what the kernel applied.
  local allowed
  allowed=$(awk '/^Cpus_allowed_list:/ {print $2}' "/proc/$agent_pid/status")
  [[ $allowed == 0 ]] || fail "the agent is not pinned to core 0 (its Cpus_allowed_list is ${allowed:-unknown})"
  note "agent pid $agent_pid on core 0 (Cpus_allowed_list $allowed): $EDGE_JAVA_OPTS; healthy after $startup_ms ms"

  section "load: $devices devices, ${warmup}s warm-up, ${seconds}s measured"
  # The driver on the other cores, so the agent's core is its own (on a one-core machine it shares it).
  local out driver_cores="0"
  (($(nproc) > 1)) && driver_cores="1-$(($(nproc) - 1))"
  note "load driver on core(s) $driver_cores"
  out=$(taskset -c "$driver_cores" java -cp "$sim_jar" org.communityguard.sim.bench.edge.EdgeBench "tcp://127.0.0.1:$broker_port" \
    "coap://127.0.0.1:$coap_port" "http://127.0.0.1:$metrics_port/metrics" "$devices" "$coap_pct" "$warmup" "$seconds" \
    2>"$work/load.log") || fail "the load driver failed: $(tail -n 20 "$work/load.log")"
  printf '%s\n' "$out" | sed 's/^/  /'
  local rate rss_kb
  rate=$(printf '%s\n' "$out" | sed -n 's/^accepted_per_s=//p')
  rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$agent_pid/status")
  note "buffer file: $(du -sh "$work/buffer" | cut -f1), readings held: $(curl -fs "http://127.0.0.1:$metrics_port/metrics" | sed -n 's/^edge_buffer_pending_readings //p')"
  note "agent errors logged: $(grep -c -E 'ERROR' "$work/agent.log" || true)"
  sections_summary
  printf 'RESULT edge_msgs_per_s=%s edge_rss_mb=%s edge_startup_ms=%s\n' "$rate" "$((rss_kb / 1024))" "$startup_ms"
}

