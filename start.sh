#!/usr/bin/env bash
# Starts Attest's main job on its embedded defaults. Until the registrar and verifier services land, that is
# attestctl verifying the sample quote in samples/quote (made by tpm2-tools on swtpm).
set -euo pipefail
cd "$(dirname "$0")"
dotnet build src/Cli -c Release -v quiet -nologo >/dev/null
cli=(dotnet src/Cli/bin/Release/net10.0/attestctl.dll)
"${cli[@]}" quote verify --ak samples/quote/ak.pub --quote samples/quote/quote.msg --signature samples/quote/quote.sig \
  --nonce "$(cat samples/quote/nonce.hex)" --pcrs samples/quote/pcrs.json "$@"
