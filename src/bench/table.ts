// The benchmark report as markdown: what docs/BENCHMARKS.md and the terminal show.
import { sameVariants } from '../gpu/autotune';
import type { Variants } from '../gpu/variants';
import { softwareNote } from '../model/engine';
import type { BenchReport } from './bench';

const p3 = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : '–');
const ms = (s: number) => (s * 1e3).toPrecision(3);

const variantText = (v: Variants) => Object.entries(v).map(([k, x]) => `${k}=${x}`).join(' ');

/** What `v` sets otherwise than `base`. */
function changes(v: Variants, base: Variants): string {
  return (Object.keys(v) as (keyof Variants)[]).filter((k) => v[k] !== base[k]).map((k) => `${k}=${v[k]}`).join(' ');
}

export function benchMarkdown(r: BenchReport): string {
  const kernelNames = [...new Set(r.sizes.flatMap((s) => Object.keys(s.kernels)))];
  const peerNames = [...new Set(r.sizes.flatMap((s) => Object.keys(s.peers)))];
  const lines = [
    `Adapter: **${r.adapter.name}**${softwareNote(r.adapter)}. Kernel times: ${r.timing === 'timestamp' ? 'GPU timestamp queries' : 'wall clock over submits (no timestamp-query)'}. ${r.date}.`,
    '',
    '| n | d | m | steps/s | step ms | logged step ms (× a step) | GFLOP/s (4ndm) | GB/s (min) | X·Wᵀ GFLOP/s (best variant) | efficiency | host µs/step: encode + submit (batch) | memory MiB | kernels |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...r.sizes.map((s) =>
      `| ${s.n} | ${s.d} | ${s.m} | ${p3(s.stepsPerSecond)} | ${ms(s.stepSeconds)} | ${ms(s.loggedStepSeconds)} (${p3(s.loggedStepSeconds / s.stepSeconds)}×) | ${p3(s.gflops)} | ${p3(s.gbytesPerSecond)} | ${p3(s.matmulGflops)} (${s.matmulKernel}) | ${(100 * s.efficiency).toFixed(0)}% | ${p3(s.hostMicrosPerStep)}: ${p3(s.hostEncodeMicrosPerStep)} + ${p3(s.hostMicrosPerStep - s.hostEncodeMicrosPerStep)} (${s.hostBatch}) | ${(s.memoryBytes / 2 ** 20).toFixed(1)} | ${variantText(s.variants)} |`),
    '',
    `Per-kernel GPU time per step (ms): ${kernelNames.join(', ')} (the metric kernels run only at logged steps).`,
    '',
    `| n | d | m | ${kernelNames.join(' | ')} |`,
    `| ---: | ---: | ---: | ${kernelNames.map(() => '---:').join(' | ')} |`,
    ...r.sizes.map((s) => `| ${s.n} | ${s.d} | ${s.m} | ${kernelNames.map((k) => ms(s.kernels[k])).join(' | ')} |`),
  ];
  const tuned = r.sizes.filter((s) => s.candidates && s.tuned);
  if (tuned.length) {
    lines.push('', 'The autotuner’s candidates at each size (step ms; each candidate named by what it changes of the default, the first row; ← the autotuner’s choice, the fastest measured, the default on a tie):', '',
      '| n×d×m | candidate | step ms | speed-up over the default |', '| --- | --- | ---: | ---: |',
      ...tuned.flatMap((s) => s.candidates!.map((c, k) => {
        const mark = sameVariants(c.variants, s.tuned!) ? ' ←' : '';
        const time = c.stepSeconds === null ? `skipped: ${c.skipped}` : ms(c.stepSeconds);
        const speedup = c.stepSeconds === null || s.candidates![0].stepSeconds === null ? '–' : `${p3(s.candidates![0].stepSeconds / c.stepSeconds)}×`;
        return `| ${s.n}×${s.d}×${s.m} | ${k === 0 ? `default (${variantText(c.variants)})` : changes(c.variants, s.candidates![0].variants)}${mark} | ${time} | ${speedup} |`;
      })));
  }
  if (peerNames.length) {
    lines.push('', 'Peers on the same adapter and the same step (step ms; speed-up of shallow-gd):', '',
      `| n | d | m | shallow-gd | ${peerNames.join(' | ')} |`, `| ---: | ---: | ---: | ---: | ${peerNames.map(() => '---:').join(' | ')} |`,
      ...r.sizes.map((s) => `| ${s.n} | ${s.d} | ${s.m} | ${ms(s.stepSeconds)} | ${peerNames.map((k) => {
        const v = s.peers[k];
        return !v ? '–' : 'skipped' in v ? `skipped: ${v.skipped}` : `${ms(v.stepSeconds)} (${p3(v.stepSeconds / s.stepSeconds)}×)`;
      }).join(' | ')} |`));
  }
  if (r.scaling.length) {
    lines.push('', 'Scaling in m (fitted exponent of step time ∝ m^p; 1 = linear):', '', '| n | d | p | largest m | its memory MiB |', '| ---: | ---: | ---: | ---: | ---: |',
      ...r.scaling.map((g) => `| ${g.n} | ${g.d} | ${p3(g.exponent)} | ${g.largestM} | ${(g.largestMemoryBytes / 2 ** 20).toFixed(1)} |`));
  }
  if (r.skipped.length) lines.push('', 'Skipped:', '', ...r.skipped.map((s) => `- n=${s.n} d=${s.d} m=${s.m}: ${s.reason}`));
  return lines.join('\n') + '\n';
}
