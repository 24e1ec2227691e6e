#!/usr/bin/env bash
# The whole test suite: installs what it needs (swtpm, tpm2-tools, PostgreSQL), then runs every
# test project. Tests start their own swtpm instances and PostgreSQL cluster on free ports.
set -euo pipefail
cd "$(dirname "$0")"
scripts/prerequisites.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Attest.sln -c Release 2>&1 | tee "$log" || status=$?
# One plain summary line over all test projects.
awk '/(Passed|Failed)! +- Failed:/ { gsub(",", ""); f += $4; p += $6; s += $8 }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit $status
