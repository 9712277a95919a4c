/** Builds the dashboard into web/dist, which the platform serves at `/`. Everything is bundled: no CDN, no remote fonts or tiles. */
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The map library is large on its own; it is loaded once and cached.
    chunkSizeWarningLimit: 1200,
    assetsInlineLimit: 0,
  },
});
