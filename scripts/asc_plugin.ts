// `import bytes from '…/x.ts?asc'`: the AssemblyScript file compiled to WebAssembly (SIMD on, no
// runtime, memory imported), inlined into the importing module as a Uint8Array. vite.config.ts
// and vitest.config.ts both use it, so the page, the CLI bundle and the tests compile the one
// source the same way and no generated binary is kept in the repository.
import { basename } from 'node:path';
import asc from 'assemblyscript/asc';
import type { Plugin } from 'vite';

const QUERY = '?asc';

const ASC_FLAGS = ['--optimizeLevel', '3', '--enable', 'simd', '--runtime', 'stub', '--importMemory'];

export function assemblyScript(): Plugin {
  return {
    name: 'assemblyscript',
    enforce: 'pre',
    async load(id) {
      if (!id.endsWith(QUERY)) return null;
      const file = id.slice(0, -QUERY.length);
      this.addWatchFile(file);
      let binary: Uint8Array | undefined;
      const errors: string[] = [];
      const { error } = await asc.main([file, ...ASC_FLAGS, '--outFile', 'out.wasm'], {
        writeFile(name, contents) {
          if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
        },
        stdout: { write: () => true } as never,
        stderr: { write: (s: string | Uint8Array) => { errors.push(String(s)); return true; } } as never,
      });
      if (error || !binary) this.error(`asc ${basename(file)}: ${error?.message ?? 'no output'}\n${errors.join('')}`);
      const base64 = Buffer.from(binary).toString('base64');
      return `export default Uint8Array.from(atob(${JSON.stringify(base64)}), (c) => c.charCodeAt(0));`;
    },
  };
}
