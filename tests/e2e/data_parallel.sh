#!/usr/bin/env bash
# Data-parallel training on c10d (Gloo over loopback): 2 processes compute what 1 does at the
# same global batch (GAN, classifier, GPT without dropout, diffusion), a 2-process run resumes
# with 1 and with 3, two launchers with --nnodes 2 train one model, torchrun launches the same
# binary, a killed process ends the other with one line naming it and leaves a checkpoint that
# resumes, and half-set environments, indivisible batches and differing data are refused.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

make_fixture fx
same_weights() {  # A B: the two checkpoints' weights agree within 1e-5 relative
  "$COMPARE_WEIGHTS" "$1" "$2" 1e-5 || fail "$1 and $2: the weights differ beyond 1e-5"
}
free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
COMMON=(--set train.sample_every=0 --set train.log_every=10 --set train.dist_timeout_s=20 --threads 1 --device cpu)
GAN=(--config "$SOURCE_DIR/configs/gan_mnist.json" --set data.root="$WORK/fx" --set model.g_hidden=[32]
  --set model.d_hidden=[32] --set train.batch_size=12 --set train.checkpoint_every=10 "${COMMON[@]}")

say "GAN: 1 process against 2 at the same global batch, 20 steps"
ok gan1 "$GENCLI" train "${GAN[@]}" --set train.steps=20 --out gan1
ok gan2 "$GENCLI" train "${GAN[@]}" --set train.steps=20 --out gan2 --nproc 2
same_weights gan1/checkpoints/last.pt gan2/checkpoints/last.pt
assert_contains "$WORK/gan2.err" "data-parallel: 2 processes"
[ "$(json_get gan2/summary.json 'd["processes"]')" = 2 ] || fail "gan2/summary.json: processes is not 2"
check "only rank 0 writes: one metrics line per logged step"
[ "$(wc -l < gan2/metrics.jsonl)" = 2 ] || fail "gan2/metrics.jsonl has $(wc -l < gan2/metrics.jsonl) lines, not 2"

say "classifier, GPT (dropout 0) and diffusion: 1 process against 2"
ok cls1 "$GENCLI" train --config "$SOURCE_DIR/configs/classifier_mnist.json" --set data.root="$WORK/fx" \
  --set model.conv_channels=[8,16] --set model.feature_dim=32 --set model.dropout=0 --set train.batch_size=16 --set train.steps=20 \
  "${COMMON[@]}" --out cls1
ok cls2 "$GENCLI" train --config "$SOURCE_DIR/configs/classifier_mnist.json" --set data.root="$WORK/fx" \
  --set model.conv_channels=[8,16] --set model.feature_dim=32 --set model.dropout=0 --set train.batch_size=16 --set train.steps=20 \
  "${COMMON[@]}" --out cls2 --nproc 2
same_weights cls1/checkpoints/last.pt cls2/checkpoints/last.pt
"$PYTHON" -c 'import random; random.seed(1); w = "the quick brown fox jumps over a lazy dog while seven wizards hum".split(); print("\n".join(" ".join(random.choice(w) for _ in range(12)) for _ in range(400)))' > text.txt
GPT=(--config "$SOURCE_DIR/configs/gpt_char.json" --set data.path="$WORK/text.txt" --set model.n_layer=1
  --set model.n_head=2 --set model.n_embd=16 --set model.block_size=16 --set model.dropout=0 --set train.batch_size=8
  --set optim.warmup_steps=0 --set train.steps=20 "${COMMON[@]}")
ok gpt1 "$GENCLI" train "${GPT[@]}" --out gpt1
ok gpt2 "$GENCLI" train "${GPT[@]}" --out gpt2 --nproc 2
same_weights gpt1/checkpoints/last.pt gpt2/checkpoints/last.pt
UNET=(--config "$SOURCE_DIR/configs/ddpm_mnist.json" --set data.root="$WORK/fx" --set model.base_channels=8
  --set model.groups=4 --set model.channel_mult=[1,2] --set model.timesteps=50 --set train.batch_size=8
  --set model.conditional=true --set train.steps=20 "${COMMON[@]}")
ok ddpm1 "$GENCLI" train "${UNET[@]}" --out ddpm1
ok ddpm2 "$GENCLI" train "${UNET[@]}" --out ddpm2 --nproc 2
same_weights ddpm1/checkpoints/last.pt ddpm2/checkpoints/last.pt

say "DCGAN (BatchNorm, EMA): 2 processes keep one model, checked at every checkpoint"
ok dcgan2 "$GENCLI" train --config "$SOURCE_DIR/configs/dcgan_mnist.json" --set data.root="$WORK/fx" \
  --set model.dcgan_width=8 --set train.batch_size=8 --set train.steps=10 --set train.checkpoint_every=5 \
  "${COMMON[@]}" --out dcgan2 --nproc 2
assert_contains "$WORK/dcgan2.err" "its running statistics are rank 0's"

say "a run checkpointed by 2 processes resumes with 1 and with 3 and ends where 1 process ends"
ok half "$GENCLI" train "${GAN[@]}" --set train.steps=10 --out r1 --nproc 2
cp -r r1 r3
ok rest1 "$GENCLI" train --resume --set train.steps=20 "${COMMON[@]}" --out r1
ok rest3 "$GENCLI" train --resume --set train.steps=20 "${COMMON[@]}" --out r3 --nproc 3
same_weights gan1/checkpoints/last.pt r1/checkpoints/last.pt
same_weights gan1/checkpoints/last.pt r3/checkpoints/last.pt

say "two launchers with --nnodes 2 on 127.0.0.1 train one model"
port=$(free_port)
"$GENCLI" train "${GAN[@]}" --set train.steps=20 --out nodes --nproc 1 --nnodes 2 --node-rank 1 \
  --master-addr 127.0.0.1 --master-port "$port" >node1.out 2>node1.err &
node1=$!
ok node0 "$GENCLI" train "${GAN[@]}" --set train.steps=20 --out nodes --nproc 1 --nnodes 2 --node-rank 0 \
  --master-addr 127.0.0.1 --master-port "$port"
wait "$node1" || fail "the node-rank 1 launcher failed: $(tail -n 3 node1.err)"
same_weights gan1/checkpoints/last.pt nodes/checkpoints/last.pt

if command -v torchrun >/dev/null; then
  say "torchrun launches the same binary (Debian's torchrun needs --redirects 1 --tee 1 under Python 3.11)"
  ok torchrun torchrun --standalone --nproc_per_node 2 --redirects 1 --tee 1 --no_python \
    "$GENCLI" train "${GAN[@]}" --set train.steps=20 --out tr
  same_weights gan1/checkpoints/last.pt tr/checkpoints/last.pt
else
  say "torchrun is not installed (Debian's python3-torch): its run is skipped"
fi

say "kill -9 of one process: the other exits non-zero within the timeout, naming it; the checkpoint resumes"
launch_rank() {  # RANK: one process of a 2-process run into killed/, as torchrun would start it
  RANK=$1 WORLD_SIZE=2 LOCAL_RANK=$1 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port \
    "$GENCLI" train "${GAN[@]}" --set train.steps=100000 --set train.checkpoint_every=20 \
    --set train.dist_timeout_s=15 --out killed >"rank$1.out" 2>"rank$1.err" &
}
# fault_rank1 SIGNAL LIMIT: starts a 2-process run, sends rank 1 SIGNAL once a checkpoint is
# written, and checks that rank 0 exits 4 within LIMIT seconds with one line naming rank 1.
fault_rank1() {
  local signal=$1 limit=$2 rank0 rank1 start rc=0
  rm -rf killed
  port=$(free_port)
  launch_rank 0
  rank0=$!
  launch_rank 1
  rank1=$!
  for _ in $(seq 300); do [ -f killed/checkpoints/last.pt ] && break; sleep 0.1; done
  assert_file killed/checkpoints/last.pt
  kill "-$signal" "$rank1"
  start=$SECONDS
  wait "$rank0" || rc=$?
  kill -9 "$rank1" 2>/dev/null || true
  [ "$rc" = 4 ] || fail "rank 0 exited with $rc after SIG$signal to rank 1, not 4: $(tail -n 3 rank0.err)"
  [ $((SECONDS - start)) -le "$limit" ] || fail "rank 0 took $((SECONDS - start)) s to give up (timeout 15 s)"
  assert_error rank0.err "rank 1 stopped (died or hung)"
}
fault_rank1 KILL 25
ok eval_killed "$GENCLI" eval --checkpoint killed/checkpoints/last.pt --device cpu --json
saved=$(json_get "$WORK/eval_killed.out" 'd["step"]')
ok resume_killed "$GENCLI" train --resume --set train.steps=$((saved + 10)) "${COMMON[@]}" --out killed

say "a process that hangs (SIGSTOP): the other gives up after train.dist_timeout_s, naming it"
fault_rank1 STOP 30

say "SIGTERM to the launcher stops both processes at one step; rank 0 saves it; exit 130"
"$GENCLI" train "${GAN[@]}" --set train.steps=100000 --set train.checkpoint_every=50000 --out stopped --nproc 2 \
  >stopped.out 2>stopped.err &
launcher=$!
for _ in $(seq 300); do grep -q "step 10/" stopped.err 2>/dev/null && break; sleep 0.1; done
kill -TERM "$launcher"
rc=0
wait "$launcher" || rc=$?
[ "$rc" = 130 ] || fail "the launcher exited with $rc after SIGTERM, not 130: $(tail -n 3 stopped.err)"
assert_contains stopped.err "checkpoint saved to"
ok eval_stopped "$GENCLI" eval --checkpoint stopped/checkpoints/last.pt --device cpu --json
[ "$(json_get "$WORK/eval_stopped.out" 'd["step"]')" -ge 10 ] || fail "the checkpoint saved on SIGTERM is not past step 10"

say "bad launches are refused with one line and nothing written"
RANK=0 WORLD_SIZE=2 expect_exit 2 halfenv "$GENCLI" train "${GAN[@]}" --set train.steps=5 --out bad
assert_error "$WORK/halfenv.err" "RANK, WORLD_SIZE set but not MASTER_ADDR, MASTER_PORT"
assert_no_file bad
expect_exit 2 indivisible "$GENCLI" train "${GAN[@]}" --set train.batch_size=10 --set train.steps=5 --out bad --nproc 3
assert_contains "$WORK/indivisible.err" "train.batch_size: 10 does not divide among 3 processes"
assert_no_file bad
port=$(free_port)
RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port expect_exit 4 alone "$GENCLI" train "${GAN[@]}" \
  --set train.dist_timeout_s=3 --set train.steps=5 --out bad
assert_error "$WORK/alone.err" "rank 0: only 1 of 2 processes joined at 127.0.0.1:$port within train.dist_timeout_s (3 s)"
assert_no_file bad
make_fixture fx2 --train 256
port=$(free_port)
RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port "$GENCLI" train "${GAN[@]}" --set data.root="$WORK/fx2" \
  --set train.steps=5 --out mixed >mixed1.out 2>mixed1.err &
mixed1=$!
RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$port expect_exit 4 mixed0 "$GENCLI" train "${GAN[@]}" \
  --set train.steps=5 --out mixed
wait "$mixed1" || true
assert_error "$WORK/mixed0.err" "rank 1 reads other training data than rank 0"
assert_no_file mixed/checkpoints/last.pt
say "ok (${SECONDS} s)"
