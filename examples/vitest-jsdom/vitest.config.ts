import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The app code renders into the DOM: every test file runs in jsdom, as a browser app's unit tests do.
    environment: 'jsdom',
    include: ['test/**/*.test.ts'],
  },
});
