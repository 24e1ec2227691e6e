#!/usr/bin/env bash
# Starts Attest on its embedded defaults: the registrar (https://127.0.0.1:8441) and the verifier
# (https://127.0.0.1:8442), both on SQLite under ./data, TLS with generated development certificates, and an
# admin API key generated into ./data/admin.key. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
data=${ATTEST_DATA:-$root/data}
mkdir -p "$data"
echo "building…"
dotnet build src/Registrar -c Release -v quiet -nologo >/dev/null
dotnet build src/Verifier -c Release -v quiet -nologo >/dev/null

# Every path under one data folder, whatever the service's content root.
export Auth__BootstrapKeyFile="$data/admin.key"
export Tls__DevelopmentCertificatePath="$data/tls/dev.pfx"
export Registrar__EkCertificates__RootDirectory="${ATTEST_TPM_CA:-$data/tpm-ca}"
mkdir -p "$Registrar__EkCertificates__RootDirectory"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

Database__ConnectionString="Data Source=$data/registrar.db" \
  dotnet src/Registrar/bin/Release/net10.0/attest-registrar.dll --contentRoot "$root/src/Registrar/bin/Release/net10.0" &
pids+=($!)
for _ in $(seq 1 100); do
  curl -ksf https://127.0.0.1:8441/healthz >/dev/null 2>&1 && break
  sleep 0.2
done

Database__ConnectionString="Data Source=$data/verifier.db" \
Verifier__Registrar__ApiKeyFile="$data/admin.key" \
Verifier__Registrar__TrustedCertificate="$data/tls/dev.pem" \
Verifier__Firmware__CatalogDirectory="$root/policies/firmware" \
Verifier__Credentials__Ca__Directory="$data/ca" \
Verifier__Credentials__Ca__KeyPasswordFile="$data/ca-key.secret" \
  dotnet src/Verifier/bin/Release/net10.0/attest-verifier.dll --contentRoot "$root/src/Verifier/bin/Release/net10.0" &
pids+=($!)
for _ in $(seq 1 100); do
  curl -ksf https://127.0.0.1:8442/healthz >/dev/null 2>&1 && break
  sleep 0.2
done

cat <<INFO

Attest is running:
  registrar  https://127.0.0.1:8441   (OpenAPI: /openapi/v1.json, health: /healthz, metrics: /metrics)
  verifier   https://127.0.0.1:8442
  data       $data (SQLite databases, agent CA in ca/, TLS development certificate: trust $data/tls/dev.pem)
  admin key  $data/admin.key   (send as: Authorization: Bearer \$(cat $data/admin.key))
  TPM-maker CA certificates for EK checks: put them in $Registrar__EkCertificates__RootDirectory
Press Ctrl-C to stop.
INFO
wait -n "${pids[@]}"
