#!/usr/bin/env bash
# Builds the Debian packages of the edge agent and the hub:
#   bash deploy/package.sh [--out DIR] [--no-build]
# writes DIR/communityguard-edge_<version>_all.deb and DIR/communityguard-hub_<version>_all.deb
# (DIR: target/packages). <version> is the Maven project version made a Debian one: a
# pre-release's "-" becomes "~" (0.1.0-SNAPSHOT -> 0.1.0~SNAPSHOT, which sorts before 0.1.0).
# --no-build packages the jars already in edge-agent/target and hub/target (the test suite's
# own build made them) instead of running Maven first.
#
# Architecture "all": both programs are Java bytecode, and the one native library they need (the
# agent's SQLite driver) is inside its jar for both linux-x86_64 and linux-aarch64, so one
# package serves amd64 and arm64 (and the JRE it depends on is the machine's own).
# What each package holds: docs/edge-install.md and docs/hub-install.md, "The package".
# Needs: dpkg-deb (Debian's dpkg), Java 17+ and Maven unless --no-build.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source deploy/lib/log.sh

out=target/packages
build=true
while (($#)); do
  case $1 in
    --out) [[ $# -ge 2 ]] || fail "--out needs a directory"; out=$2; shift 2 ;;
    --no-build) build=false; shift ;;
    *) fail "unknown argument '$1' (usage: bash deploy/package.sh [--out DIR] [--no-build])" ;;
  esac
done
command -v dpkg-deb >/dev/null || fail "dpkg-deb is missing: packages are built on Debian (apt-get install dpkg)"

# Who answers for the packages, in their control files.
MAINTAINER="CommunityGuard maintainers <maintainers@communityguard.invalid>"
# default-jre-headless is Java 17 on bookworm (2:1.17) and newer after; a JRE installed by name
# (openjdk-17-jre-headless, openjdk-21-jre-headless) provides java17-runtime-headless.
JAVA_DEPENDS="default-jre-headless (>= 2:1.17) | java17-runtime-headless"
# The user and the state directory come from sysusers.d and tmpfiles.d files (postinst); systemd
# has both tools, and so have its standalone builds for systems without it.
SYSTEM_DEPENDS="systemd | systemd-sysusers, systemd | systemd-tmpfiles"

# The module's jar (not its sources jar) in $1/target.
module_jar() {
  local jar
  jar=$(find "$1/target" -maxdepth 1 -name "$1-*.jar" ! -name '*-sources.jar' 2>/dev/null | head -n 1)
  [[ -n $jar && -d $1/target/lib ]] \
    || fail "no $1 jar and lib/ in $1/target: build first (mvn -DskipTests package -pl $1 -am) or leave out --no-build"
  printf '%s\n' "$jar"
}

# The Debian version of a module jar's Maven version (edge-agent-0.1.0-SNAPSHOT.jar -> 0.1.0~SNAPSHOT).
debian_version() {
  local maven version
  maven=$(basename "$1" .jar)
  maven=${maven#"$2"-}
  version=${maven/-/\~}
  dpkg --validate-version "$version" 2>/dev/null || fail "Maven version '$maven' does not map to a Debian version ('$version')"
  printf '%s\n' "$version"
}

# Stages and builds one package.
#   $1 package name, $2 module, $3 installed jar name, $4 system user, $5 its home,
#   $6 the env file's name in /etc/communityguard, $7 the install guide, $8 a relation field
#   ("Recommends: mosquitto"),
#   $9 summary, $10 description (one paragraph); reads EXCLUDE_LIBS (glob patterns of lib/
#   files not to ship) and EXTRA_DOCS (files for /usr/share/doc/<package>/examples).
build_package() {
  local package=$1 module=$2 jar_name=$3 user=$4 home=$5 env_file=$6 guide=$7 relation=$8
  local summary=$9 description=${10}
  local jar version stage share unit lib pattern skip script size
  jar=$(module_jar "$module")
  version=$(debian_version "$jar" "$module")
  stage=$(mktemp -d)
  chmod 0755 "$stage"   # the package's "./", which mktemp makes 0700
  on_exit "rm -rf '$stage'"
  share=$stage/usr/share/$package
  unit=$package.service

  install -d "$share/lib" "$stage/lib/systemd/system" "$stage/etc/communityguard" \
    "$stage/usr/lib/sysusers.d" "$stage/usr/lib/tmpfiles.d" "$stage/usr/share/doc/$package" "$stage/DEBIAN"
  install -m 0644 "$jar" "$share/$jar_name"
  for lib in "$module"/target/lib/*.jar; do
    skip=false
    for pattern in "${EXCLUDE_LIBS[@]}"; do
      # shellcheck disable=SC2053 # a glob on purpose
      [[ $(basename "$lib") == $pattern ]] && skip=true
    done
    [[ $skip == true ]] || install -m 0644 "$lib" "$share/lib/"
  done
  install -m 0644 "deploy/systemd/$unit" "$stage/lib/systemd/system/$unit"
  install -m 0640 "deploy/package/$env_file" "$stage/etc/communityguard/$env_file"
  install -m 0644 "$guide" "$stage/usr/share/doc/$package/$(basename "$guide")"
  if ((${#EXTRA_DOCS[@]})); then
    install -d "$stage/usr/share/doc/$package/examples"
    install -m 0644 "${EXTRA_DOCS[@]}" "$stage/usr/share/doc/$package/examples/"
  fi
  # The unit's User= and Group=, and its state directory, owned by that user.
  printf 'u %s - "%s" %s /usr/sbin/nologin\n' "$user" "$summary" "$home" >"$stage/usr/lib/sysusers.d/$package.conf"
  printf 'd /var/lib/%s 0750 %s %s -\n' "$package" "$user" "$user" >"$stage/usr/lib/tmpfiles.d/$package.conf"
  chmod 0644 "$stage/usr/lib/sysusers.d/$package.conf" "$stage/usr/lib/tmpfiles.d/$package.conf"

  for script in postinst prerm postrm; do
    sed -e "s/@PACKAGE@/$package/g" -e "s/@UNIT@/$unit/g" "deploy/package/$script" >"$stage/DEBIAN/$script"
    chmod 0755 "$stage/DEBIAN/$script"
  done
  printf '/etc/communityguard/%s\n' "$env_file" >"$stage/DEBIAN/conffiles"
  size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
  cat >"$stage/DEBIAN/control" <<EOF
Package: $package
Version: $version
Architecture: all
Maintainer: $MAINTAINER
Section: net
Priority: optional
Installed-Size: $size
Depends: $JAVA_DEPENDS, $SYSTEM_DEPENDS
$relation
Description: $summary
$(fold -s -w 72 <<<"$description" | sed -e 's/ *$//' -e 's/^/ /')
EOF
  mkdir -p "$out"
  # Jars are zip files already: xz would spend a minute to save a few percent.
  dpkg-deb --build --root-owner-group -Zgzip "$stage" "$out/${package}_${version}_all.deb" >/dev/null
  note "$(printf '%-48s %6s KB, %s KB installed' "${package}_${version}_all.deb" \
    "$(($(stat -c %s "$out/${package}_${version}_all.deb") / 1024))" "$size")"
}

if [[ $build == true ]]; then
  section "build the jars (mvn -o package -pl edge-agent,hub -am)"
  mkdir -p target
  mvn -B -q -o --no-transfer-progress -Dstyle.color=never -DskipTests package -pl edge-agent,hub -am \
    >target/package-build.log 2>&1 \
    || { tail -n 40 target/package-build.log >&2; fail "the build failed (log: target/package-build.log)"; }
fi

section "packages in $out"
# The demo broker (Moquette) is part of the agent's runtime and ships: it runs only when
# broker.url is empty. Everything in lib/ is runtime scope (test libraries never get there).
EXCLUDE_LIBS=()
EXTRA_DOCS=(deploy/mosquitto/gateway.conf deploy/mosquitto/communityguard.acl)
build_package communityguard-edge edge-agent edge-agent.jar communityguard /var/lib/communityguard-edge \
  edge.env docs/edge-install.md "Recommends: mosquitto" \
  "CommunityGuard edge agent (community gateway)" \
  "Takes readings from a community's devices over MQTT (through the local Mosquitto) and CoAP, keeps them in a durable on-disk buffer and forwards them to the CommunityGuard hub; acts on safety alarms by itself when the hub is away."

# No PostgreSQL binaries: the embedded database is the demo's (deploy/demo.sh), and a hub
# installed from the package without db.url must refuse to start, not keep a community's
# readings in a temporary database deleted at exit.
EXCLUDE_LIBS=('embedded-postgres-binaries-*.jar')
EXTRA_DOCS=()
build_package communityguard-hub hub hub.jar communityguard-hub /nonexistent \
  hub.env docs/hub-install.md "Suggests: postgresql" \
  "CommunityGuard hub (uplink, incidents, console and API)" \
  "Receives the gateways' readings over MQTT 5, stores them in PostgreSQL with TimescaleDB, raises and tracks safety incidents, and serves the property managers' web console and the HTTP API."

sections_summary
