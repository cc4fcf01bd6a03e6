#!/usr/bin/env bash
# Regenerates the settings tables of docs/configuration.md from the code (HubSettings,
# EdgeSettings) and its logging table from each program's logback.xml (HUB_LOG_LEVEL,
# EDGE_LOG_LEVEL: read by logback, not settings), and the thresholds table of docs/incidents.md
# (Threshold). The ConfigTest of each module and the hub's ThresholdTest fail until this has
# been run after a change.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -B -q -DskipTests package -pl hub,edge-agent -am
table() { java -jar "$1"/target/"$1"-*.jar --config-reference; }
python3 - "$(table hub)" "$(table edge-agent)" <<'PY'
import re, sys
doc = open("docs/configuration.md").read()
parts = re.split(r"(?m)^(\| key \| environment \|.*\n(?:\|.*\n)*)", doc)
# parts: [before hub table, hub table, between, edge table, after]
assert len(parts) == 5, "docs/configuration.md must hold exactly two settings tables"
parts[1] = sys.argv[1].rstrip("\n") + "\n"
parts[3] = sys.argv[2].rstrip("\n") + "\n"
open("docs/configuration.md", "w").write("".join(parts))
PY
python3 - "$(java -cp "$(ls hub/target/hub-*.jar | head -n 1)" org.communityguard.hub.incident.threshold.Threshold)" <<'PY'
import re, sys
doc = open("docs/incidents.md").read()
parts = re.split(r"(?m)^(\| scope \| key \|.*\n(?:\|.*\n)*)", doc)
assert len(parts) == 3, "docs/incidents.md must hold exactly one thresholds table"
parts[1] = sys.argv[1].rstrip("\n") + "\n"
open("docs/incidents.md", "w").write("".join(parts))
PY
python3 - <<'PY'
import re
rows = ["| environment | default | allowed | meaning |", "| --- | --- | --- | --- |"]
for module, program in (("hub", "the hub"), ("edge-agent", "the edge agent")):
    xml = open(module + "/src/main/resources/logback.xml").read()
    found = re.findall(r"<root level=\"\$\{([A-Z_]+):-([A-Z]+)\}\">", xml)
    assert len(found) == 1, module + "/src/main/resources/logback.xml must read its root level from one variable"
    name, default = found[0]
    rows.append(f"| `{name}` | `{default}` | TRACE, DEBUG, INFO, WARN, ERROR, OFF | level of {program}'s log"
                f"; the libraries its logback.xml sets to WARN stay there |")
doc = open("docs/configuration.md").read()
parts = re.split(r"(?m)^(\| environment \| default \|.*\n(?:\|.*\n)*)", doc)
assert len(parts) == 3, "docs/configuration.md must hold exactly one logging table"
parts[1] = "\n".join(rows) + "\n"
open("docs/configuration.md", "w").write("".join(parts))
PY
echo "docs/configuration.md and docs/incidents.md updated"
