# deploy/bench.sh fuzz: every decoder's property (the *FuzzTest classes of edge-agent and hub) under
# Jazzer, coverage-guided, 100,000 inputs each (testkit.fuzz.Fuzzing.BENCH_INPUTS). Source it after
# log.sh and bench-common.sh.
#   Each decoder's *Fuzzer class holds one @FuzzTest; Surefire runs each class in a JVM of its own
#   (Jazzer fuzzes one test per JVM), with JAZZER_FUZZ=1, and keeps going past a failure so every
#   decoder is counted. Each JVM writes its decoder's tally (testkit.fuzz.Fuzzing) when it exits.
# Prints a table per decoder (inputs tried, accepted, refused by reason, exceptions, property
# violations) and ends with RESULT crashes=<n> min_inputs_per_decoder=<n> <decoder>_inputs=<n> ...
# A failing input is kept by Jazzer under the module's src/test/resources/.../<Class>Inputs/ (a
# regression input from then on); the run's log says which.
# shellcheck shell=bash

BENCH_FUZZ_DECODERS=(device_json device_cbor device_status edge_site uplink_batch hub_site http_json_body
  sse_last_event_id csv_export)

bench_fuzz_usage() {
  cat <<'USAGE'
usage: bash deploy/bench.sh fuzz
  Runs every decoder's fuzz property under Jazzer, 100,000 inputs each (no options).
Last line: RESULT crashes=<n> min_inputs_per_decoder=<n> <decoder>_inputs=<n> ...
USAGE
}

bench_fuzz() {
  while (($#)); do
    case $1 in
      -h | --help) bench_fuzz_usage; return 0 ;;
      *) bench_fuzz_usage >&2; return 2 ;;
    esac
  done

  section "machine"
  bench_describe_machine
  local work
  work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-bench.XXXXXX")
  on_exit "rm -rf '$work'"

  section "build"
  mvn -B -q --no-transfer-progress -Dstyle.color=never -DskipTests test-compile -pl edge-agent,hub -am \
    >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; fail "the build failed: mvn -DskipTests test-compile -pl edge-agent,hub -am"; }

  section "fuzz: ${#BENCH_FUZZ_DECODERS[@]} decoders, 100,000 inputs each"
  # keep_going: a failing input is counted and fuzzing goes on, so the tally covers every input.
  JAZZER_FUZZ=1 JAZZER_KEEP_GOING=100000 FUZZ_REPORT_DIR="$work/tally" \
    mvn -B --no-transfer-progress -Dstyle.color=never -pl edge-agent,hub -am test \
    -Dtest='*Fuzzer' -DreuseForks=false -Dsurefire.failIfNoSpecifiedTests=false -Dmaven.test.failure.ignore=true \
    >"$work/fuzz.log" 2>&1 \
    || { tail -n 40 "$work/fuzz.log" >&2; fail "the fuzz run did not complete (log above)"; }
  grep -E '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs' "$work/fuzz.log" | sed 's/^/  jazzer: /' || true
  if grep -q 'FuzzTestFindingException\|== Java Exception' "$work/fuzz.log"; then
    note "findings (kept as regression inputs under src/test/resources):"
    grep -E '== Java Exception|Caused by|crash-[0-9a-f]+' "$work/fuzz.log" | sort | uniq -c | head -n 20 | sed 's/^/    /'
  fi

  section "results"
  local decoder file crashes=0 min="" tried accepted exceptions violations result_keys=""
  printf '  %-18s %9s %9s %9s %10s %10s  %s\n' decoder inputs accepted refused exceptions violations "refused by reason"
  for decoder in "${BENCH_FUZZ_DECODERS[@]}"; do
    file="$work/tally/$decoder.tsv"
    if [[ ! -f $file ]]; then
      printf '  %-18s %9s   (no tally: its fuzzer did not run, see the log)\n' "$decoder" 0
      tried=0 exceptions=0 violations=0
    else
      tried=$(awk -F'\t' '$1 == "tried" {print $2}' "$file")
      accepted=$(awk -F'\t' '$1 == "accepted" {print $2}' "$file")
      exceptions=$(awk -F'\t' '$1 == "exceptions" {print $2}' "$file")
      violations=$(awk -F'\t' '$1 == "violations" {print $2}' "$file")
      local refused reasons
      refused=$(awk -F'\t' '$1 ~ /^refused\./ {n += $2} END {print n + 0}' "$file")
      reasons=$(awk -F'\t' '$1 ~ /^refused\./ {sub(/^refused\./, "", $1); printf "%s%s=%s", sep, $1, $2; sep = ", "}' "$file")
      printf '  %-18s %9s %9s %9s %10s %10s  %s\n' "$decoder" "$tried" "$accepted" "$refused" "$exceptions" "$violations" "$reasons"
    fi
    crashes=$((crashes + exceptions + violations))
    if [[ -z $min || $tried -lt $min ]]; then
      min=$tried
    fi
    result_keys+=" ${decoder}_inputs=$tried"
  done
  cp "$work/fuzz.log" "${TMPDIR:-/tmp}/communityguard-fuzz-last.log" 2>/dev/null && note "full log: ${TMPDIR:-/tmp}/communityguard-fuzz-last.log"
  sections_summary
  printf 'RESULT crashes=%s min_inputs_per_decoder=%s%s\n' "$crashes" "$min" "$result_keys"
}
