#!/usr/bin/env bash
# Runtime tuning (gencli re-executes itself with OMP_WAIT_POLICY / OPENBLAS_CORETYPE /
# GLIBC_TUNABLES for glibc's allocator): reported by
# `info` and summary.json, never overrides the user's own settings, and does not change results.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The user's environment must not leak into the "default" cases.
unset OMP_WAIT_POLICY OPENBLAS_CORETYPE GENCLI_TUNING GENCLI_TUNED GLIBC_TUNABLES MALLOC_MMAP_THRESHOLD_ \
  MALLOC_TRIM_THRESHOLD_ MALLOC_TOP_PAD_

say "gencli info"
ok info "$GENCLI" info
sed 's/^/    /' "$WORK/info.out"
# Debian's LibTorch uses the system's OpenBLAS, whose kernels gencli tunes; the pip wheel's
# carries MKL inside, which OPENBLAS_CORETYPE does not touch.
openblas=$(grep -Eq '^BLAS +OpenBLAS' "$WORK/info.out" && echo yes || echo no)
grep -Eq '^tuning +[^ ]' "$WORK/info.out" || fail "info: no 'tuning ...' line"
if [ "$openblas" = yes ]; then
  check "info has a BLAS line with the kernel and a tuning line"
  grep -Eq '^BLAS +.*kernels [A-Za-z0-9]+' "$WORK/info.out" || fail "info: no 'BLAS ... kernels NAME' line"

  say "OPENBLAS_CORETYPE=Haswell set by the user"
  ok info_haswell env OPENBLAS_CORETYPE=Haswell "$GENCLI" info
  check "info reports kernels Haswell (never overridden)"
  grep -Eq '^BLAS +.*kernels Haswell$' "$WORK/info_haswell.out" ||
    fail "info with OPENBLAS_CORETYPE=Haswell: $(grep '^BLAS ' "$WORK/info_haswell.out")"
  if grep '^tuning' "$WORK/info_haswell.out" | grep -q OPENBLAS_CORETYPE; then
    fail "info with OPENBLAS_CORETYPE=Haswell still tunes OPENBLAS_CORETYPE: $(grep '^tuning' "$WORK/info_haswell.out")"
  fi
  best=$(sed -n 's/^CPU kernels *best OpenBLAS match: //p' "$WORK/info.out")
  check "info advises unsetting OPENBLAS_CORETYPE=Haswell only where this CPU runs better kernels ($best)"
  if [ "$best" = SkylakeX ]; then
    grep -Eq '^advice +OPENBLAS_CORETYPE=Haswell .*holds OpenBLAS to Haswell kernels; this CPU runs SkylakeX' \
      "$WORK/info_haswell.out" || fail "no advice with OPENBLAS_CORETYPE=Haswell on a SkylakeX CPU"
  elif grep -q '^advice' "$WORK/info_haswell.out"; then
    fail "advice on a CPU whose best kernels are '$best': $(grep '^advice' "$WORK/info_haswell.out")"
  fi
  if [ "$best" = SkylakeX ] || [ "$best" = Haswell ]; then
    ok info_prescott env OPENBLAS_CORETYPE=Prescott "$GENCLI" info
    grep -Eq "^advice +OPENBLAS_CORETYPE=Prescott .*this CPU runs $best kernels" "$WORK/info_prescott.out" ||
      fail "no advice with OPENBLAS_CORETYPE=Prescott on a $best CPU"
  fi
  if grep -q '^advice' "$WORK/info.out"; then fail "advice without OPENBLAS_CORETYPE: $(grep '^advice' "$WORK/info.out")"; fi
else
  check "without OpenBLAS, info names LibTorch's BLAS and OPENBLAS_CORETYPE is never tuned"
  grep -Eq '^BLAS +[a-z]+.*does not apply' "$WORK/info.out" || fail "info: $(grep '^BLAS' "$WORK/info.out")"
  if grep '^tuning' "$WORK/info.out" | grep -q OPENBLAS_CORETYPE; then
    fail "OPENBLAS_CORETYPE tuned for a LibTorch without OpenBLAS: $(grep '^tuning' "$WORK/info.out")"
  fi
fi

if getconf GNU_LIBC_VERSION >/dev/null 2>&1; then
  check "on glibc, info reports the allocator's settings (GLIBC_TUNABLES with glibc.malloc.*)"
  grep -Eq '^tuning +.*GLIBC_TUNABLES=[^,]*glibc\.malloc\.mmap_threshold=' "$WORK/info.out" ||
    fail "info: no GLIBC_TUNABLES with glibc.malloc settings in: $(grep '^tuning' "$WORK/info.out")"

  say "the user's own GLIBC_TUNABLES (not malloc's) are kept, malloc's own settings are never overridden"
  ok info_rtld env GLIBC_TUNABLES=glibc.rtld.nns=3 "$GENCLI" info
  check "glibc.rtld.nns=3 kept in front of gencli's malloc settings"
  grep -Eq '^tuning +.*GLIBC_TUNABLES=glibc\.rtld\.nns=3:glibc\.malloc\.' "$WORK/info_rtld.out" ||
    fail "info with GLIBC_TUNABLES=glibc.rtld.nns=3: $(grep '^tuning' "$WORK/info_rtld.out")"
  ok info_malloc env GLIBC_TUNABLES=glibc.malloc.trim_threshold=12345678 "$GENCLI" info
  ok info_malloc_env env MALLOC_MMAP_THRESHOLD_=262144 "$GENCLI" info
  check "with the user's glibc.malloc tunable or MALLOC_MMAP_THRESHOLD_, no GLIBC_TUNABLES is tuned"
  for f in info_malloc info_malloc_env; do
    if grep '^tuning' "$WORK/$f.out" | grep -q GLIBC_TUNABLES; then
      fail "$f: the user's malloc setting was overridden: $(grep '^tuning' "$WORK/$f.out")"
    fi
  done
fi

say "GENCLI_TUNING=off"
ok info_off env GENCLI_TUNING=off "$GENCLI" info
check "info says no tuning was applied"
if grep '^tuning' "$WORK/info_off.out" | grep -Eq 'OMP_WAIT_POLICY|OPENBLAS_CORETYPE|GLIBC_TUNABLES'; then
  fail "GENCLI_TUNING=off but: $(grep '^tuning' "$WORK/info_off.out")"
fi

make_fixture fx
# Hidden width 256 and batch 64: with the 32-wide/batch-16 model every BLAS kernel gives bit-identical
# results (the products are too small to expose the kernels' rounding), so the comparison would prove nothing.
GAN=("${TINY_GAN[@]}" --set data.root="$WORK/fx" --set train.steps=30 --set train.checkpoint_every=30
  --set train.sample_every=0 --set model.g_hidden=[256] --set model.d_hidden=[256] --set train.batch_size=64
  --threads 1 --device cpu)

say "OMP_WAIT_POLICY=active set by the user: train 30 steps"
ok train_active env OMP_WAIT_POLICY=active "$GENCLI" train "${GAN[@]}" --out R_active
check "summary.json has tuning and blas; tuning does not mention OMP_WAIT_POLICY"
tuning=$(json_get R_active/summary.json 'd["tuning"]')
blas=$(json_get R_active/summary.json 'd["blas"]')
echo "    tuning='$tuning' blas='$blas'"
case "$tuning" in *OMP_WAIT_POLICY*) fail "summary.json tuning overrides the user's OMP_WAIT_POLICY: '$tuning'" ;; esac
[ -n "$blas" ] || fail "summary.json: empty blas"

say "same 30-step run three ways: tuned (default), GENCLI_TUNING=off, OPENBLAS_CORETYPE=Prescott GENCLI_TUNING=off"
ok train_tuned "$GENCLI" train "${GAN[@]}" --out R_tuned
ok train_off env GENCLI_TUNING=off "$GENCLI" train "${GAN[@]}" --out R_off
ok train_sse3 env OPENBLAS_CORETYPE=Prescott GENCLI_TUNING=off "$GENCLI" train "${GAN[@]}" --out R_sse3
check "summary.json records the tuning and the BLAS kernels"
for r in R_tuned R_off R_sse3; do
  echo "    $r: tuning='$(json_get $r/summary.json 'd["tuning"]')' blas='$(json_get $r/summary.json 'd["blas"]')'"
done
case "$(json_get R_off/summary.json 'd["tuning"]')" in
  *OMP_WAIT_POLICY* | *OPENBLAS_CORETYPE* | *GLIBC_TUNABLES*) fail "GENCLI_TUNING=off, yet summary.json tuning is set" ;;
esac
if [ "$openblas" = yes ]; then
  case "$(json_get R_sse3/summary.json 'd["blas"]')" in
    *Prescott*) ;;
    *) fail "R_sse3/summary.json blas does not say Prescott: $(json_get R_sse3/summary.json 'd["blas"]')" ;;
  esac
fi
check "loss_d and loss_g of the last logged step agree within 1e-3 (relative) across the three"
"$PYTHON" - R_tuned R_off R_sse3 <<'EOF'
import itertools, json, sys
last = {}
for run in sys.argv[1:]:
    rows = [json.loads(l) for l in open(f"{run}/metrics.jsonl") if l.strip()]
    last[run] = rows[-1]
    r = rows[-1]
    print(f"    {run:8s} step {r['step']}  loss_d {r['loss_d']:.9f}  loss_g {r['loss_g']:.9f}")
bad = []
steps = {r["step"] for r in last.values()}
if steps != {30}:
    bad.append(f"last logged steps are {sorted(steps)}, expected 30")
for (a, ra), (b, rb) in itertools.combinations(last.items(), 2):
    for k in ("loss_d", "loss_g"):
        x, y = ra[k], rb[k]
        rel = abs(x - y) / max(abs(x), abs(y), 1e-12)
        if rel > 1e-3:
            bad.append(f"{k}: {a}={x} vs {b}={y} (relative difference {rel:.2e})")
if bad:
    sys.exit("results depend on the tuning: " + "; ".join(bad))
if last["R_off"] == last["R_sse3"] or all(last["R_off"][k] == last["R_sse3"][k] for k in ("loss_d", "loss_g")):
    print("    note: Prescott and the default kernels gave bit-identical losses")
else:
    print("    (Prescott differs from the default kernels only by rounding, as expected)")
EOF

finish
