# Installs what the JUnit harness (testkit) needs when there is no Docker: a PostgreSQL server
# of the OS's default major version, TimescaleDB for it, and Mosquitto. Every step is skipped
# when its result is already there, so a second run costs a few dpkg queries. Source it after
# log.sh and apt.sh, then call install_test_dependencies; install_browser and
# install_package_test_tools are needed with Docker too.
# shellcheck shell=bash

# The suite that ships TimescaleDB as a Debian source package; only its deb-src is ever added.
TIMESCALEDB_SOURCE_SUITE=trixie
TIMESCALEDB_SRC_LIST=/etc/apt/sources.list.d/communityguard-timescaledb-src.sources

install_test_dependencies() {
  find_postgresql_major
  note "PostgreSQL major version: $PGMAJOR (the OS default)"
  install_postgresql
  install_mosquitto
  install_timescaledb
}

# Sets PGMAJOR to the OS default major version: the one the "postgresql" metapackage depends on.
# (A global, not printed: apt_update_once must run in this shell, not in a $(...) subshell.)
find_postgresql_major() {
  local depends=""
  if package_installed postgresql; then
    depends=$(dpkg-query -W -f='${Depends}' postgresql)
  else
    apt_update_once
    depends=$(apt-cache show --no-all-versions postgresql 2>/dev/null | sed -n 's/^Depends: //p' | head -n 1)
  fi
  [[ $depends =~ postgresql-([0-9]+) ]] || fail "cannot tell the default PostgreSQL version from the 'postgresql' package"
  PGMAJOR=${BASH_REMATCH[1]}
}

# The console's browser tests drive Debian's chromium through its chromedriver (testkit's
# Chromium class), offline; a CJK font so zh-CN pages render as text, not boxes, in screenshots.
# About 30 s and 250 MB the first time.
install_browser() {
  if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]] && package_installed fonts-wqy-microhei; then
    note "Chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}') and chromedriver: present"
    return
  fi
  apt_install chromium chromium-driver fonts-wqy-microhei
}

# The package test (deploy/lib/package-test.sh) runs the packages' postinst, which makes users
# and directories with systemd-sysusers and systemd-tmpfiles; a machine or container without
# systemd gets Debian's standalone builds of the two, which start nothing. It asks curl for
# the services' health. Needed with Docker too.
install_package_test_tools() {
  local wanted=()
  command -v systemd-sysusers >/dev/null || wanted+=(systemd-standalone-sysusers)
  command -v systemd-tmpfiles >/dev/null || wanted+=(systemd-standalone-tmpfiles)
  command -v curl >/dev/null || wanted+=(curl)
  if ((${#wanted[@]})); then
    apt_install "${wanted[@]}"
  else
    note "systemd-sysusers, systemd-tmpfiles and curl: present"
  fi
}

install_postgresql() {
  if [[ -x /usr/lib/postgresql/$PGMAJOR/bin/postgres ]]; then
    note "PostgreSQL $PGMAJOR: present"
    return
  fi
  # The package would create and start a "main" cluster on port 5432 that nothing here uses;
  # this drop-in (read by postgresql-common's createcluster.conf) skips it, and goes afterwards.
  local no_cluster=/etc/postgresql-common/createcluster.d/communityguard-no-main-cluster.conf
  "${AS_ROOT[@]}" mkdir -p "$(dirname "$no_cluster")"
  echo "create_main_cluster = false" | "${AS_ROOT[@]}" tee "$no_cluster" >/dev/null
  on_exit "${AS_ROOT[*]} rm -f $no_cluster"
  apt_install "postgresql-$PGMAJOR"
}

install_mosquitto() {
  if command -v mosquitto >/dev/null || [[ -x /usr/sbin/mosquitto ]]; then
    note "Mosquitto: present"
    return
  fi
  apt_install mosquitto
  # apt_install kept the packaged service from starting; also keep it from starting at boot,
  # where it would hold port 1883 (tests use their own broker on a free port).
  if [[ -d /run/systemd/system ]]; then
    "${AS_ROOT[@]}" systemctl disable --now mosquitto.service >/dev/null 2>&1 || true
  elif command -v update-rc.d >/dev/null; then
    "${AS_ROOT[@]}" update-rc.d mosquitto disable >/dev/null 2>&1 || true
  fi
}

postgresql_sharedir() {
  local pg_config=/usr/lib/postgresql/$PGMAJOR/bin/pg_config
  if [[ -x $pg_config ]]; then
    "$pg_config" --sharedir
  else
    printf '/usr/share/postgresql/%s\n' "$PGMAJOR"
  fi
}

install_timescaledb() {
  if [[ -f $(postgresql_sharedir)/extension/timescaledb.control ]]; then
    note "TimescaleDB for PostgreSQL $PGMAJOR: present"
    return
  fi
  apt_update_once
  if apt_has_candidate "postgresql-$PGMAJOR-timescaledb"; then
    apt_install "postgresql-$PGMAJOR-timescaledb"
  else
    note "no postgresql-$PGMAJOR-timescaledb package here: building Debian's source package"
    build_timescaledb_from_source
  fi
  [[ -f $(postgresql_sharedir)/extension/timescaledb.control ]] \
    || fail "TimescaleDB install finished but timescaledb.control is not in $(postgresql_sharedir)/extension"
}

# Bookworm has no TimescaleDB package; trixie has it as source. Build that source against this
# machine's PostgreSQL with this machine's (bookworm) compiler and headers. Only a deb-src entry
# is added, so apt never installs a trixie binary package here.
build_timescaledb_from_source() {
  apt_install cmake gcc make dpkg-dev "postgresql-server-dev-$PGMAJOR"

  local mirror signed_by=/usr/share/keyrings/debian-archive-keyring.gpg
  mirror=$(debian_mirror_uri)
  note "deb-src $mirror $TIMESCALEDB_SOURCE_SUITE (in $TIMESCALEDB_SRC_LIST)"
  local binary_sources_before
  binary_sources_before=$(apt-cache policy | grep -c "$TIMESCALEDB_SOURCE_SUITE" || true)
  {
    echo "# Added by CommunityGuard deploy/test.sh to build TimescaleDB; source packages only."
    echo "Types: deb-src"
    echo "URIs: $mirror"
    echo "Suites: $TIMESCALEDB_SOURCE_SUITE"
    echo "Components: main"
    if [[ -f $signed_by ]]; then echo "Signed-By: $signed_by"; fi
  } | "${AS_ROOT[@]}" tee "$TIMESCALEDB_SRC_LIST" >/dev/null
  # Removed again once the source is here (and at exit, should anything fail before), so later
  # "apt-get update"s do not keep fetching trixie's source index.
  on_exit "${AS_ROOT[*]} rm -f $TIMESCALEDB_SRC_LIST"
  "${AS_ROOT[@]}" apt-get update -q >/dev/null || fail "apt-get update with $TIMESCALEDB_SRC_LIST failed"
  if [[ $(apt-cache policy | grep -c "$TIMESCALEDB_SOURCE_SUITE" || true) != "$binary_sources_before" ]]; then
    fail "apt now lists $TIMESCALEDB_SOURCE_SUITE binary packages; refusing to go on (check $TIMESCALEDB_SRC_LIST)"
  fi

  local work
  work=$(mktemp -d /var/tmp/communityguard-timescaledb.XXXXXX)
  # Fetching and building need no root; only "make install" does.
  (cd "$work" && apt-get source -q "timescaledb/$TIMESCALEDB_SOURCE_SUITE" >"$work/source.log" 2>&1) \
    || { tail -n 20 "$work/source.log" >&2; fail "apt-get source timescaledb/$TIMESCALEDB_SOURCE_SUITE failed"; }
  "${AS_ROOT[@]}" rm -f "$TIMESCALEDB_SRC_LIST"

  local src
  src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'timescaledb-*' | head -n 1)
  [[ -n $src ]] || fail "apt-get source left no timescaledb-* directory in $work"
  note "building $(basename "$src") (Apache-2 part only, as Debian does)"
  # APACHE_ONLY: Debian ships the Apache-licensed part only (hypertables, time_bucket,
  # drop_chunks); regression/TAP test suites and telemetry are not needed for our tests.
  cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release \
    -DPG_CONFIG="/usr/lib/postgresql/$PGMAJOR/bin/pg_config" \
    -DAPACHE_ONLY=1 -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF \
    -DUSE_OPENSSL=OFF -DSEND_TELEMETRY_DEFAULT=OFF >"$work/build.log" 2>&1 \
    || { tail -n 30 "$work/build.log" >&2; fail "cmake configure of TimescaleDB failed (log: $work/build.log)"; }
  make -C "$src/build" -j"$(nproc)" >>"$work/build.log" 2>&1 \
    || { tail -n 30 "$work/build.log" >&2; fail "TimescaleDB build failed (log: $work/build.log)"; }
  "${AS_ROOT[@]}" make -C "$src/build" install >>"$work/build.log" 2>&1 \
    || { tail -n 30 "$work/build.log" >&2; fail "TimescaleDB install failed (log: $work/build.log)"; }
  # Kept on failure, for its build.log.
  "${AS_ROOT[@]}" rm -rf "$work"
}
