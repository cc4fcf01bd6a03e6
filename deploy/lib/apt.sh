# Thin helpers around apt for installing test dependencies non-interactively. Source it.
# shellcheck shell=bash

export DEBIAN_FRONTEND=noninteractive

# Root runs apt directly; anyone else needs sudo (CI and the dev machines run as root).
if [[ $EUID -eq 0 ]]; then
  AS_ROOT=()
elif command -v sudo >/dev/null; then
  AS_ROOT=(sudo --preserve-env=DEBIAN_FRONTEND)
else
  AS_ROOT=(false)
fi

_apt_updated=false

# apt-get update at most once per run, and only when something is about to be installed.
apt_update_once() {
  if [[ $_apt_updated == false ]]; then
    note "apt-get update"
    "${AS_ROOT[@]}" apt-get update -q >/dev/null || fail "apt-get update failed (run as root, or with sudo)"
    _apt_updated=true
  fi
}

package_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# True when apt can install the package (it has a candidate version).
apt_has_candidate() {
  local candidate
  candidate=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
  [[ -n $candidate && $candidate != "(none)" ]]
}

# Installs the given packages that are not installed yet, without recommends, and without
# letting their maintainer scripts start services (tests start their own throwaway servers).
apt_install() {
  local wanted=() package
  for package in "$@"; do
    package_installed "$package" || wanted+=("$package")
  done
  ((${#wanted[@]})) || return 0
  apt_update_once
  note "apt-get install ${wanted[*]}"
  local policy=/usr/sbin/policy-rc.d
  if [[ ! -e $policy ]]; then
    # Exit code 101 tells invoke-rc.d / deb-systemd-invoke "action forbidden": nothing starts.
    printf '#!/bin/sh\nexit 101\n' | "${AS_ROOT[@]}" tee "$policy" >/dev/null
    "${AS_ROOT[@]}" chmod 755 "$policy"
    on_exit "${AS_ROOT[*]} rm -f $policy"
  fi
  "${AS_ROOT[@]}" apt-get install -y -q --no-install-recommends "${wanted[@]}" >/tmp/communityguard-apt.log 2>&1 || {
    tail -n 30 /tmp/communityguard-apt.log >&2
    fail "apt-get install ${wanted[*]} failed (full log: /tmp/communityguard-apt.log)"
  }
}

# The URI of the machine's main Debian mirror: the first URI of the apt source that serves
# the running release's codename, from deb822 .sources files or one-line .list files.
debian_mirror_uri() {
  local codename uri
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [[ -n $codename ]] || fail "cannot tell the Debian codename from /etc/os-release"
  uri=$(
    shopt -s nullglob
    for file in /etc/apt/sources.list.d/*.sources; do
      # Paragraph mode: one record per stanza; field lines split on newlines.
      awk -v codename="$codename" 'BEGIN { RS = ""; FS = "\n" }
        {
          types = ""; suites = ""; uris = ""
          for (i = 1; i <= NF; i++) {
            if ($i ~ /^Types:/)  { types = $i }
            if ($i ~ /^Suites:/) { suites = $i }
            if ($i ~ /^URIs:/)   { uris = $i }
          }
          if (types ~ /[ \t]deb([ \t]|$)/ && (" " suites " ") ~ ("[ \t]" codename "[ \t]")) {
            split(uris, parts, /[ \t]+/); print parts[2]; exit
          }
        }' "$file"
    done
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f $file ]] || continue
      # deb [options] URI suite components...
      sed -E 's/\[[^]]*\]//' "$file" | awk -v codename="$codename" '$1 == "deb" && $3 == codename { print $2 }'
    done
  )
  uri=$(head -n 1 <<<"$uri")
  [[ -n $uri ]] || fail "no apt source for '$codename' in /etc/apt/sources.list{,.d}: cannot tell which mirror to use"
  printf '%s\n' "${uri%/}"
}
