import { defineConfig } from 'vitest/config';

// test/ mirrors src/: a test of src/X/Y.ts is test/X/Y.test.ts, suffixed by what it needs.
// `npx vitest run --project unit` (or gpu, browser) runs one part alone.
const GPU = 'test/**/*.gpu.test.ts';
const BROWSER = 'test/**/*.browser.test.ts';

export default defineConfig({
  test: {
    // Software adapters compile shaders slowly (seconds per pipeline).
    testTimeout: 180_000,
    hookTimeout: 180_000,
    projects: [
      // Node alone: the float64 reference, the config, the CLI commands on the CPU backend.
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [GPU, BROWSER] } },
      // A WebGPU adapter in Node (Dawn): the one VK_ICD_FILENAMES names, else SwiftShader.
      { extends: true, test: { name: 'gpu', include: [GPU] } },
      // Headless Chromium (Debian's, through playwright-core).
      { extends: true, test: { name: 'browser', include: [BROWSER] } },
    ],
  },
});
