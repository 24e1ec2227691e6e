#!/usr/bin/env bash
# Publishes attest-hook as one self-contained file for linux-x64: what goes into an IPA ramdisk (no .NET there)
# and onto the conductor. Usage: scripts/publish-hook.sh [output-dir]   (default: artifacts/attest-hook)
#
# Why not Native AOT or trimming: the hook serialises its JSON contracts by reflection, which both would break
# (the trim analysers turn that into build errors here); a self-contained single file needs only the runtime
# packs the NuGet feed serves, and starts in well under a second (docs/ironic.md has the figures).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/attest-hook}
dotnet publish src/Provisioning.Hooks -c Release -r linux-x64 --self-contained \
  -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none \
  -o "$out" -nologo -v quiet
echo "$out/attest-hook ($(du -h "$out/attest-hook" | cut -f1))"
