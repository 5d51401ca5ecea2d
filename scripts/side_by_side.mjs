// Joins a `shallow-gd bench --json` report and a `scripts/bench_torch.py --json` report of the
// same GPU into one markdown table (sizes present in both), so no figure is copied by hand.
// usage: node scripts/side_by_side.mjs BENCH.json TORCH.json
import { readFileSync } from 'node:fs';

const [benchPath, torchPath] = process.argv.slice(2);
if (!benchPath || !torchPath) {
  console.error('usage: node scripts/side_by_side.mjs BENCH.json TORCH.json');
  process.exit(2);
}
const bench = JSON.parse(readFileSync(benchPath, 'utf8'));
const torch = JSON.parse(readFileSync(torchPath, 'utf8'));
const key = (s) => `${s.n}x${s.d}x${s.m}`;
const theirs = new Map(torch.sizes.map((s) => [key(s), s]));
const p3 = (x) => x.toPrecision(3);
console.log(`shallow-gd on ${bench.adapter.name} (WebGPU via Dawn/Vulkan) beside PyTorch ${torch.torch} on ${torch.device} (CUDA, float32, TF32 ${torch.tf32 ? 'on' : 'off'}): the same full-batch GD step on both layers.\n`);
console.log('| n | d | m | shallow-gd ms | GFLOP/s | PyTorch ms | GFLOP/s | PyTorch time / shallow-gd time |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const s of bench.sizes) {
  const t = theirs.get(key(s));
  if (!t) continue;
  console.log(`| ${s.n} | ${s.d} | ${s.m} | ${p3(s.stepSeconds * 1e3)} | ${p3(s.gflops)} | ${p3(t.stepSeconds * 1e3)} | ${p3(t.gflops)} | ${p3(t.stepSeconds / s.stepSeconds)} |`);
}
