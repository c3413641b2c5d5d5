/**
 * Builds the web app (src/web) into dist/web, which the server serves at `/`.
 * `npm run dev` runs the server on :8080; `npx vite` serves the app with hot
 * reload and forwards /api and /ws to it.
 *
 * Every text file of the build also gets a brotli (`.br`) and a gzip (`.gz`)
 * twin, compressed once here at the highest levels, so the server sends them
 * as they are (`Content-Encoding`) instead of compressing per request.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import preact from '@preact/preset-vite';
import { defineConfig, type Plugin } from 'vite';

const backend = 'http://127.0.0.1:8080';
const outDir = fileURLToPath(new URL('./dist/web', import.meta.url));
const COMPRESSIBLE = /\.(?:js|css|html|svg|txt|webmanifest|json)$/;
/** Below this, a compressed twin saves too little to be worth a file. */
const MIN_BYTES = 512;

function precompress(): Plugin {
  return {
    name: 'metsony-precompress',
    apply: 'build',
    closeBundle() {
      for (const entry of fs.readdirSync(outDir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) continue;
        const file = path.join(entry.parentPath, entry.name);
        const raw = fs.readFileSync(file);
        if (raw.length < MIN_BYTES) continue;
        const brotli = zlib.brotliCompressSync(raw, {
          params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
        });
        fs.writeFileSync(`${file}.br`, brotli);
        fs.writeFileSync(`${file}.gz`, zlib.gzipSync(raw, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  plugins: [preact(), precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    // The CSP allows no inline script: keep every asset a file, never a data: URL.
    assetsInlineLimit: 0,
    target: 'es2020',
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      '/api': { target: backend },
      '/ws': { target: backend, ws: true },
    },
  },
});
