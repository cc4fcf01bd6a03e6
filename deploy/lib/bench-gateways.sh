# deploy/bench.sh gateways: many small gateways on one hub. The ingest mode's throwaway durable
# PostgreSQL and hub jar; device-sim's GatewaysBench holds every gateway's MQTT 5 connection on a
# few Netty event loops: all connect at once, a measured steady state of a reading per device
# per minute, then a reconnect storm (every socket closed at once, every gateway back at once,
# resending what was unacknowledged under the same keys), and a row-for-row check of what was
# stored. Method: docs/benchmarks.md, section Gateways. Source it after bench-common.sh and
# bench-ingest.sh (bench_wait_hub, bench_stop_hub).
# shellcheck shell=bash

BENCH_GATEWAYS_USAGE='usage: bash deploy/bench.sh gateways [options]
  --gateways N          small gateways, one MQTT 5 connection each, 100 devices each (2000, at most 3000)
  --reading-every S     each device reports once every S seconds (60)
  --linger MS           a batch leaves MS after its first reading fell due, as the edge agent'"'"'s uplink.linger (100)
  --window N            unacknowledged batches per gateway, capped by the hub'"'"'s Receive Maximum (16)
  --alarm-every S       one smoke alarm hub-wide every S seconds, from the gateways in turn; 0 for none (10)
  --connect-timeout S   connecting every gateway at the start may take this long (600)
  --warmup S            seconds of load before the steady state is measured (10)
  --steady S            measured seconds of steady state (60)
  --storm-timeout S     seconds the reconnect storm may take before it is reported as not back (180)
  --settle S            seconds the storm is still watched once every gateway is back (10)
  --io-threads N        the driver'"'"'s event loop threads for all connections (2)
  --seed N              the devices'"'"' phases and values (from the clock)
  --keep                keep the database files and logs (printed at exit)
Environment: BENCH_HUB_JAVA_OPTS, JVM options of the hub after its systemd unit'"'"'s (-Xmx1g).
The last line is: RESULT gateways=<n> offered_rps=<n> connections_held=<n> connect_all_s=<s>
  readings_per_s=<n> ack_p50_ms=<ms> ack_p99_ms=<ms> hub_rss_mb=<MiB> hub_rss_peak_mb=<MiB>
  storm_returned=<n> storm_all_back_s=<s> storm_max_stall_s=<s> storm_api_slowest_ms=<ms>
  readings_lost=<n> readings_duplicated=<n>   (n/a where not measured: not all connected or back in time)'

bench_gateways() {
  local gateways=2000 driver_args=()
  while (($#)); do
    case $1 in
      --gateways) gateways=$2; shift 2 ;;
      --reading-every | --linger | --window | --alarm-every | --connect-timeout | --warmup | --steady \
        | --storm-timeout | --settle | --io-threads | --seed)
        driver_args+=("$1" "$2"); shift 2 ;;
      --keep) BENCH_KEEP=1; shift ;;
      -h | --help) printf '%s\n' "$BENCH_GATEWAYS_USAGE"; return 0 ;;
      *) printf '%s\n' "$BENCH_GATEWAYS_USAGE" >&2; fail "unknown option: $1" ;;
    esac
  done
  # The gateways and their secrets reach the hub in one environment variable, which Linux caps
  # at 128 KiB: 3,000 pairs of 39 characters fit.
  [[ $gateways =~ ^[0-9]+$ && $gateways -ge 1 && $gateways -le 3000 ]] || fail "--gateways must be 1 to 3000"

  bench_make_dir
  on_exit bench_cleanup

  section "machine"
  bench_describe_machine
  note "settings  : $gateways gateways${driver_args[*]:+, driver ${driver_args[*]}}"

  bench_prepare_hub

  section "hub"
  # Each gateway its own id and a fresh random secret (18 random bytes are 24 base64 characters,
  # one line each), the same list to the hub and the driver.
  local pairs="" i secrets=()
  mapfile -t secrets < <(head -c $((18 * gateways)) /dev/urandom | base64 -w 24 | tr '+/' '-_')
  for ((i = 1; i <= gateways; i++)); do
    pairs+="${pairs:+,}$(printf 'bench-gw-%04d' "$i"):${secrets[i - 1]}"
  done
  # Every gateway's 100 devices in the site file, as in a community that provisioned them.
  HUB_UPLINK_GATEWAYS="$pairs" java -cp "$BENCH_SIM_CP" org.communityguard.sim.bench.IngestBench site \
    --out "$BENCH_DIR/site.yaml" || fail "could not write the benchmark site file"
  local http_port uplink_port started
  http_port=$(bench_free_port)
  uplink_port=$(bench_free_port)
  # Defaults but for the connection limit (1,000): room for every gateway twice, so that in the
  # storm a new connection is not refused while the hub has yet to see its old one close.
  # The hub's memory is a figure here: it runs with its systemd unit's JVM options (a 1 GiB heap),
  # as installed, before any of BENCH_HUB_JAVA_OPTS.
  BENCH_HUB_JAVA_OPTS="$(bench_unit_java_opts communityguard-hub)${BENCH_HUB_JAVA_OPTS:+ $BENCH_HUB_JAVA_OPTS}"
  started=$(date +%s)
  bench_start_hub "$http_port" "$uplink_port" "$pairs" HUB_UPLINK_MAX_CONNECTIONS=$((2 * gateways)) \
    HUB_SITE_FILE="$BENCH_DIR/site.yaml"
  # The hub hashes every gateway's secret with Argon2 before it answers: allow 0.2 s a gateway.
  bench_wait_hub "$http_port" $((60 + gateways / 5))
  note "hub on 127.0.0.1 (pid $BENCH_HUB_PID, JVM options $BENCH_HUB_JAVA_OPTS): uplink $uplink_port, HTTP $http_port," \
    "log $BENCH_DIR/hub.log;" \
    "ready in $(($(date +%s) - started)) s with $gateways gateways registered and their devices in the site file"

  section "gateways benchmark"
  bench_run_driver env HUB_UPLINK_GATEWAYS="$pairs" java -cp "$BENCH_SIM_CP" \
    org.communityguard.sim.bench.gateways.GatewaysBench \
    --uplink "tcp://127.0.0.1:$uplink_port" --hub "http://127.0.0.1:$http_port" \
    --db-url "jdbc:postgresql://127.0.0.1:$BENCH_PG_PORT/postgres" --hub-pid "$BENCH_HUB_PID" "${driver_args[@]}"
  local status=$BENCH_DRIVER_STATUS
  if ((status != 0)); then
    tail -n 30 "$BENCH_DIR/driver.err" >&2
    grep -E 'WARN|ERROR' "$BENCH_DIR/hub.log" | tail -n 20 >&2 || true
    grep '^RESULT ' "$BENCH_DIR/driver.log" | tail -n 1 >&2 || true
    fail "the gateways benchmark failed (exit $status); driver and hub logs in $BENCH_DIR"
  fi

  bench_finish
}
