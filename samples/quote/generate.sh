#!/usr/bin/env bash
# Regenerates this sample: a TPM2 quote made by tpm2-tools on a fresh swtpm (RSA EK and AK, SHA-256 bank,
# PCR 16 extended once). Needs swtpm, swtpm-tools and tpm2-tools (scripts/prerequisites.sh installs them).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "$(cat "$work/pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
swtpm socket --tpm2 --tpmstate dir="$work" --server type=tcp,port=$port,bindaddr=127.0.0.1 \
  --ctrl type=tcp,port=$((port + 1)),bindaddr=127.0.0.1 --flags not-need-init,startup-clear --pid file="$work/pid" -d
export TPM2TOOLS_TCTI="swtpm:host=127.0.0.1,port=$port"
cd "$work"
# No resource manager: flush transient objects after each tool.
tpm2_createek -c ek.ctx -G rsa -u ek.pub >/dev/null && tpm2_flushcontext -t
tpm2_createak -C ek.ctx -c ak.ctx -G rsa -g sha256 -s rsassa -u "$here/ak.pub" -n ak.name -f tss >/dev/null && tpm2_flushcontext -t
tpm2_flushcontext -s
tpm2_pcrextend 16:sha256=$(printf 'attest sample' | sha256sum | cut -d' ' -f1)
nonce=$(openssl rand -hex 32)
tpm2_quote -c ak.ctx -l sha256:0,1,2,3,4,5,6,7,16 -q "$nonce" -m "$here/quote.msg" -s "$here/quote.sig" -g sha256 >/dev/null
tpm2_flushcontext -t
echo "$nonce" > "$here/nonce.hex"
# PCR values as JSON: {"sha256": {"0": "<hex>", ...}}
tpm2_pcrread sha256:0,1,2,3,4,5,6,7,16 | awk '
  /^ *sha256:/ { next }
  /:/ { gsub(/ /, ""); split($0, kv, ":"); v = tolower(substr(kv[2], 3)); out = out sep "\"" kv[1] "\": \"" v "\""; sep = ", " }
  END { print "{\"sha256\": {" out "}}" }' > "$here/pcrs.json"
echo "sample written to $here"
