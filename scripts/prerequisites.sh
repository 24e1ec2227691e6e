#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real: swtpm (software TPM), tpm2-tools
# (an independent implementation to cross-check against), PostgreSQL (storage contract tests) and ima-evm-utils
# (evmctl, an independent IMA log replay) and python3-ironic (a real Ironic, standalone, runs the provisioning-hook
# steps in tests/Provisioning.Hooks.Tests).
# Does nothing when they are already there.
set -euo pipefail
packages=(swtpm swtpm-tools tpm2-tools postgresql ima-evm-utils python3-ironic)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
