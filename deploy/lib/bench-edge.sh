# deploy/bench.sh edge: the edge agent on a Raspberry-Pi budget. Source it after log.sh.
#   the systemd unit's JVM options (-Xmx64m ...), pinned to one core (taskset -c 0), Mosquitto as the device broker (its gateway
#   configuration, deploy/mosquitto/gateway.conf, without authentication or persistence), no hub
#   (the uplink is refused: every reading stays in the durable buffer, the worst case for the disk),
#   1,000 simulated devices: 80% MQTT lamp-posts over 4 connections, 20% CoAP smoke detectors
#   from one endpoint (device-sim's EdgeBench, on the other cores with Mosquitto; both pinned there).
# Measures: sustained readings accepted per second (the agent's own counter over the measured
# window: accepted means fsynced), peak RSS (VmHWM of the agent process), start-up time
# (process start to /health answering 200, i.e. broker connected and serving), and the agent's
# CPU time per 1,000 readings accepted from then on (/proc/PID/stat, warm-up included).
# shellcheck shell=bash

bench_edge_usage() {
  cat <<'USAGE'
usage: bash deploy/bench.sh edge [--devices N] [--warmup S] [--seconds S] [--coap-pct P]
  --devices N    simulated devices (default 1000)
  --warmup S     seconds of load before measuring (default 10)
  --seconds S    measured seconds (default 30)
  --coap-pct P   share of the devices speaking CoAP (default 20)
Environment: BENCH_EDGE_JAVA_OPTS, extra JVM options of the agent (e.g. a JFR recording).
Last line: RESULT edge_msgs_per_s=<n> edge_rss_mb=<n> edge_startup_ms=<n> edge_cpu_ms_per_1k=<ms>
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
  # The broker and the load driver share the cores the agent does not have (core 0 is its own;
  # on a one-core machine all share it).
  local driver_cores="0"
  (($(nproc) == 2)) && driver_cores="1"
  (($(nproc) > 2)) && driver_cores="1-$(($(nproc) - 1))"
  taskset -c "$driver_cores" "$BENCH_MOSQUITTO_BIN" -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
  local mosquitto_pid=$!
  on_exit "kill $mosquitto_pid 2>/dev/null || true"
  sleep 0.5
  kill -0 "$mosquitto_pid" 2>/dev/null || fail "Mosquitto did not start: $(cat "$work/mosquitto.log")"
  # Assigned, not interpolated, so that the check failing stops the run (set -e).
  local cores
  cores=$(bench_edge_cores "$mosquitto_pid" "$driver_cores" Mosquitto)
  note "Mosquitto on 127.0.0.1:$broker_port, core(s) $cores"

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
  cores=$(bench_edge_cores "$agent_pid" 0 "the agent")
  note "agent pid $agent_pid on core $cores: $EDGE_JAVA_OPTS; healthy after $startup_ms ms"
  # The agent's own CPU time per reading, from here (start-up excluded, warm-up included): what
  # the neighbours of a shared machine take changes the rate, much less the CPU time it costs.
  local cpu_ticks0 accepted0
  cpu_ticks0=$(bench_edge_cpu_ticks "$agent_pid")
  accepted0=$(bench_edge_accepted "$metrics_port")

  section "load: $devices devices, ${warmup}s warm-up, ${seconds}s measured"
  local out
  note "load driver on core(s) $driver_cores"
  out=$(taskset -c "$driver_cores" java -cp "$sim_jar" org.communityguard.sim.bench.edge.EdgeBench "tcp://127.0.0.1:$broker_port" \
    "coap://127.0.0.1:$coap_port" "http://127.0.0.1:$metrics_port/metrics" "$devices" "$coap_pct" "$warmup" "$seconds" \
    2>"$work/load.log") || fail "the load driver failed: $(tail -n 20 "$work/load.log")"
  printf '%s\n' "$out" | sed 's/^/  /'
  local rate rss_kb
  rate=$(printf '%s\n' "$out" | sed -n 's/^accepted_per_s=//p')
  rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$agent_pid/status")
  local cpu_ticks1 accepted1 cpu_ms_per_1k
  cpu_ticks1=$(bench_edge_cpu_ticks "$agent_pid")
  accepted1=$(bench_edge_accepted "$metrics_port")
  cpu_ms_per_1k=$(awk -v t="$((cpu_ticks1 - cpu_ticks0))" -v hz="$(getconf CLK_TCK)" -v n="$((accepted1 - accepted0))" \
    'BEGIN { if (n > 0) printf "%.1f", t * 1000 / hz / n * 1000; else print "n/a" }')
  note "agent CPU since healthy: $(((cpu_ticks1 - cpu_ticks0) * 1000 / $(getconf CLK_TCK))) ms for $((accepted1 - accepted0)) readings accepted: $cpu_ms_per_1k ms per 1,000"
  cores=$(bench_edge_cores "$mosquitto_pid" "$driver_cores" Mosquitto)
  note "Mosquitto CPU: $(($(bench_edge_cpu_ticks "$mosquitto_pid") * 1000 / $(getconf CLK_TCK))) ms in all, on core(s) $cores"
  note "buffer file: $(du -sh "$work/buffer" | cut -f1), readings held: $(curl -fs "http://127.0.0.1:$metrics_port/metrics" | sed -n 's/^edge_buffer_pending_readings //p')"
  note "agent errors logged: $(grep -c -E 'ERROR' "$work/agent.log" || true)"
  sections_summary
  printf 'RESULT edge_msgs_per_s=%s edge_rss_mb=%s edge_startup_ms=%s edge_cpu_ms_per_1k=%s\n' "$rate" "$((rss_kb / 1024))" \
    "$startup_ms" "$cpu_ms_per_1k"
}

# The cores a process may run on, failing unless they are the ones asked for: taskset can be
# refused silently by a container's cpuset, so what the kernel applied is read back.
bench_edge_cores() {
  local allowed
  allowed=$(awk '/^Cpus_allowed_list:/ {print $2}' "/proc/$1/status" 2>/dev/null)
  [[ $allowed == "$2" ]] || fail "$3 is not pinned to core(s) $2 (its Cpus_allowed_list is ${allowed:-unknown})"
  printf '%s' "$allowed"
}

# User plus system CPU time of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat,
# counted after the command name, which may hold spaces).
bench_edge_cpu_ticks() {
  sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

# Readings the agent counted as accepted, over every protocol.
bench_edge_accepted() {
  curl -fs "http://127.0.0.1:$1/metrics" | awk '/^edge_readings_accepted_total\{/ {n += $2} END {printf "%d", n}'
}

