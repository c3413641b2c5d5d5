/**
 * Builds the web app (src/web) into dist/web, which the server serves at `/`.
 * `npm run dev` runs the server on :8080; `npx vite` serves the app with hot
 * reload and forwards /api and /ws to it.
 */
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const backend = 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
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
