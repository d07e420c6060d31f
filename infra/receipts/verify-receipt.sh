#!/bin/sh
# Checks a Countersign receipt with standard tools only (jq, base64, xxd, openssl 3):
#   verify-receipt.sh receipt.json keys.json
# receipt.json is GET /api/requests/EMG-12/receipt, keys.json is GET /.well-known/countersign/keys.
set -eu
receipt=$1 keys=$2 work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
type=$(jq -r .payloadType "$receipt")
[ "$type" = application/vnd.in-toto+json ] || { echo "not an in-toto envelope: $type" >&2; exit 1; }
jq -r .payload "$receipt" | base64 -d > "$work/payload"
jq -r '.signatures[0].sig' "$receipt" | base64 -d > "$work/sig"
kid=$(jq -r '.signatures[0].keyid' "$receipt")
x=$(jq -r --arg kid "$kid" '.keys[] | select(.kid == $kid) | .x' "$keys")
[ -n "$x" ] || { echo "no key $kid in $keys" >&2; exit 1; }
# An Ed25519 public key in DER is a fixed 12-byte header and then the JWK's x (base64url, unpadded).
{ printf 302a300506032b6570032100 | xxd -r -p; printf '%s=' "$x" | tr _- /+ | base64 -d; } > "$work/key.der"
openssl pkey -pubin -inform DER -in "$work/key.der" -out "$work/key.pem"
# DSSE signs PAE(type, payload) = "DSSEv1" SP len(type) SP type SP len(payload) SP payload, lengths in bytes.
printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(wc -c < "$work/payload")" > "$work/pae"
cat "$work/payload" >> "$work/pae"
openssl pkeyutl -verify -pubin -inkey "$work/key.pem" -rawin -in "$work/pae" -sigfile "$work/sig"
