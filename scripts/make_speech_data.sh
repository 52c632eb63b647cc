#!/usr/bin/env bash
# Usage: scripts/make_speech_data.sh OUT_DIR
# Spoken digits without the internet: Debian's espeak-ng says "zero" .. "nine" in several
# voices, speeds and pitches, and sox turns each into what data.type audio_folder reads:
#   OUT_DIR/<digit>_<word>/<voice>_<speed>_<pitch>.wav   mono 16-bit PCM, 16 kHz,
# with the silence before and after the word trimmed and the peak at -1 dBFS. The ten folders
# are the classes, named 0_zero .. 9_nine so that their sorted order (audio_folder's labels)
# is the digit: label 3 is "three". A config needs data.num_classes 10, data.sample_rate 16000.
#
# Installs espeak-ng and sox if missing (scripts/install_deps.sh). Idempotent: a complete
# OUT_DIR (SOURCE.txt is written last) made with the same settings is left alone; an
# interrupted run resumes, each file appearing whole or not at all.
set -euo pipefail

die() { echo "make_speech_data: error: $*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: $0 OUT_DIR"
out=$1
repo=$(cd "$(dirname "$0")/.." && pwd)

words=(zero one two three four five six seven eight nine)
# espeak-ng's own English voices (accents) with some of its voice variants (+f = female,
# +m = male timbres); the mbrola voices it lists need extra packages and are not used.
voices=(en-us en-us+f3 en-us+m3 en-gb+f2 en-gb-x-rp en-gb-scotland en-gb-x-gbclan+f4 en-029+m7)
speeds=(130 155 180)  # words per minute (espeak-ng's default is 175)
pitches=(35 65)       # 0-99 (default 50)
rate=16000
settings="voices=${voices[*]} speeds=${speeds[*]} pitches=${pitches[*]} rate=$rate"
per_word=$(( ${#voices[@]} * ${#speeds[@]} * ${#pitches[@]} ))
total=$(( per_word * ${#words[@]} ))

if [[ -f $out/SOURCE.txt ]]; then
    grep -qxF "settings: $settings" "$out/SOURCE.txt" \
        || die "$out was made with other settings (see $out/SOURCE.txt); remove it or choose another folder"
    echo "make_speech_data: $out is already complete ($total WAV files, $per_word per word); nothing to do"
    exit 0
fi

"$repo/scripts/install_deps.sh" espeak-ng sox >/dev/null
mkdir -p "$out" || die "cannot create $out"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

SECONDS=0
made=0
for digit in "${!words[@]}"; do
    word=${words[$digit]}
    folder=$out/${digit}_$word
    mkdir -p "$folder"
    for voice in "${voices[@]}"; do
        for speed in "${speeds[@]}"; do
            for pitch in "${pitches[@]}"; do
                dest=$folder/${voice}_${speed}_${pitch}.wav
                [[ -f $dest ]] && continue
                # espeak-ng always writes 22050 Hz. sox: trim silence (below 0.5% for 10 ms)
                # at the start, and at the end by trimming the reversed sound; peak to -1 dB;
                # resample; write 16-bit mono PCM. The temp name keeps half-files out of OUT_DIR.
                espeak-ng -v "$voice" -s "$speed" -p "$pitch" -w "$scratch/raw.wav" "$word" \
                    || die "espeak-ng failed for voice $voice, word $word"
                sox "$scratch/raw.wav" -b 16 -e signed-integer -c 1 "$scratch/out.wav" \
                    silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse norm -1 rate -h "$rate" \
                    || die "sox failed on voice $voice, word $word"
                mv "$scratch/out.wav" "$dest"
                made=$((made + 1))
            done
        done
    done
done

count=$(find "$out" -mindepth 2 -name '*.wav' | wc -l)
[[ $count -eq $total ]] || die "$out holds $count WAV files, expected $total"
{
    echo "Spoken digits synthesised by scripts/make_speech_data.sh with $(espeak-ng --version | head -n1 | sed "s/ *Data at:.*//; s/ text-to-speech://")"
    echo "and $(sox --version 2>&1 | tail -n1 | sed 's/^sox: *//'); not recorded speech."
    echo "Classes: label = the digit (folders 0_zero .. 9_nine)"
    echo "$per_word files per word: voices x speeds (words/min) x pitches; mono 16-bit PCM at $rate Hz."
    echo "settings: $settings"
} > "$scratch/SOURCE.txt"
mv "$scratch/SOURCE.txt" "$out/SOURCE.txt"

seconds=$(find "$out" -mindepth 2 -name '*.wav' -print0 | xargs -0 soxi -D | awk '{s += $1} END {printf "%.2f", s / NR}')
echo "make_speech_data: made $made WAV files in ${SECONDS}s; $out has $count ($per_word per word," \
     "mean length ${seconds}s) at $rate Hz, mono 16-bit"
