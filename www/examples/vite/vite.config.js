import { defineConfig } from 'vite';

export default defineConfig({
  // Relative URLs, so the built app works from any folder (the tests serve it under /examples/vite/dist/).
  base: './',
  // The package loads its .wasm with new URL(…, import.meta.url): pre-bundling in dev would move it.
  optimizeDeps: { exclude: ['scenic-viewer'] },
  build: { target: 'es2022' },
});
