#!/usr/bin/env bash
# Usage: scripts/make_text_data.sh OUT_DIR
# English text without the internet, from Debian's fortune cookie collection (the `fortunes`
# and `fortunes-min` packages: quotations, jokes, poems and short stories):
#   OUT_DIR/fortunes.txt     every collection except songs-poems: the main corpus (about 2.2 MB)
#   OUT_DIR/songs-poems.txt  the songs-poems collection: a second text, for fine-tuning (LoRA)
# Each fortune becomes a paragraph followed by a blank line; the fortunes of each file are
# shuffled with a fixed seed, so the last part that data.type text holds out for validation
# is drawn from the whole collection rather than from its last categories. Control
# characters (the overstriking some fortunes use) are dropped; the text stays UTF-8.
#
# The packages are downloaded and unpacked into OUT_DIR/.packages, not installed, when
# /usr/share/games/fortunes is missing. Idempotent: a complete OUT_DIR (SOURCE.txt written
# last) is left alone.
set -euo pipefail

die() { echo "make_text_data: error: $*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: $0 OUT_DIR"
out=$1
if [[ -f $out/SOURCE.txt ]]; then
  echo "make_text_data: $out is already complete; nothing to do"
  exit 0
fi
mkdir -p "$out" || die "cannot create $out"
command -v python3 >/dev/null || die "python3 is needed (scripts/install_deps.sh installs it)"

src=/usr/share/games/fortunes
if [[ ! -f $src/fortunes || ! -f $src/songs-poems ]]; then
  pkgs="$out/.packages"
  mkdir -p "$pkgs"
  (cd "$pkgs" && apt-get download fortunes fortunes-min >/dev/null 2>&1) \
    || die "apt-get download fortunes fortunes-min failed (is a Debian package mirror reachable?)"
  for deb in "$pkgs"/*.deb; do dpkg -x "$deb" "$pkgs/root"; done
  src="$pkgs/root/usr/share/games/fortunes"
fi
[[ -f $src/songs-poems ]] || die "no fortune files under $src"

python3 - "$src" "$out" <<'PY'
import os, random, re, sys
src, out = sys.argv[1:]
# Files of fortune text: no .dat index, no .u8 link, no ascii art (pictures, not prose).
names = sorted(n for n in os.listdir(src)
               if "." not in n and n not in ("ascii-art", "art") and os.path.isfile(os.path.join(src, n)))
control = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 controls but tab and newline

def fortunes(name):
    text = open(os.path.join(src, name), encoding="utf-8", errors="replace").read()
    # "x\bx" overstrikes (bold) become plain x: drop each backspace with the character before it.
    text = re.sub(r".\x08", "", text)
    items = [control.sub("", f).strip("\n") for f in re.split(r"^%$", text, flags=re.M)]
    return [f for f in items if f.strip()]

def write(path, items):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n\n".join(items) + "\n")
    os.replace(tmp, path)

main = []
for n in names:
    if n != "songs-poems":
        main += fortunes(n)
second = fortunes("songs-poems")
random.Random(1234).shuffle(main)
random.Random(1234).shuffle(second)
write(os.path.join(out, "fortunes.txt"), main)
write(os.path.join(out, "songs-poems.txt"), second)
print(f"make_text_data: {len(main)} fortunes from {len(names) - 1} collections -> {out}/fortunes.txt; "
      f"{len(second)} songs and poems -> {out}/songs-poems.txt")
PY
{
  echo "Made by scripts/make_text_data.sh from Debian's fortunes and fortunes-min packages ($src)."
  echo "fortunes.txt: every collection except songs-poems, ascii-art and art; songs-poems.txt: songs-poems."
  echo "Fortunes shuffled with seed 1234, one paragraph each, separated by blank lines."
} >"$out/SOURCE.txt"
rm -rf "$out/.packages"
wc -c "$out/fortunes.txt" "$out/songs-poems.txt"
