#!/usr/bin/env bash
# Usage: scripts/fetch_gpt2_vocab.sh OUT_DIR
# GPT-2's own tokenizer files (vocab.json, merges.txt: OpenAI's byte-level BPE of 50,257 tokens)
# without the Hugging Face hub, which this machine cannot reach: OpenAI's whisper package on
# pip's index ships them (MIT licence) in its source archive of release 20230117. The archive
# is fetched from the index, checked against the index's SHA-256, and only the two files are
# kept. The model weights are not in it: a GPT-2 download (huggingface.co/gpt2) has those.
# Idempotent: a complete OUT_DIR is left alone.
set -euo pipefail
out=${1:?usage: $0 OUT_DIR}
[ -f "$out/vocab.json" ] && [ -f "$out/merges.txt" ] && { echo "fetch_gpt2_vocab: $out is already complete"; exit 0; }
index=${PIP_INDEX_URL:-https://pypi.org/simple}
release=openai-whisper-20230117.tar.gz
link=$(curl -fsS --max-time 60 "$index/openai-whisper/" | grep -o "href=\"[^\"]*$release#sha256=[0-9a-f]*\"" | head -n 1)
[ -n "$link" ] || { echo "fetch_gpt2_vocab: $release is not on $index" >&2; exit 1; }
url=${link#href=\"}; url=${url%\"}
sha=${url##*#sha256=}; url=${url%%#*}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsS --max-time 300 -o "$tmp/$release" "$url"
echo "$sha  $tmp/$release" | sha256sum -c --quiet - || { echo "fetch_gpt2_vocab: $release: SHA-256 mismatch" >&2; exit 1; }
tar -xzf "$tmp/$release" -C "$tmp" --strip-components=4 "${release%.tar.gz}/whisper/assets/gpt2/vocab.json" \
  "${release%.tar.gz}/whisper/assets/gpt2/merges.txt"
mkdir -p "$out"
mv "$tmp/merges.txt" "$out/merges.txt"
mv "$tmp/vocab.json" "$out/vocab.json"  # last: its presence marks the folder complete
echo "fetch_gpt2_vocab: GPT-2's vocab.json and merges.txt in $out (from $release on pip's index)"
