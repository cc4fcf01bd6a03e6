#!/usr/bin/env bash
# Regenerates the settings tables of docs/configuration.md from the code (HubSettings,
# EdgeSettings). The ConfigTest of each module fails until this has been run after a change.
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
echo "docs/configuration.md updated"
