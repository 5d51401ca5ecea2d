import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Software adapters compile shaders slowly (seconds per pipeline).
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
