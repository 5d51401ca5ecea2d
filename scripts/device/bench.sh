#!/bin/sh
# Runs on a lent NVIDIA machine, from the repository root, with .gl/ and dist-cli/ carried
# (made by scripts/device/prepare.sh). In order, each part with its own time limit (about 5.5
# minutes in all, so that a 15-minute lease leaves time to rerun):
#   1. correctness: a short `train` on WebGPU (today's kernels and the gemm ones) against the
#      float64 CPU reference; if it fails, no timings are taken;
#   2. the adapter's features and limits (subgroups, chromium-experimental-subgroup-matrix,
#      shader-f16, timestamp-query);
#   3. measured ceilings: fp32 torch.mm at 8192³ with TF32 off, a device-to-device copy;
#   4. the benchmark (today's choice), the gemm kernels forced, every autotuner candidate at a
#      few sizes beside its choice, the autotuner in a run, PyTorch;
#   5. the batched sweep benchmark, at issue 13's size, at a larger one, and past a workgroup's memory.
# $OUT gets three files: summary.md, log.txt and results.tar.xz (everything else).
#   sh scripts/device/bench.sh            all of it (run with timeout_s 420)
#   sh scripts/device/bench.sh --quick    the setup and the correctness check only
# VK_DRIVER_FILES defaults to NVIDIA's ICD; DEB_ROOT (default /) is where the loaders unpack.
set -u
OUT=${OUT:?set OUT to a folder for the reports}
W=$(mktemp -d)
LOG="$OUT/log.txt"
for f in .gl/*.deb; do dpkg -x "$f" "${DEB_ROOT:-/}"; done
ldconfig
mkdir -p /tmp/node-bin
xz -dc .gl/node.xz > /tmp/node-bin/node && chmod +x /tmp/node-bin/node
export PATH="/tmp/node-bin:$PATH"
[ -d node_modules/webgpu ] || tar -xJf .gl/node_modules.tar.xz
export VK_DRIVER_FILES="${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}"
export XDG_CACHE_HOME="$W/cache"
(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true) > "$LOG" 2>&1
finish() {
  tar -C "$W" -cJf "$OUT/results.tar.xz" . 2>> "$LOG"
  cat "$W"/*.md > "$OUT/summary.md" 2>/dev/null
  cat "$OUT/summary.md"
}
# shallow-gd under a time limit in seconds: sgd SECONDS COMMAND ARGS…
sgd() { t=$1; shift; timeout "$t" node bin/shallow-gd.mjs "$@" 2>> "$LOG"; }

# 1. Correctness first: the same short run on the GPU (two kernel choices) and the CPU reference.
check() {
  sgd 30 train --n 96 --d 13 --m 300 --steps 200 --log-every 20 --backend "$1" ${2:+--kernel "$2"} --out "$W/check-$3" --force >> "$LOG"
}
check cpu '' cpu && check webgpu '' gpu && check webgpu forward=gemm,backward=gemm,tile=64x64,split=2 gemm
node -e '
const fs = require("fs");
const rows = (d) => fs.readFileSync(d + "/metrics.csv", "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
const [cpu, gpu, gemm] = process.argv.slice(1).map(rows);
let worst = 0;
for (const run of [gpu, gemm]) {
  if (run.length !== cpu.length) { console.log("rows differ: " + run.length + " vs " + cpu.length); process.exit(1); }
  run.forEach((r, k) => { worst = Math.max(worst, Math.abs(r[1] - cpu[k][1]) / Math.abs(cpu[k][1])); });
}
console.log("# Correctness\n\nloss at every logged step of 200, WebGPU (default and gemm kernels) against the float64 CPU reference: worst relative difference " + worst.toExponential(2) + "\n");
process.exit(worst < 1e-3 ? 0 : 1);
' "$W/check-cpu" "$W/check-gpu" "$W/check-gemm" > "$W/0-correctness.md" 2>> "$LOG"
if [ $? -ne 0 ]; then
  echo "correctness check FAILED: no timings taken" >> "$W/0-correctness.md"
  finish
  exit 1
fi
[ "${1:-}" = "--quick" ] && { finish; exit 0; }

# 2. The adapter's features and limits.
timeout 20 node --input-type=module -e '
import { create, globals } from "webgpu";
Object.assign(globalThis, globals);
const gpu = create([]);
const a = await gpu.requestAdapter({ powerPreference: "high-performance" });
const limits = {};
for (const k in a.limits) limits[k] = a.limits[k];
const i = a.info;
const info = { vendor: i.vendor, architecture: i.architecture, device: i.device, description: i.description, subgroupMinSize: i.subgroupMinSize, subgroupMaxSize: i.subgroupMaxSize };
const features = [...a.features].sort();
console.log(JSON.stringify({ info, features, limits }, null, 2));
process.exit(0);
' > "$W/adapter.json" 2>> "$LOG"
node -e 'const a = require(process.argv[1]); const has = (f) => a.features.includes(f) ? "yes" : "no";
console.log(`# Adapter\n\n${a.info.description} (${a.info.vendor}, ${a.info.architecture}); subgroups ${has("subgroups")} (sizes ${a.info.subgroupMinSize}–${a.info.subgroupMaxSize}), chromium-experimental-subgroup-matrix ${has("chromium-experimental-subgroup-matrix")}, shader-f16 ${has("shader-f16")}, timestamp-query ${has("timestamp-query")}; workgroup memory ${a.limits.maxComputeWorkgroupStorageSize} bytes\n`)' "$W/adapter.json" > "$W/1-adapter.md" 2>> "$LOG"

# 3. Measured ceilings, for the roofline.
PYTHONUNBUFFERED=1 timeout 30 python3 - > "$W/2-ceilings.md" 2>> "$LOG" <<'EOF'
import json, torch
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
def timed(f, reps):
    f(); torch.cuda.synchronize()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record()
    for _ in range(reps): f()
    e.record(); torch.cuda.synchronize()
    return s.elapsed_time(e) / 1e3 / reps
n = 8192
a, b = torch.randn(n, n, device='cuda'), torch.randn(n, n, device='cuda')
t = timed(lambda: torch.mm(a, b), 10)
src = torch.empty(2 ** 28, device='cuda'); dst = torch.empty_like(src)
c = timed(lambda: dst.copy_(src), 20)
out = {'mm_fp32_tflops': 2 * n ** 3 / t / 1e12, 'copy_gbytes_per_s': 2 * src.numel() * 4 / c / 1e9, 'device': torch.cuda.get_device_name()}
json.dump(out, open('ceilings.json', 'w'), indent=2)
print(f"# Measured ceilings\n\ntorch.mm 8192³ fp32 (TF32 off): {out['mm_fp32_tflops']:.1f} TFLOP/s; device-to-device copy of 1 GiB: {out['copy_gbytes_per_s']:.0f} GB/s (read + write)\n")
EOF
mv ceilings.json "$W/" 2>/dev/null

# 4. The benchmark: today's choice (with TensorFlow.js and the float64 reference as peers), the
# gemm kernels forced (their metrics from the masks: the logged step column), every candidate
# of the autotuner at a few sizes beside its choice (each tile and split of the gemm kernels
# among them), the autotuner in a run, and the same step in PyTorch.
SIZES=1024x128x2^10..2^20,256x16x2^12..2^16,4096x16x2^18
sgd 105 bench --sizes "$SIZES" --no-variants --max-step-seconds 0.5 --json "$W/bench.json" --md "$W/3-bench.md"
echo "bench exit $?" >> "$LOG"
GEMM_SIZES=1024x128x2^12..2^18,256x16x2^12..2^16
sgd 40 bench --sizes "$GEMM_SIZES" --no-tfjs --no-variants --kernel forward=gemm,backward=gemm \
  --json "$W/gemm.json" --md "$W/4-gemm.md"
echo "gemm exit $?" >> "$LOG"
sgd 50 bench --sizes 1024x128x4096,1024x128x16384,1024x128x65536,256x16x4096,256x16x65536 --no-tfjs --max-step-seconds 0.5 \
  --json "$W/candidates.json" --md "$W/5-candidates.md"
echo "candidates exit $?" >> "$LOG"
sgd 25 train --n 1024 --d 128 --m 16384 --steps 100 --autotune refresh --out "$W/tune-1024x128x16384" --force >> "$LOG"
grep '^autotune:' "$LOG" | sed 's/^/    /' | { echo '# Autotuner'; echo; cat; echo; } > "$W/6-autotune.md"
PYTHONUNBUFFERED=1 timeout 50 python3 scripts/bench_torch.py --sizes "$SIZES" --max-step-seconds 0.3 --json "$W/torch.json" >> "$LOG" 2>&1
node scripts/side_by_side.mjs "$W/bench.json" "$W/torch.json" > "$W/7-side_by_side.md" 2>> "$LOG"

# 5. The batched sweep benchmark (issue 13's `bench --sweep`): run-steps/s at n=64 d=8 m=32 over
# batch sizes, beside the single-run engine and PyTorch's bmm over the same numbers of runs; then
# a larger run (one workgroup per run against the whole GPU per run), for the rule that sends
# large runs to the single-run engine; then runs past a workgroup's memory (the spread schedule).
sgd 35 bench --sweep --sizes 64x8x32 --batches 1,1024,4096,16384 --steps 2000 --json "$W/sweep.json" --md "$W/8-sweep.md"
echo "sweep exit $?" >> "$LOG"
sgd 15 bench --sweep --sizes 1024x16x1024 --batches 132,1024 --steps 20 --json "$W/sweep-large.json" --md "$W/9-sweep-large.md"
echo "sweep-large exit $?" >> "$LOG"
sgd 15 bench --sweep --sizes 16384x8x32 --batches 64,512 --steps 50 --json "$W/sweep-spread.json" --md "$W/9-sweep-spread.md"
echo "sweep-spread exit $?" >> "$LOG"
PYTHONUNBUFFERED=1 timeout 20 python3 scripts/bench_torch.py --sweep --sizes 64x8x32 --batches 1024,4096,16384 --json "$W/torch-sweep.json" >> "$LOG" 2>&1

finish
