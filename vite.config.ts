import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { assemblyScript } from './scripts/asc_plugin.ts';

// `vite build --mode cli` bundles the Node command line (WGSL inlined through ?raw) and the
// CPU pool's worker entry beside it (src/sweep/pool_node.ts loads ./pool_worker.js); the
// default mode builds the page.
export default defineConfig(({ mode }) =>
  mode === 'cli'
    ? {
        plugins: [assemblyScript()],
        build: {
          ssr: true,
          outDir: 'dist-cli',
          target: 'node20',
          emptyOutDir: true,
          rollupOptions: {
            input: { main: 'src/cli/main.ts', pool_worker: 'src/sweep/pool_worker.ts' },
            output: { entryFileNames: '[name].js' },
          },
        },
      }
    : {
        // Relative URLs: dist/ works from any folder of any static host.
        base: './',
        plugins: [assemblyScript()],
        // The trainer's worker is bundled on its own, with its own plugins.
        worker: { plugins: () => [assemblyScript()] },
        build: {
          outDir: 'dist',
          target: 'es2022',
          // The page (also the embeddable widget), the example article that embeds it, the benchmark.
          rolldownOptions: {
            input: {
              index: fileURLToPath(new URL('./index.html', import.meta.url)),
              embed: fileURLToPath(new URL('./embed.html', import.meta.url)),
              bench: fileURLToPath(new URL('./bench.html', import.meta.url)),
            },
          },
        },
      },
);
