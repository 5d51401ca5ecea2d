// shallow-gd bench: the benchmark harness on this machine's WebGPU adapter.
import { writeFileSync } from 'node:fs';
import { DEFAULT_OPTIONS, defaultSizes, parseSizes, runBench, type BenchOptions, type BenchReport } from '../bench/bench';
import { benchMarkdown } from '../bench/table';
import { ConfigError } from '../config/schema';
import { acquireNodeDevice } from '../gpu/device_node';
import { NoAdapterError } from './backend';
import { parseVariants } from '../gpu/variants';
import { tfjsStepSeconds } from '../bench/peers/tfjs';

export const BENCH_HELP = `usage: shallow-gd bench [--sizes NxDxM,...] [--quick] [--max-step-seconds S] [--kernel K=V] [--no-tfjs] [--json FILE] [--md FILE]

Times each kernel, the whole step (steps/s, GFLOP/s counting 4ndm), the host cost per
step, and the same-run reference product X·Wᵀ on this machine's WebGPU adapter, beside
the float64 CPU reference and TensorFlow.js (WebGPU backend, on the same device: --no-tfjs
leaves it out). Default grid: n ∈ {256, 1024, 4096}, d ∈ {16, 128},
m = 2^10 … 2^20; sizes predicted to take over --max-step-seconds (default 2) per step
are skipped and listed. --kernel forces a kernel variant (as for train).
--quick: a tiny grid that checks the harness in seconds.`;

export async function benchCommand(argv: string[]): Promise<number> {
  let sizes = defaultSizes();
  const o: BenchOptions = { ...DEFAULT_OPTIONS, log: (l) => process.stderr.write(l + '\n'), peers: { tfjs: tfjsStepSeconds } };
  let json: string | undefined, md: string | undefined;
  for (let k = 0; k < argv.length; k++) {
    const flag = argv[k];
    const value = () => {
      if (k + 1 >= argv.length) throw new ConfigError(flag, `${flag} needs a value`);
      return argv[++k];
    };
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(BENCH_HELP + '\n');
      return 0;
    } else if (flag === '--quick') {
      sizes = parseSizes('64x16x2^8..2^10');
      Object.assign(o, { targetSeconds: 0.02, maxStepSeconds: 1 });
    } else if (flag === '--sizes') {
      try {
        sizes = parseSizes(value());
      } catch (e) {
        throw new ConfigError('sizes', (e as Error).message);
      }
    } else if (flag === '--max-step-seconds') {
      const v = Number(value());
      if (!(v > 0)) throw new ConfigError('max-step-seconds', '--max-step-seconds must be a number > 0');
      o.maxStepSeconds = v;
    } else if (flag === '--kernel') o.kernel = parseVariants(value());
    else if (flag === '--no-tfjs') o.peers = {};
    else if (flag === '--json') json = value();
    else if (flag === '--md') md = value();
    else throw new ConfigError(flag, `unknown flag ${flag} (see shallow-gd bench --help)`);
  }
  const acquired = await acquireNodeDevice();
  // The benchmark needs an adapter: exit 3, as train --backend webgpu.
  if (!acquired) throw new NoAdapterError();
  process.stderr.write(`adapter: ${acquired.info.name}\n`);
  const save = (report: BenchReport) => {
    if (json) writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
    if (md) writeFileSync(md, benchMarkdown(report));
  };
  const report = await runBench(acquired.device, acquired.info, sizes, { ...o, onProgress: save });
  save(report);
  process.stdout.write(benchMarkdown(report));
  return report.sizes.length > 0 ? 0 : 1;
}
