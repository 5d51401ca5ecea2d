#!/bin/sh
# Runs on a lent NVIDIA machine, from the repository root, with .gl/ and dist-cli/ carried
# (made by scripts/device/prepare.sh): unpacks the loaders, Node and the runtime modules, then
# shallow-gd's benchmark (TensorFlow.js and the float64 reference as same-run peers) and the
# same step in PyTorch, and joins the two. Every report goes to $OUT.
#   sh scripts/device/bench.sh            the grid of docs/BENCHMARKS.md (at most 9 minutes: run it with timeout_s 600)
#   sh scripts/device/bench.sh --quick    the harness's tiny grid (a check of the setup)
# VK_DRIVER_FILES defaults to NVIDIA's ICD; to try the script on a machine that has its own
# Vulkan loader, set it to another driver's and DEB_ROOT to a scratch folder (the loaders are
# unpacked into / on the lent machine, where ldconfig then finds them).
set -u
OUT=${OUT:?set OUT to a folder for the reports}
for f in .gl/*.deb; do dpkg -x "$f" "${DEB_ROOT:-/}"; done
ldconfig
mkdir -p /tmp/node-bin
xz -dc .gl/node.xz > /tmp/node-bin/node && chmod +x /tmp/node-bin/node
export PATH="/tmp/node-bin:$PATH"
[ -d node_modules/webgpu ] || tar -xJf .gl/node_modules.tar.xz
export VK_DRIVER_FILES="${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}"
LOG="$OUT/log.txt"
(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true) > "$LOG" 2>&1
if [ "${1:-}" = "--quick" ]; then
  node bin/shallow-gd.mjs bench --quick --json "$OUT/bench.json" --md "$OUT/bench.md" 2>> "$LOG"
  exit $?
fi
# Each part has its own time limit (the reports are written after every size), so that one
# slow part cannot take the others' time: 10 minutes in all.
SIZES=1024x128x2^10..2^20,256x16x2^12..2^16,4096x16x2^18
timeout 300 node bin/shallow-gd.mjs bench --sizes "$SIZES" --max-step-seconds 0.5 \
  --json "$OUT/bench.json" --md "$OUT/bench.md" 2>> "$LOG"
echo "bench exit $?" >> "$LOG"
# forward=tiled is opt-in until this comparison shows it faster (src/gpu/variants.ts).
timeout 75 node bin/shallow-gd.mjs bench --sizes 1024x128x16384,1024x128x2^18,256x16x65536,4096x16x2^18 --no-tfjs \
  --kernel forward=tiled --json "$OUT/forward-tiled.json" --md "$OUT/forward-tiled.md" 2>> "$LOG"
echo "forward=tiled exit $?" >> "$LOG"
# The CPU drivers' defaults against the GPU's, read from the per-kernel table: backward=masked
# against the tiled backward (where its mask fits, n ≤ 32·d), residual=narrow against wide.
timeout 60 node bin/shallow-gd.mjs bench --sizes 1024x128x16384,1024x128x2^18,256x16x65536 --no-tfjs \
  --kernel backward=masked,residual=narrow --json "$OUT/backward-masked.json" --md "$OUT/backward-masked.md" 2>> "$LOG"
echo "backward=masked exit $?" >> "$LOG"
PYTHONUNBUFFERED=1 timeout 100 python3 scripts/bench_torch.py --sizes "$SIZES" --max-step-seconds 0.3 --json "$OUT/torch.json" >> "$LOG" 2>&1
node scripts/side_by_side.mjs "$OUT/bench.json" "$OUT/torch.json" > "$OUT/side_by_side.md" 2>> "$LOG"
cat "$OUT/bench.md" "$OUT/forward-tiled.md" "$OUT/backward-masked.md" "$OUT/side_by_side.md"
