#!/usr/bin/env bash
# The package test: builds the .deb packages (deploy/package.sh), checks what is in them,
# installs both into an empty root with dpkg, and starts each service from the installed files
# with its unit's own command line, the hub first, then the edge agent with its uplink to it.
# Exits non-zero at the first failed check.
#   bash deploy/lib/package-test.sh [--no-build]
# --no-build packages the jars the test suite's build already made (device-sim's PackagesIT
# runs it so). Needs dpkg, systemd-sysusers and systemd-tmpfiles (Debian), curl and Java 17+.
#
# The empty root has no systemd, no JRE and no shell of its own: dpkg runs the maintainer
# scripts unchrooted with DPKG_ROOT set (--force-script-chrootless), which is what they must
# survive in a chroot or an image build, and the processes run on this machine's JRE.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source deploy/lib/log.sh
source deploy/lib/bench-common.sh

package_args=()
case ${1:-} in
  --no-build) package_args+=(--no-build) ;;
  "") ;;
  *) fail "unknown argument '$1' (usage: bash deploy/lib/package-test.sh [--no-build])" ;;
esac
for tool in dpkg dpkg-deb systemd-sysusers systemd-tmpfiles curl java; do
  command -v "$tool" >/dev/null || fail "$tool is missing: the package test runs on Debian (deploy/test.sh)"
done

work=$(mktemp -d)
on_exit "rm -rf '$work'"
chmod 0755 "$work"   # the services' users must reach the root below it
root=$work/root

# The value of a unit's Key= lines, one a line.
unit_values() {
  sed -n "s/^$2=//p" "$1"
}

# Paths of the packages' files, as seen from this machine: prefixed with the root.
in_root() {
  sed -E "s#(^|[ =-])/(etc/communityguard|usr/share/communityguard-[a-z]+|var/lib/communityguard-[a-z]+)#\1$root/\2#g"
}

# Fails unless package file $1 holds path $2 with mode $3 (as dpkg-deb --contents shows them).
expect_content() {
  dpkg-deb --contents "$1" | awk -v path="./$2" -v mode="$3" '$6 == path && $1 == mode { found = 1 } END { exit !found }' \
    || fail "$(basename "$1"): no ./$2 with mode $3"
}

section "build the packages"
bash deploy/package.sh --out "$work/debs" "${package_args[@]}" | grep -v -E '^(==== timings|[ 0-9]+s  )' || true
edge_deb=$(find "$work/debs" -name 'communityguard-edge_*_all.deb')
hub_deb=$(find "$work/debs" -name 'communityguard-hub_*_all.deb')
[[ -f $edge_deb && -f $hub_deb ]] || fail "deploy/package.sh left no communityguard-edge and communityguard-hub _all.deb in $work/debs"

section "what is in them"
for deb in "$edge_deb" "$hub_deb"; do
  package=$(dpkg-deb --field "$deb" Package)
  module=${package#communityguard-}
  [[ $(dpkg-deb --field "$deb" Architecture) == all ]] || fail "$package: Architecture is not all"
  [[ $(dpkg-deb --field "$deb" Depends) == *'default-jre-headless (>= 2:1.17)'* ]] \
    || fail "$package: does not depend on default-jre-headless (>= 2:1.17)"
  [[ $(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles) == "/etc/communityguard/$module.env" ]] \
    || fail "$package: /etc/communityguard/$module.env is not its one conffile"
  expect_content "$deb" "usr/share/$package/lib/" 'drwxr-xr-x'
  expect_content "$deb" "lib/systemd/system/$package.service" '-rw-r--r--'
  expect_content "$deb" "etc/communityguard/$module.env" '-rw-r-----'
  expect_content "$deb" "usr/lib/sysusers.d/$package.conf" '-rw-r--r--'
  expect_content "$deb" "usr/lib/tmpfiles.d/$package.conf" '-rw-r--r--'
  # Test libraries never reach lib/ (runtime scope only); these would be the first to slip in.
  if dpkg-deb --contents "$deb" | grep -E -o "lib/(junit|assertj|awaitility|testkit|jazzer|bcpkix|greenmail|swagger-parser)[^ ]*"; then
    fail "$package ships test libraries (above)"
  fi
  note "$(basename "$deb"): $(($(stat -c %s "$deb") / 1024)) KB, $(dpkg-deb --contents "$deb" | grep -c '\.jar$') jars, Depends: $(dpkg-deb --field "$deb" Depends)"
done
expect_content "$edge_deb" usr/share/communityguard-edge/edge-agent.jar '-rw-r--r--'
expect_content "$hub_deb" usr/share/communityguard-hub/hub.jar '-rw-r--r--'
dpkg-deb --contents "$edge_deb" | grep '/lib/moquette-broker-' >/dev/null || fail "the edge package lacks the embedded demo broker (Moquette)"
if dpkg-deb --contents "$hub_deb" | grep -o 'embedded-postgres-binaries-[^ ]*'; then
  fail "the hub package ships PostgreSQL binaries (above): the embedded database is the demo's"
fi
if command -v lintian >/dev/null; then
  # Advisory: the packages are not Debian's own (no copyright file or changelog yet), so some
  # of its tags are expected; shown, not judged.
  lintian --no-tag-display-limit "$edge_deb" "$hub_deb" | sed 's/^/  lintian: /' || true
else
  note "lintian is not installed: not run"
fi

section "install into an empty root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers" "$root/etc"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
# What a fresh Debian has before any package adds a user (base-passwd).
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
dpkg_root=(dpkg --root="$root" --log=/dev/null --force-not-root --force-script-chrootless)
# --force-depends: the root is empty, so its dpkg database has no JRE and no systemd.
"${dpkg_root[@]}" --force-depends --install "$edge_deb" "$hub_deb" >"$work/dpkg-install.log" 2>&1 \
  || { cat "$work/dpkg-install.log" >&2; fail "dpkg --install into the empty root failed (above)"; }
for package in communityguard-edge communityguard-hub; do
  module=${package#communityguard-}
  unit=$root/lib/systemd/system/$package.service
  [[ $("${dpkg_root[@]}" --status "$package" | sed -n 's/^Status: //p') == "install ok installed" ]] \
    || fail "$package is not 'install ok installed' in the root"
  user=$(unit_values "$unit" User)
  [[ -n $user && $(unit_values "$unit" Group) == "$user" ]] || fail "$package.service: no User= and Group= of the same name"
  entry=$(grep "^$user:" "$root/etc/passwd") || fail "postinst of $package made no user '$user' (the unit's User=)"
  [[ $(cut -d: -f3 <<<"$entry") -lt 1000 && $(cut -d: -f7 <<<"$entry") == /usr/sbin/nologin ]] \
    || fail "'$user' is not a system user without a shell: $entry"
  [[ $(stat -c '%u %a' "$root/var/lib/$package") == "$(cut -d: -f3 <<<"$entry") 750" ]] \
    || fail "/var/lib/$package is not the user's own with mode 0750: $(stat -c '%U %a' "$root/var/lib/$package")"
  [[ $(stat -c '%U %a' "$root/etc/communityguard/$module.env") == "root 640" ]] || fail "$module.env is not root's, mode 0640"
  [[ -L $root/etc/systemd/system/multi-user.target.wants/$package.service ]] \
    || fail "postinst did not enable $package.service (no multi-user.target.wants link)"
  [[ $(unit_values "$unit" EnvironmentFile) == "-/etc/communityguard/$module.env" ]] \
    || fail "$package.service does not read /etc/communityguard/$module.env, the package's conffile"
  note "$package: installed; user $user (uid $(cut -d: -f3 <<<"$entry")), /var/lib/$package its own, $package.service enabled"
done

# Starts the service of package $1 the way systemd would, from the installed unit: its
# Environment= lines, its EnvironmentFile, then the test's own settings ($4...), in its
# WorkingDirectory (or $3 when not empty), as uid:gid $2 (when root), with its ExecStart; paths under the
# root. Sets started_pid.
# PrivateTmp= becomes a /tmp of the test's, which also keeps the JVMs' unpacked native
# libraries (SQLite, PostgreSQL) apart from other runs'.
start_service() {
  local package=$1 as_user=$2 workdir=$3 unit=$root/lib/systemd/system/$1.service
  shift 3
  local exec_start java_opts env_file tmp=$work/tmp-$package assignment
  local -a unit_env command
  mapfile -t unit_env < <(sed -n 's/^Environment="\(.*\)"$/\1/p' "$unit" | in_root)
  java_opts=$(sed -n 's/^Environment="JAVA_OPTS=\(.*\)"$/\1/p' "$unit")
  exec_start=$(unit_values "$unit" ExecStart | in_root)
  read -r -a command <<<"${exec_start/\$JAVA_OPTS/$java_opts}"
  [[ -n $workdir ]] || workdir=$(unit_values "$unit" WorkingDirectory | in_root)
  env_file=$(unit_values "$unit" EnvironmentFile | in_root)
  env_file=${env_file#-}
  mkdir -p "$tmp" && chmod 1777 "$tmp"
  (
    for assignment in "${unit_env[@]}"; do export "${assignment?}"; done
    set -a
    # shellcheck disable=SC1090 # the installed conffile
    . "$env_file"
    set +a
    for assignment in "$@"; do export "${assignment?}"; done
    export JAVA_TOOL_OPTIONS="-Djava.io.tmpdir=$tmp"
    cd "$workdir"
    if [[ $EUID -eq 0 ]]; then
      exec setpriv --reuid="${as_user%:*}" --regid="${as_user#*:}" --clear-groups -- "${command[@]}"
    fi
    exec "${command[@]}"
  ) >"$work/$package.log" 2>&1 &
  started_pid=$!
  on_exit "bench_stop_process $started_pid"
}

section "start the hub from the package"
hub_http=$(bench_free_port)
hub_uplink=$(bench_free_port)
gateway_secret=package-test-$RANDOM$RANDOM
printf 'http: {host: 127.0.0.1}\nuplink: {host: 127.0.0.1}\n' >"$root/etc/communityguard/hub.yaml"
hub_env=(HUB_HTTP_PORT="$hub_http" HUB_UPLINK_PORT="$hub_uplink" HUB_ADMIN_PASSWORD=package-test-admin
  HUB_UPLINK_GATEWAYS="gw-package-test:$gateway_secret")
# The hub runs as nobody, not as its package user: the embedded PostgreSQL the test gives it
# (below) must find its uid in this machine's /etc/passwd, which has no communityguard-hub;
# so it also works in a directory of the test's, not in its user's own /var/lib directory.
hub_cwd=$work/hub-cwd
mkdir -p "$hub_cwd" && chmod 0777 "$hub_cwd"
# First without a database: the package has no PostgreSQL, so a hub without db.url must refuse.
start_service communityguard-hub "$(id -u nobody):$(id -g nobody)" "$hub_cwd" "${hub_env[@]}"
status=0
wait "$started_pid" || status=$?
if ((status == 0)) || ! grep -q 'cannot start the embedded PostgreSQL' "$work/communityguard-hub.log"; then
  tail -n 20 "$work/communityguard-hub.log" >&2
  fail "the packaged hub without db.url did not refuse to start (exit $status, log above)"
fi
note "without db.url: exit $status, '$(grep -o 'cannot start the embedded PostgreSQL[^(]*' "$work/communityguard-hub.log" | head -n 1 | sed 's/ *$//')'"
# Then with the build's PostgreSQL binaries for this machine, in the installed lib/ (the jar's
# Class-Path names them): the demo's database, the test's stand-in for a real server.
case $(dpkg --print-architecture) in
  amd64) pg_binaries=linux-amd64 ;;
  arm64) pg_binaries=linux-arm64v8 ;;
  *) fail "no embedded PostgreSQL for $(dpkg --print-architecture)" ;;
esac
cp hub/target/lib/embedded-postgres-binaries-"$pg_binaries"-*.jar "$root/usr/share/communityguard-hub/lib/"
start_service communityguard-hub "$(id -u nobody):$(id -g nobody)" "$hub_cwd" "${hub_env[@]}"
hub_pid=$started_pid
bench_wait_http "http://127.0.0.1:$hub_http/api/health/live" "$hub_pid" "$work/communityguard-hub.log"
note "http://127.0.0.1:$hub_http/api/health/live: 200 after $((SECONDS - _section_start)) s (installed hub.jar, the unit's ExecStart)"

section "start the edge agent from the package"
edge_user=$(unit_values "$root/lib/systemd/system/communityguard-edge.service" User)
edge_uid=$(grep "^$edge_user:" "$root/etc/passwd" | cut -d: -f3)
edge_gid=$(grep "^$edge_user:" "$root/etc/passwd" | cut -d: -f4)
edge_metrics=$(bench_free_port)
printf 'gateway: {id: gw-package-test}\nbroker: {embedded-host: 127.0.0.1}\ncoap: {host: 127.0.0.1, port: 0, dtls-port: 0}\nmetrics: {host: 127.0.0.1}\n' \
  >"$root/etc/communityguard/edge.yaml"
# As its package user (by uid: the name exists only in the root): its buffer goes into the
# state directory postinst made for it.
start_service communityguard-edge "$edge_uid:$edge_gid" "" EDGE_BROKER_EMBEDDED_PORT="$(bench_free_port)" \
  EDGE_METRICS_PORT="$edge_metrics" EDGE_UPLINK_URL="tcp://127.0.0.1:$hub_uplink" \
  EDGE_UPLINK_SECRET="$gateway_secret" EDGE_PRIVACY_PSEUDONYM_KEY="package-test-pseudonym-key-$RANDOM$RANDOM$RANDOM"
edge_pid=$started_pid
bench_wait_http "http://127.0.0.1:$edge_metrics/health" "$edge_pid" "$work/communityguard-edge.log"
# Healthy means its devices' broker is up; its uplink to the hub follows within seconds.
for _ in $(seq 1 600); do
  health=$(curl -fs --max-time 2 "http://127.0.0.1:$edge_metrics/health" || true)
  [[ $health == *'"uplink_connected":true'* ]] && break
  kill -0 "$edge_pid" 2>/dev/null || break
  sleep 0.1
done
[[ $health == *'"uplink_connected":true'* ]] \
  || { tail -n 20 "$work/communityguard-edge.log" >&2; fail "the packaged edge agent did not connect to the hub: $health"; }
[[ -f $root/var/lib/communityguard-edge/buffer.db && $(stat -c %u "$root/var/lib/communityguard-edge/buffer.db") == "$edge_uid" ]] \
  || fail "no buffer.db of $edge_user in /var/lib/communityguard-edge"
note "http://127.0.0.1:$edge_metrics/health: 200 and uplink_connected after $((SECONDS - _section_start)) s, as uid $edge_uid ($edge_user); buffer in /var/lib/communityguard-edge"
bench_stop_process "$edge_pid"
bench_stop_process "$hub_pid"

section "purge from the root"
# The test's own file first: dpkg leaves a directory that still holds files it did not install.
rm "$root/usr/share/communityguard-hub/lib/"embedded-postgres-binaries-*.jar
"${dpkg_root[@]}" --purge communityguard-edge communityguard-hub >"$work/dpkg-purge.log" 2>&1 \
  || { cat "$work/dpkg-purge.log" >&2; fail "dpkg --purge in the root failed (above)"; }
for path in usr/share/communityguard-edge usr/share/communityguard-hub var/lib/communityguard-edge \
  etc/communityguard/edge.env etc/communityguard/hub.env etc/systemd/system/multi-user.target.wants/communityguard-edge.service; do
  [[ ! -e $root/$path ]] || fail "/$path is still there after the purge"
done
note "removed and purged: files, conffiles, state directory and enablement gone (the users stay, as Debian's practice is)"

sections_summary
