# What the build needs before anything else: a Java 17+ on PATH and Maven. Source it; it defines:
#   toolchain_problem   prints what is missing (one line) and returns 1, or prints nothing
# Checked first, so a machine without them hears so at once, not after installing the rest.
# shellcheck shell=bash

toolchain_problem() {
  if ! command -v java >/dev/null; then
    echo "java not found on PATH: install a JDK 17 or newer (Debian/Ubuntu: sudo apt-get install openjdk-17-jdk-headless)"
    return 1
  fi
  local spec major
  spec=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)
  major=${spec#1.} # Java 8 and older call themselves 1.8
  major=${major%%.*}
  if ! [[ $major =~ ^[0-9]+$ ]] || ((major < 17)); then
    echo "java on PATH ($(command -v java)) is Java ${spec:-of an unknown version}: the build needs 17 or newer"
    return 1
  fi
  if ! command -v mvn >/dev/null; then
    echo "mvn not found on PATH: install Maven 3.8 or newer (Debian/Ubuntu: sudo apt-get install maven)"
    return 1
  fi
}
