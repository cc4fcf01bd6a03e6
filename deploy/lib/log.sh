# Section headers and timings for deploy scripts. Source it; it defines:
#   section "title"   start a new section (closes and times the previous one)
#   note "text"       one indented line inside a section
#   sections_summary  close the last section and print every section's duration
#   on_exit "command" run a command when the script exits, however it exits (undo a temporary change)
# shellcheck shell=bash

_section_title=""
_section_start=0
_section_lines=()

section() {
  _section_close
  _section_title="$1"
  _section_start=$SECONDS
  printf '\n==== %s ====\n' "$_section_title"
}

note() {
  printf '  %s\n' "$*"
}

fail() {
  printf '\nERROR: %s\n' "$*" >&2
  exit 1
}

_section_close() {
  if [[ -n $_section_title ]]; then
    _section_lines+=("$(printf '%5ds  %s' $((SECONDS - _section_start)) "$_section_title")")
    _section_title=""
  fi
}

sections_summary() {
  _section_close
  printf '\n==== timings ====\n'
  printf '%s\n' "${_section_lines[@]}"
  printf '%5ds  total\n' "$SECONDS"
}

_exit_commands=()

on_exit() {
  _exit_commands+=("$1")
  trap _run_exit_commands EXIT
}

_run_exit_commands() {
  local command
  for command in "${_exit_commands[@]}"; do
    eval "$command" || true
  done
}
