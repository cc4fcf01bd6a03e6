#!/usr/bin/env bash
# The project's one test command (CI runs it through .ci/run).
#   bash deploy/test.sh                 install what the tests need, then mvn -B verify
#   bash deploy/test.sh -pl hub         extra arguments go to Maven
# Needs Java 17+ and Maven on PATH (says so and exits 1 first when either is missing).
# Installs, when missing and there is no working Docker: PostgreSQL (the OS default major),
# TimescaleDB for it and Mosquitto; and in any case Chromium with chromedriver for the console's
# browser test, and what the package test needs (systemd-sysusers, systemd-tmpfiles, curl).
# Starts no service: the JUnit harness (testkit) starts throwaway servers on free ports and
# stops them when the tests end.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source deploy/lib/log.sh
source deploy/lib/apt.sh
source deploy/lib/test-deps.sh
source deploy/lib/toolchain.sh

# Before installing anything: without Java 17+ and Maven there is nothing to test with.
problem=$(toolchain_problem) || fail "$problem"

section "test dependencies"
if command -v docker >/dev/null && timeout 20 docker info >/dev/null 2>&1; then
  note "Docker works: tests use Testcontainers, nothing to install locally"
else
  install_test_dependencies
fi
install_browser
install_package_test_tools

section "mvn -B verify${*:+ $*}"
status=0
mvn -B --no-transfer-progress -Dstyle.color=never verify "$@" || status=$?

sections_summary
exit "$status"
