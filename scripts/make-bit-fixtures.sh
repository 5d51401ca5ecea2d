#!/bin/sh
# Writes the bit-for-bit fixtures of test/train/bit_fixtures.gpu.test.ts: a few small runs on each
# backend, with their metrics.csv, config.json and tensors. Run it with the CLI of the code to
# pin (a checkout's bin/shallow-gd.mjs, after `npm run build:cli` there):
#   sh scripts/make-bit-fixtures.sh /path/to/checkout/bin/shallow-gd.mjs test/fixtures/bits
# Each run's command is written beside its files (command.txt). With TAG set (e.g.
#   TAG=lavapipe VK_ICD_FILENAMES=/tmp/shallow-gd-lavapipe/lvp.json sh scripts/make-bit-fixtures.sh …)
# it makes only the WebGPU runs, on the adapter the environment gives, as NAME-webgpu-TAG.
set -eu
cli=$1
out=$2
tag=${TAG:-}
backends=${tag:+webgpu}
run() {
  name=$1; shift
  for backend in ${backends:-cpu webgpu}; do
    dir="$out/$name-$backend${tag:+-$tag}"
    rm -rf "$dir"
    node "$cli" train "$@" --backend "$backend" --save-tensors --json --out "$dir" > "$dir.summary.json" 2> "$dir.stderr" || true
    echo "train $* --backend $backend --save-tensors --json --out DIR" > "$dir/command.txt"
    grep "^backend:" "$dir.stderr" | sed "s/^backend: //; s/ (software.*//" > "$dir/adapter.txt" || true
    rm -f "$dir.summary.json" "$dir.stderr"
  done
}
# Automatic rates, both instruments, log every 25 steps.
run auto-instruments --n 32 --d 8 --m 64 --steps 300 --log-every 25 --spectrum=true --linearized=true --rate-factor 0.5 --seed 3
# Non-multiple-of-4 d, teacher labels, several neuron blocks, the simple kernels.
run teacher-blocks --n 40 --d 10 --m 80 --steps 250 --labels teacher:8 --block-neurons 16 --kernel forward=simple,backward=simple,residual=wide --rate-factor 0.5 --seed 5
# The du preset (ntk, sphere, frozen ±1 output) with adversarial labels, log-spaced rows.
run du-adversarial --preset du --n 24 --d 6 --m 96 --steps 400 --labels adversarial --rate-factor 0.5 --seed 7
# Converges (stops at eps) with gaussian labels.
run converges --n 16 --d 8 --m 128 --steps 3000 --labels gaussian --eps 1e-4 --rate-factor 0.5 --seed 11
# Diverges after a few steps: given rates past the edge of stability.
run diverges --n 16 --d 8 --m 128 --steps 200 --labels gaussian --eta-w 0.02 --eta-a 0.01 --rate-factor 0.5 --seed 11
