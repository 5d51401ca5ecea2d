// The browser project's global setup: the page built by Vite as `npm run build` builds it,
// once for every browser test file, into a temporary folder served on 127.0.0.1 (a secure
// context, so navigator.gpu exists). The files reach it by siteBase() (test/support/browser.ts),
// and write their screenshots into ARTIFACTS, made here.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';
import { ARTIFACTS, ROOT } from './browser';

declare module 'vitest' {
  export interface ProvidedContext {
    siteBase: string;
  }
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await mkdir(ARTIFACTS, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'shallow-gd-page-'));
  await build({ root: ROOT, logLevel: 'error', build: { outDir: dir, emptyOutDir: true } });
  const server = createServer(async (req, res) => {
    const file = resolve(dir, '.' + decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file.startsWith(dir + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  project.provide('siteBase', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return async () => {
    await new Promise((ok) => server.close(ok));
    await rm(dir, { recursive: true, force: true });
  };
}
