// Vite builds the cashier's screens from ui/ into dist/, which tauri.conf.json ships.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'ui',
  // Relative asset URLs so dist/ works from Tauri's custom protocol and from any static server.
  base: './',
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  preview: { port: 4173, strictPort: false },
  build: {
    outDir: '../dist',
    emptyOutDir: true,
    target: 'es2022',
    // The register never fetches anything: no module preload polyfill, which would be dead code.
    modulePreload: { polyfill: false },
  },
});
