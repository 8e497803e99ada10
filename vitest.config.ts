// Unit tests of the UI run in happy-dom, against the in-memory fake backend or a mocked IPC.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/ui/**/*.test.ts'],
    environment: 'happy-dom',
    setupFiles: ['tests/ui/setup.ts'],
  },
});
