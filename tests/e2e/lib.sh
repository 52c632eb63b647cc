# Helpers shared by the end-to-end scripts in this folder. Sourced, not run: it is not a test.
#
# Environment (set by CTest, or by hand):
#   GENCLI            the gencli binary
#   MAKE_IDX_FIXTURE  the IDX fixture writer (tests/tools/make_idx_fixture)
#   SOURCE_DIR        the repository root (for configs/)
#   E2E_KEEP=1        keep the temporary folder after the script ends (for debugging)
#   PYTHON_TOOLS      a python with pip's safetensors, transformers, tokenizers and tensorboard
#                     (need_python_tools)
#
# After sourcing, the current directory is a fresh temporary folder ($WORK), removed on exit.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "tests/e2e/lib.sh holds helpers sourced by the e2e scripts; it is not a test itself"
  exit 0
fi

set -euo pipefail

E2E_NAME=$(basename "${BASH_SOURCE[1]:-$0}" .sh)

say() { printf '[%s] %s\n' "$E2E_NAME" "$*"; }
check() { printf '[%s]   check: %s\n' "$E2E_NAME" "$*"; }
fail() {
  printf '[%s] FAIL: %s\n' "$E2E_NAME" "$*" >&2
  exit 1
}

for _var in GENCLI MAKE_IDX_FIXTURE SOURCE_DIR; do
  [ -n "${!_var:-}" ] || fail "environment variable $_var is not set (see tests/e2e/lib.sh)"
done
GENCLI=$(readlink -f "$GENCLI")
MAKE_IDX_FIXTURE=$(readlink -f "$MAKE_IDX_FIXTURE")
SOURCE_DIR=$(readlink -f "$SOURCE_DIR")
[ -x "$GENCLI" ] || fail "GENCLI=$GENCLI is not an executable file"
[ -x "$MAKE_IDX_FIXTURE" ] || fail "MAKE_IDX_FIXTURE=$MAKE_IDX_FIXTURE is not an executable file"
[ -f "$SOURCE_DIR/configs/gan_mnist.json" ] || fail "SOURCE_DIR=$SOURCE_DIR has no configs/gan_mnist.json"
PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null || fail "python3 is needed by the e2e tests"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gencli-e2e-$E2E_NAME.XXXXXX")
E2E_BG_PIDS=()
_e2e_cleanup() {
  local rc=$? pid
  for pid in "${E2E_BG_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if [ "${E2E_KEEP:-0}" = 1 ]; then
    printf '[%s] kept %s\n' "$E2E_NAME" "$WORK" >&2
  else
    cd / && rm -rf "$WORK"
  fi
  exit "$rc"
}
trap _e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$WORK"
SECONDS=0

# Small, fast GAN settings; callers add data.root, steps and the like.
# shellcheck disable=SC2034 # used by the scripts that source this file
TINY_GAN=(--config "$SOURCE_DIR/configs/gan_mnist.json"
  --set model.g_hidden=[32] --set model.d_hidden=[32]
  --set train.batch_size=16 --set train.log_every=10
  --set train.checkpoint_every=20 --set train.sample_every=20)

describe_rc() {  # exit status -> words
  local rc=$1
  if [ "$rc" -gt 128 ]; then
    printf '%s (killed by signal %s: %s)' "$rc" "$((rc - 128))" "$(kill -l "$((rc - 128))" 2>/dev/null || echo '?')"
  else
    printf '%s' "$rc"
  fi
}

# run LABEL CMD...: runs CMD, stdout -> LABEL.out, stderr -> LABEL.err (in $WORK), status -> $RC.
run() {
  local label=$1
  shift
  RC=0
  "$@" >"$WORK/$label.out" 2>"$WORK/$label.err" || RC=$?
}

_show_output() {
  local label=$1
  printf '  stdout (last lines):\n' >&2
  tail -n 5 "$WORK/$label.out" | sed 's/^/    /' >&2 || true
  printf '  stderr (last lines):\n' >&2
  tail -n 8 "$WORK/$label.err" | sed 's/^/    /' >&2 || true
}

# expect_exit CODE LABEL CMD...: runs CMD like run and fails unless it exits with exactly CODE.
expect_exit() {
  local want=$1 label=$2
  shift 2
  run "$label" "$@"
  if [ "$RC" -ne "$want" ]; then
    printf '[%s] command: %s\n' "$E2E_NAME" "$*" >&2
    _show_output "$label"
    fail "$label: expected exit status $want, got $(describe_rc "$RC")"
  fi
}
ok() { expect_exit 0 "$@"; }

# assert_contains FILE TEXT [WHAT]: FILE contains TEXT literally.
assert_contains() {
  local file=$1 text=$2 what=${3:-$1}
  if ! grep -qF -- "$text" "$file"; then
    printf '  %s (last lines):\n' "$file" >&2
    tail -n 8 "$file" | sed 's/^/    /' >&2 || true
    fail "$what does not contain: $text"
  fi
}

# assert_error FILE TEXT: stderr FILE holds exactly one "error ..." line, and it contains TEXT.
assert_error() {
  local file=$1 text=$2 n
  n=$(grep -c '^error' "$file" || true)
  [ "$n" -eq 1 ] || { sed 's/^/    /' "$file" | tail -n 8 >&2; fail "$file: expected exactly one error line on stderr, got $n"; }
  grep '^error' "$file" | grep -qF -- "$text" || { grep '^error' "$file" | sed 's/^/    /' >&2; fail "the error message does not contain: $text"; }
}

assert_file() { [ -f "$1" ] || fail "expected file $1 to exist"; }
assert_no_file() { [ ! -e "$1" ] || fail "expected $1 not to exist"; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# make_fixture DIR [make_idx_fixture options...]
make_fixture() {
  local dir=$1
  shift
  run "fixture-$(basename "$dir")" "$MAKE_IDX_FIXTURE" "$dir" "$@"
  [ "$RC" -eq 0 ] || { _show_output "fixture-$(basename "$dir")"; fail "make_idx_fixture $dir $* failed ($RC)"; }
}

# need_python_tools MODULE...: sets TOOLS to the python of scripts/install_python_tools.sh
# (CTest passes it as PYTHON_TOOLS) when it imports every MODULE; otherwise the script is
# skipped (exit 77, which CTest reports as skipped).
need_python_tools() {
  TOOLS=${PYTHON_TOOLS:-}
  local imports
  imports=$(IFS=,; echo "$*")
  if [ -z "$TOOLS" ] || ! "$TOOLS" -W ignore -c "import $imports" 2>/dev/null; then
    say "SKIP: no Python with $* (scripts/install_python_tools.sh installs them)"
    exit 77
  fi
}

# json_get FILE PYTHON_EXPR: prints EXPR evaluated with d = the parsed JSON of FILE.
json_get() {
  "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# last_metrics RUN_DIR: the last line of RUN_DIR/metrics.jsonl.
# The major version of the LibTorch line $GENCLI was built against (1 or 2), from `gencli info`.
torch_major() { "$GENCLI" info 2>/dev/null | sed -n 's/^LibTorch *\([0-9]*\)\..*/\1/p'; }

# npy_close A B TOL: two float32 .npy files hold the same shape and values within TOL (absolute).
npy_close() {
  "$PYTHON" - "$@" <<'PY'
import ast, struct, sys
def load(path):
    b = open(path, "rb").read()
    n = struct.unpack("<H", b[8:10])[0]
    h = ast.literal_eval(b[10:10 + n].decode("latin1"))
    assert h["descr"] == "<f4", h
    data = b[10 + n:]
    return h["shape"], struct.unpack(f"<{len(data) // 4}f", data)
(sa, a), (sb, bb), tol = load(sys.argv[1]), load(sys.argv[2]), float(sys.argv[3])
if sa != sb:
    sys.exit(f"shapes differ: {sa} vs {sb}")
worst = max(abs(x - y) for x, y in zip(a, bb))
print(f"    largest difference {worst:.2e} (tolerance {tol:g})")
sys.exit(0 if worst <= tol else 1)
PY
}

last_metrics() { tail -n 1 "$1/metrics.jsonl"; }

# png_size FILE: prints "WIDTH HEIGHT" from the IHDR chunk (bytes 16..23, big endian).
png_size() {
  local b
  read -r -a b <<<"$(od -An -tu1 -j16 -N8 "$1")"
  [ "${#b[@]}" -eq 8 ] || fail "$1: too short to be a PNG"
  printf '%d %d\n' $(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3])) \
    $(((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]))
}

# png_text FILE KEY: prints the value of the tEXt chunk KEY (fails if absent). Checks the PNG
# signature and every chunk's CRC on the way.
png_text() {
  "$PYTHON" - "$1" "$2" <<'EOF'
import struct, sys, zlib
path, key = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"{path}: not a PNG (bad signature)")
pos, found = 8, None
while pos + 8 <= len(data):
    length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    crc = data[pos + 8 + length:pos + 12 + length]
    if len(body) != length or len(crc) != 4:
        sys.exit(f"{path}: truncated {ctype!r} chunk")
    if struct.unpack(">I", crc)[0] != zlib.crc32(ctype + body) & 0xffffffff:
        sys.exit(f"{path}: bad CRC in {ctype!r} chunk")
    if ctype == b"tEXt":
        k, _, v = body.partition(b"\0")
        if k.decode("latin-1") == key and found is None:
            found = v.decode("latin-1")
    pos += 12 + length
    if ctype == b"IEND":
        break
else:
    sys.exit(f"{path}: no IEND chunk")
if found is None:
    sys.exit(f"{path}: no tEXt chunk {key!r}")
print(found)
EOF
}

# start_bg LABEL CMD...: starts CMD in the background (stdout/stderr to LABEL.out/.err); sets BG_PID.
start_bg() {
  local label=$1
  shift
  "$@" >"$WORK/$label.out" 2>"$WORK/$label.err" &
  BG_PID=$!
  E2E_BG_PIDS+=("$BG_PID")
}

# wait_for_file PATH PID TIMEOUT_S: waits until PATH exists; fails if PID exits first or on timeout.
wait_for_file() {
  local path=$1 pid=$2 timeout=$3 i
  for ((i = 0; i < timeout * 20; i++)); do
    [ -e "$path" ] && return 0
    kill -0 "$pid" 2>/dev/null || fail "process $pid ended before $path appeared"
    sleep 0.05
  done
  fail "$path did not appear within ${timeout}s"
}

# wait_rc PID: waits for PID and sets RC to its exit status.
wait_rc() {
  RC=0
  wait "$1" 2>/dev/null || RC=$?
}

# soft CMD...: runs a check (a function that calls fail) in a subshell; a failure is reported and
# remembered, and the script goes on so that one run shows every failing case. finish exits 1.
E2E_FAILED=()
soft() {
  if ! ("$@"); then
    E2E_FAILED+=("$(printf '%s ' "${@:1:3}")")
  fi
}

# bad_flag LABEL TEXT CMD...: a command-line parse error: exit 2 and TEXT on stderr.
_bad_flag() {
  local label=$1 text=$2
  shift 2
  check "$label -> exit 2, stderr mentions: $text"
  expect_exit 2 "$label" "$@"
  assert_contains "$WORK/$label.err" "$text" "stderr of $label"
}
bad_flag() { soft _bad_flag "$@"; }

finish() {
  if [ "${#E2E_FAILED[@]}" -gt 0 ]; then
    printf '[%s] FAIL: %d check(s) failed (%ss):\n' "$E2E_NAME" "${#E2E_FAILED[@]}" "$SECONDS" >&2
    printf '    %s\n' "${E2E_FAILED[@]}" >&2
    exit 1
  fi
  say "PASS (${SECONDS}s)"
}
