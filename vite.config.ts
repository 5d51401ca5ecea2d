import { defineConfig } from 'vite';

// `vite build --mode cli` bundles the Node command line (WGSL inlined through ?raw);
// the default mode builds the page.
export default defineConfig(({ mode }) =>
  mode === 'cli'
    ? {
        build: {
          ssr: 'src/cli/main.ts',
          outDir: 'dist-cli',
          target: 'node20',
          emptyOutDir: true,
          rollupOptions: { output: { entryFileNames: 'main.js' } },
        },
      }
    : {
        build: { outDir: 'dist', target: 'es2022' },
      },
);
