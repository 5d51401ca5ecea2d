#!/usr/bin/env node
// The command line, bundled by `npm run build:cli` (npm start and npm test build it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist-cli/main.js', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('shallow-gd: the CLI is not built yet: run `npm run build:cli` (npm start does it)\n');
  process.exit(1);
}
await import(bundle);
