#!/usr/bin/env bash
# Runs the whole system on this machine: the hub, one edge agent (gateway) and device-sim with
# the demo community (deploy/demo/site.yaml: 3 buildings, 42 devices), which stages a fire in
# building B1 about 20 s after the devices start. Needs only a JDK 17+ and Maven.
#
#   bash deploy/demo.sh            Ctrl-C stops everything
#
# Defaults are embedded: an embedded PostgreSQL for the hub and an embedded MQTT broker in the
# edge agent. Set HUB_DB_URL (with HUB_DB_USER, HUB_DB_PASSWORD) to use TimescaleDB, and
# EDGE_BROKER_URL to use Mosquitto (give it the demo's accounts: edge-agent --mosquitto-accounts,
# docs/edge-install.md). Honoured: HUB_HTTP_PORT (8080), HUB_ADMIN_PASSWORD,
# HUB_UPLINK_PORT (1884), EDGE_BROKER_EMBEDDED_PORT (1883), EDGE_COAP_PORT (5683),
# EDGE_COAP_DTLS_PORT (5684), EDGE_METRICS_PORT (9100), DEMO_FIRE_AT (20s), DEMO_FIRE_BUILDING (B1).
# Every setting: docs/configuration.md.
#
# Device identity: the demo site file gives the lamp-posts and door controllers a key (their MQTT
# account at the gateway's broker) and lets the smoke detectors and manholes, and devices it does not
# list, post plain CoAP (device_auth: none). The keys are made afresh at each start, into the scratch directory, mode 0600.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export HUB_HTTP_PORT=${HUB_HTTP_PORT:-8080}
export HUB_UPLINK_PORT=${HUB_UPLINK_PORT:-1884}
export EDGE_BROKER_EMBEDDED_PORT=${EDGE_BROKER_EMBEDDED_PORT:-1883}
export EDGE_COAP_PORT=${EDGE_COAP_PORT:-5683}
export EDGE_COAP_DTLS_PORT=${EDGE_COAP_DTLS_PORT:-5684}
export EDGE_METRICS_PORT=${EDGE_METRICS_PORT:-9100}
fire_at=${DEMO_FIRE_AT:-20s}
fire_building=${DEMO_FIRE_BUILDING:-B1}

say() { printf '\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }
random_secret() { head -c 96 /dev/urandom | base64 -w0 | tr -d '/+=' | cut -c1-"$1"; }

source deploy/lib/toolchain.sh
problem=$(toolchain_problem) || die "$problem"

say "building (mvn -DskipTests package)"
# Quiet when everything is already in the local Maven repository. Otherwise (the first build on
# this machine, or new dependencies) the offline attempt stops at once, and the build runs again
# online showing each download: minutes of silence would look like a hang.
if ! mvn -B -q -o -DskipTests package >/dev/null 2>&1; then
  say "downloading the build's dependencies (first build on this machine: a few minutes)"
  mvn -B -DskipTests package || die "the build failed; run 'mvn -B package' to see why"
fi

# Everything the three programs need goes into one scratch directory that an unprivileged
# user can read: PostgreSQL refuses to run as root, so as root the hub runs as "nobody".
run=$(mktemp -d /tmp/communityguard-demo.XXXXXX)
chmod 755 "$run"
pids=()
cleanup() {
  trap - INT TERM EXIT
  if ((${#pids[@]})); then
    say "stopping"
    # Devices first, then the gateway (it flushes to the hub), then the hub.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
      kill -TERM "${pids[i]}" 2>/dev/null || true
      wait "${pids[i]}" 2>/dev/null || true
    done
  fi
  rm -rf "$run"
}
trap cleanup INT TERM EXIT

for module in hub edge-agent device-sim; do
  mkdir -p "$run/$module"
  cp "$module"/target/"$module"-*.jar "$run/$module/$module.jar"
  cp -r "$module/target/lib" "$run/$module/lib"
done
cp deploy/demo/site.yaml "$run/site.yaml"
chmod -R a+rX "$run"
mkdir -p demo-data
logs=$(pwd)/demo-data

as_hub_user=()
if [[ $EUID -eq 0 && -z ${HUB_DB_URL:-} ]]; then
  as_hub_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --reset-env)
fi

wait_for_port() { # name (of its log) port pid seconds
  local deadline=$((SECONDS + $4))
  until (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || { tail -n 20 "$logs/$1.log" >&2; die "the $1 stopped; its log is $logs/$1.log"; }
    ((SECONDS < deadline)) || die "the $1 did not open port $2 within $4 s; its log is $logs/$1.log"
    sleep 0.5
  done
}

gateway_secret=$(random_secret 32)
admin_password=${HUB_ADMIN_PASSWORD:-$(random_secret 16)}

say "starting the hub (log: demo-data/hub.log)"
(cd "$run/hub" && exec "${as_hub_user[@]}" env PATH="$PATH" HOME="$run" \
  HUB_HTTP_PORT="$HUB_HTTP_PORT" HUB_UPLINK_PORT="$HUB_UPLINK_PORT" \
  HUB_DB_URL="${HUB_DB_URL:-}" HUB_DB_USER="${HUB_DB_USER:-postgres}" HUB_DB_PASSWORD="${HUB_DB_PASSWORD:-}" \
  HUB_SITE_FILE="$run/site.yaml" HUB_ADMIN_PASSWORD="$admin_password" \
  HUB_UPLINK_GATEWAYS="gw-sunny-1:$gateway_secret" \
  java -jar hub.jar) >"$logs/hub.log" 2>&1 &
pids+=($!)
wait_for_port hub "$HUB_HTTP_PORT" "${pids[-1]}" 180

# A key for every device of the site file that needs one (auth: psk), kept in the scratch directory for device-sim.
keys=$run/devices.keys
say "making the devices' keys ($keys)"
(cd "$run/edge-agent" && EDGE_GATEWAY_ID=gw-sunny-1 EDGE_SITE_FILE="$run/site.yaml" EDGE_DEVICE_KEYS_FILE="$keys" \
  java -jar edge-agent.jar --provision-missing) >/dev/null 2>"$logs/keys.log" || { cat "$logs/keys.log" >&2; die "could not make the device keys"; }
lamp_key=$(grep '^lamp-b2-01:' "$keys" | cut -d: -f2)

say "starting the edge agent gw-sunny-1 (log: demo-data/edge.log)"
(cd "$run/edge-agent" && EDGE_GATEWAY_ID=gw-sunny-1 EDGE_SITE_FILE="$run/site.yaml" EDGE_DEVICE_KEYS_FILE="$keys" \
  EDGE_UPLINK_URL="tcp://127.0.0.1:$HUB_UPLINK_PORT" EDGE_UPLINK_SECRET="$gateway_secret" \
  EDGE_PRIVACY_PSEUDONYM_KEY="$(random_secret 40)" \
  exec java -Xmx128m -jar edge-agent.jar) >"$logs/edge.log" 2>&1 &
pids+=($!)
wait_for_port edge "$EDGE_METRICS_PORT" "${pids[-1]}" 60

mqtt_url=${EDGE_BROKER_URL:-tcp://127.0.0.1:$EDGE_BROKER_EMBEDDED_PORT}
mqtt_hostport=${mqtt_url#tcp://}
cat <<EOF

  CommunityGuard demo is running
  ------------------------------
  console        http://localhost:$HUB_HTTP_PORT/   sign in now: the fire appears on the board by itself
  admin login    admin / $admin_password
  API            http://localhost:$HUB_HTTP_PORT/api/health, /api/incidents (POST /api/auth/token first)
  API explorer   http://localhost:$HUB_HTTP_PORT/api/docs/   (the OpenAPI document: /api/openapi.json)
  hub metrics    http://localhost:$HUB_HTTP_PORT/metrics
  gateway MQTT   $mqtt_url   (devices/{id}/telemetry, devices/{id}/event; user = device id, password = its key)
  gateway CoAP   coap://localhost:$EDGE_COAP_PORT   (POST /telemetry/{id}, /events/{id}; plain: smoke detectors, manholes)
  gateway DTLS   coaps://localhost:$EDGE_COAP_DTLS_PORT   (a pre-shared key per device; none in the demo)
  device keys    $keys   (id:key; the demo's lamp-posts and doors)
  edge metrics   http://localhost:$EDGE_METRICS_PORT/metrics

  Try it yourself:
    mosquitto_pub -h ${mqtt_hostport%:*} -p ${mqtt_hostport##*:} -i try-lamp-b2-01 -u lamp-b2-01 -P $lamp_key -q 1 -t devices/lamp-b2-01/telemetry \\
      -m '{"v":1,"type":"lamp_post","data":{"lamp_on":true,"leakage_ma":2.5}}'
    echo -n '{"v":1,"type":"smoke_detector","data":{"smoke_obscuration_pct_m":12.5}}' | \\
      coap-client -m post -t 50 -f - coap://localhost:$EDGE_COAP_PORT/telemetry/smoke-b3-01

  device-sim stages a fire in building $fire_building $fire_at after it starts. Ctrl-C stops everything.

EOF

say "starting device-sim: 42 devices (log: demo-data/sim.log)"
(cd "$run/device-sim" && exec java -jar device-sim.jar --site "$run/site.yaml" --mqtt "$mqtt_url" \
  --coap "coap://127.0.0.1:$EDGE_COAP_PORT" --keys "$keys" --coaps "coaps://127.0.0.1:$EDGE_COAP_DTLS_PORT" \
  --fire-at "$fire_at" --fire-building "$fire_building") \
  >"$logs/sim.log" 2>&1 &
pids+=($!)

# Show what a property manager would notice: device-sim's summary and every incident opened.
tail -n +1 -F "$logs/sim.log" "$logs/hub.log" 2>/dev/null | grep --line-buffered -E "sent|incident|ERROR" &
tailer=$!
while kill -0 "${pids[0]}" 2>/dev/null && kill -0 "${pids[1]}" 2>/dev/null && kill -0 "${pids[2]}" 2>/dev/null; do
  sleep 1
done
kill "$tailer" 2>/dev/null || true
die "a component stopped unexpectedly; logs are in demo-data/"
