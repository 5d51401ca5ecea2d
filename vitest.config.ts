import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { assemblyScript } from './scripts/asc_plugin.ts';

// test/ mirrors src/: a test of src/X/Y.ts is test/X/Y.test.ts, suffixed by what it needs.
// `npx vitest run --project unit` (or gpu, browser) runs one part alone.
const GPU = 'test/**/*.gpu.test.ts';
const BROWSER = 'test/**/*.browser.test.ts';

export default defineConfig({
  plugins: [assemblyScript()],
  test: {
    // Software adapters compile shaders slowly (seconds per pipeline).
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // vitest's default is one worker per core but one: a single worker on 2 cores. The GPU and
    // browser tests spend much of their time waiting on other processes (the CLI they spawn,
    // Chromium, the driver's threads): one worker kept only about 1.15 of 2 cores busy.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      // Node alone: the float64 reference, the config, the CLI commands on the CPU backend.
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [GPU, BROWSER] } },
      // A WebGPU adapter in Node (Dawn): the one VK_ICD_FILENAMES names, else SwiftShader.
      { extends: true, test: { name: 'gpu', include: [GPU] } },
      // Headless Chromium (Debian's, through playwright-core), on the page built once for all its files.
      { extends: true, test: { name: 'browser', include: [BROWSER], globalSetup: ['test/support/site.ts'] } },
    ],
  },
});
