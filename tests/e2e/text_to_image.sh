#!/usr/bin/env bash
# Text to image from the command line, on a tiny budget: an autoencoder and a text-conditional
# latent diffusion model train on canvases; samples come for a prompt, for a prompts file (one
# row each) and with a negative prompt; text-guided inpainting edits a region; eval --features
# judges prompt adherence, with the judge itself checked on real canvases (near 100 %) and on
# shuffled captions (near chance); a captioned image folder trains in pixel space; bad prompts
# and configs fail with one line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

say "fixture, a classifier for the judge, and a tiny autoencoder"
make_fixture fx --train 1024 --test 256
COMMON=(--set data.root="$WORK/fx" --threads 1 --device cpu)
ok cls "$GENCLI" train --config "$SOURCE_DIR/configs/classifier_mnist.json" "${COMMON[@]}" \
  --set model.conv_channels=[8,16] --set model.feature_dim=32 --set train.batch_size=32 --set train.steps=150 \
  --set train.checkpoint_every=150 --out C
ok ae "$GENCLI" train --config "$SOURCE_DIR/configs/autoencoder_canvas.json" "${COMMON[@]}" --set data.canvas_count=32 \
  --set model.base_channels=8 --set model.channel_mult=[1,2,2] --set model.latent_channels=2 --set train.batch_size=8 \
  --set train.steps=30 --set train.checkpoint_every=30 --set optim.lr=0.002 --out AE

T2I=(--config "$SOURCE_DIR/configs/t2i_canvas.json" "${COMMON[@]}" --set data.canvas_count=64
  --set model.latent_autoencoder="$WORK/AE/checkpoints/last.pt" --set model.base_channels=8 --set model.text_width=16
  --set model.text_layers=1 --set model.timesteps=50 --set model.beta_end=0.3 --set model.sample_steps=4
  --set train.batch_size=8 --set train.log_every=10 --set train.checkpoint_every=10 --set train.sample_every=10
  --set sample.num=4 --set sample.nrow=2 --set optim.schedule=constant)

say "train 20 steps; the grids during training draw test captions"
ok train "$GENCLI" train "${T2I[@]}" --set train.steps=20 --out T
assert_contains "$WORK/train.err" "trainable parameters" "parameter count (the frozen autoencoder is not trainable)"
[ "$(png_size T/samples/step-00000020.png)" = "118 118" ] || fail "the step-20 grid is $(png_size T/samples/step-00000020.png)"
ok trainB1 "$GENCLI" train "${T2I[@]}" --set train.steps=10 --out B
ok trainB2 "$GENCLI" train --resume --set train.steps=20 --threads 1 --device cpu --out B
la=$(grep '"step":20' T/metrics.jsonl | "$PYTHON" -c 'import json,sys; print(json.loads(sys.stdin.readline())["loss"])')
lb=$(grep '"step":20' B/metrics.jsonl | "$PYTHON" -c 'import json,sys; print(json.loads(sys.stdin.readline())["loss"])')
check "resume is exact with captions and prompt dropout: step-20 loss $la = $lb"
[ -n "$la" ] && [ "$la" = "$lb" ] || fail "step-20 loss differs: straight $la, resumed $lb"

say "init.from: a run on top of a checkpoint reads prompts with its base's BPE, whatever its own data"
ok tune "$GENCLI" train "${T2I[@]}" --set init.from="$WORK/T/checkpoints/last.pt" --set data.held_out=[] \
  --set model.text_bpe_vocab_size=300 --set train.steps=2 --out F
"$PYTHON" - T/config.json F/config.json <<'EOF2'
import json, sys
base, tuned = (json.load(open(p))["model"] for p in sys.argv[1:])
for key in ["text_tokenizer", "text_bpe_vocab", "text_bpe_merges"]:
    if base.get(key) != tuned.get(key):
        sys.exit(f"init.from: {key} differs from the base checkpoint's")
if base["text_tokenizer"] != "bpe":
    sys.exit(f"the base trained with the {base['text_tokenizer']} tokenizer, not bpe")
EOF2

CK=T/checkpoints/last.pt
say "sample for prompts"
ok one "$GENCLI" sample --checkpoint "$CK" --prompt "a 3 above a 7" --guidance 4 --num 4 --nrow 2 --out one.png --npy one.npy
[ "$(png_size one.png)" = "118 118" ] || fail "one.png is $(png_size one.png), expected 118 118"
printf 'a 3 above a 7\n\nan empty canvas\ntwo 1s on the bottom row\n' > prompts.txt
ok rows "$GENCLI" sample --checkpoint "$CK" --prompts prompts.txt --nrow 3 --out rows.png
check "--prompts: one row of --nrow images per prompt (3 prompts, blank lines skipped)"
[ "$(png_size rows.png)" = "176 176" ] || fail "rows.png is $(png_size rows.png), expected 176 176 (3 rows of 3)"
ok neg "$GENCLI" sample --checkpoint "$CK" --prompt "a 3 above a 7" --negative-prompt "an empty canvas" --guidance 4 \
  --num 4 --nrow 2 --out neg.png --npy neg.npy
cmp -s one.npy neg.npy && fail "a negative prompt changed nothing"
ok edit "$GENCLI" sample --checkpoint "$CK" --mode inpaint --mask left --prompt "a 5 in the top left" --num 4 --nrow 4 \
  --out edit.png
[ "$(png_size edit.png)" = "234 176" ] || fail "edit.png is $(png_size edit.png), expected 234 176"
grep -q '^psnr_hidden_db ' "$WORK/edit.out" || fail "inpaint printed no psnr_hidden_db line"

say "eval: denoising loss on captioned test canvases, and prompt adherence judged by the classifier"
ok eval "$GENCLI" eval --checkpoint "$CK" --features C/checkpoints/last.pt --num 60 --guidance 2.5 --json
"$PYTHON" - "$WORK/eval.out" <<'EOF2'
import json, sys
r = json.load(open(sys.argv[1]))
m, q = r["metrics"], r["sample_quality"]
real, shuffled, a = q["real_canvases"], q["real_canvases_shuffled_captions"], q["adherence"]
print(f"    judge on real canvases {100 * real['rate']:.1f} %, shuffled captions {100 * shuffled['rate']:.1f} %; "
      f"the 20-step model: seen {100 * a['seen']['rate']:.1f} % of {a['seen']['n']}, held-out "
      f"{100 * a['held_out']['rate']:.1f} % of {a['held_out']['n']}; cell FID {q.get('cell_fid')}")
if m["space"] != "latent" or not 0 < m["test_loss"] < 10:
    sys.exit(f"eval metrics {m}")
if real["n"] != 64 or real["rate"] < 0.8:
    sys.exit(f"the judge passes only {real['rate']:.2f} of real canvases with their own captions")
if shuffled["rate"] > 0.3:
    sys.exit(f"the judge passes {shuffled['rate']:.2f} of real canvases with shuffled captions")
if q.get("guidance") != 2.5:
    sys.exit(f"eval --guidance 2.5 judged samples drawn with guidance {q.get('guidance')}")
if not q["reads_prompts"] or q["samples"] != q["prompts"] * q["samples_per_prompt"]:
    sys.exit("sample counts do not add up")
if set(a["seen_by_template"]) != {"empty", "position", "above", "left_of", "count", "list"}:
    sys.exit(f"seen templates {sorted(a['seen_by_template'])}")
if a["held_out"]["n"] == 0 or "position" not in a["held_out_by_template"]:
    sys.exit("no held-out prompts were judged ('a 3 in the bottom right' is held out)")
for p in [a["all"], a["seen"], a["held_out"], real]:
    if not p["ci95_low"] <= p["rate"] <= p["ci95_high"]:
        sys.exit(f"interval {p}")
EOF2
ok evaltext "$GENCLI" eval --checkpoint "$CK" --features C/checkpoints/last.pt --num 30
assert_contains "$WORK/evaltext.out" "held-out combinations" "the adherence table"

say "captioned_folder: a user's own captioned images, text-conditional in pixel space"
"$PYTHON" - "$WORK/own" <<'EOF2'
import os, struct, sys, zlib
root = sys.argv[1]
os.makedirs(root, exist_ok=True)
def png(path, rows):
    raw = b"".join(b"\0" + bytes(r) for r in rows)
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
for i in range(40):
    top = i % 2 == 0
    rows = [[255 if (y < 8) == top else 0 for x in range(16)] for y in range(16)]
    png(f"{root}/img{i:02d}.png", rows)
    with open(f"{root}/img{i:02d}.txt", "w") as f:
        f.write("light on top\n" if top else "light below\n")
EOF2
OWN=(--config "$SOURCE_DIR/configs/t2i_canvas.json" --threads 1 --device cpu --set data.type=captioned_folder
  --set data.root="$WORK/own" --set data.image_size=16 --set data.held_out=[] --set model.latent_autoencoder=
  --set model.image_size=16 --set model.base_channels=8 --set model.text_width=16 --set model.text_layers=1
  --set model.timesteps=50 --set model.beta_end=0.3 --set model.sample_steps=4 --set train.batch_size=8
  --set train.steps=10 --set train.checkpoint_every=10 --set train.sample_every=10 --set sample.num=4
  --set sample.nrow=2)
ok own "$GENCLI" train "${OWN[@]}" --out O
assert_contains "$WORK/own.err" "captioned image folder" "the data line"
ok ownsample "$GENCLI" sample --checkpoint O/checkpoints/last.pt --prompt "light on top" --num 2 --nrow 2 --out own.png
[ "$(png_size own.png)" = "38 20" ] || fail "own.png is $(png_size own.png), expected 38 20"
rm "$WORK/own/img05.txt"
expect_exit 2 nocaption "$GENCLI" train "${OWN[@]}" --out O2
assert_error "$WORK/nocaption.err" "img05.txt"
assert_no_file O2

say "bad prompts and configs: exit 2, one line"
expect_exit 2 noprompt "$GENCLI" sample --checkpoint "$CK" --num 2 --out x.png
assert_error "$WORK/noprompt.err" "--prompt"
expect_exit 2 long "$GENCLI" sample --checkpoint "$CK" --prompt "$(printf 'x%.0s' $(seq 1 200))" --num 2 --out x.png
assert_error "$WORK/long.err" "model.text_max_tokens"
expect_exit 2 nofile "$GENCLI" sample --checkpoint "$CK" --prompts "$WORK/none.txt" --out x.png
assert_error "$WORK/nofile.err" "--prompts"
expect_exit 2 both "$GENCLI" sample --checkpoint "$CK" --prompts prompts.txt --prompt "a 1 in the top left" --out x.png
assert_error "$WORK/both.err" "--prompts"
assert_no_file x.png
expect_exit 2 notext "$GENCLI" sample --checkpoint AE/checkpoints/last.pt --prompt "a 1 in the top left" --out x.png
assert_error "$WORK/notext.err" "--prompt"
expect_exit 2 idx "$GENCLI" train "${T2I[@]}" --set data.type=idx --out I
assert_error "$WORK/idx.err" "model.text_conditional"
assert_no_file I
expect_exit 2 level "$GENCLI" train "${T2I[@]}" --set model.cross_attention_levels=[2] --out L
assert_error "$WORK/level.err" "model.cross_attention_levels"
assert_no_file L
expect_exit 2 heads "$GENCLI" train "${T2I[@]}" --set model.text_heads=3 --out H
assert_error "$WORK/heads.err" "model.text_heads"
assert_no_file H

finish
