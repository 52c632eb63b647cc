#!/usr/bin/env bash
# Usage: scripts/fetch_digit_sheet.sh DEST_DIR
# Puts OpenCV's handwritten digit sheet (2000x1000 PNG, 5000 digits of 20x20)
# at DEST_DIR/digits.png, taken from Debian's opencv-doc package without
# installing it (apt-get download + dpkg -x; no root needed). Prints the path.
set -euo pipefail

die() { echo "fetch_digit_sheet: error: $*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: $0 DEST_DIR"
dest_dir=$1
dest=$dest_dir/digits.png
member=usr/share/doc/opencv-doc/examples/data/digits.png

if [[ -f $dest ]]; then
    echo "$dest"
    exit 0
fi

for tool in apt-get dpkg; do
    command -v "$tool" >/dev/null || die "$tool not found (needs a Debian/Ubuntu system)"
done
mkdir -p "$dest_dir" 2>/dev/null || die "cannot create $dest_dir"

dl_dir=""; x_dir=""
trap 'rm -rf "$dl_dir" "$x_dir"' EXIT
dl_dir=$(mktemp -d) || die "mktemp failed"
x_dir=$(mktemp -d) || die "mktemp failed"
log=$dl_dir/apt.log

# apt-get download writes into the current directory; no root needed for it.
apt_download() { (cd "$dl_dir" && apt-get download -q opencv-doc) >"$log" 2>&1; }
last_err() { { grep -E '^(E|Err):' "$log" || tail -n1 "$log"; } | tail -n1; }

if ! apt_download; then
    apt-get update -q >"$log" 2>&1 \
        || die "apt-get download opencv-doc failed and apt-get update failed too: $(last_err)"
    apt_download || die "apt-get download opencv-doc failed: $(last_err)"
fi

debs=("$dl_dir"/opencv-doc_*.deb)
[[ -f ${debs[0]} ]] || die "apt-get download produced no opencv-doc .deb"
dpkg -x "${debs[0]}" "$x_dir" 2>"$log" || die "dpkg -x ${debs[0]##*/} failed: $(last_err)"
[[ -f $x_dir/$member ]] || die "$member not found in ${debs[0]##*/}"

# Copy to a temp name in DEST_DIR and rename, so a failed copy leaves no partial file.
if ! { cp "$x_dir/$member" "$dest.tmp.$$" && mv "$dest.tmp.$$" "$dest"; } 2>/dev/null; then
    rm -f "$dest.tmp.$$"
    die "cannot write $dest"
fi
echo "$dest"
