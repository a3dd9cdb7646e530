import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The JSON report feeds the one-line summary that .ci/run prints.
    reporters: ['default', ['json', { outputFile: 'test-artifacts/vitest.json' }]],
    projects: [
      {
        // --expose-gc: the streaming test measures live memory after a forced collection.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', execArgv: ['--expose-gc'] },
      },
      {
        test: {
          name: 'gpu',
          include: ['test/gpu/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/gpu/globalSetup.ts'],
          // One Chromium, one SwiftShader adapter on 2 cores: files run one after another.
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
      {
        // npm pack + install into a fresh project + Vite build: slow, and alone on the machine's two cores.
        test: { name: 'package', include: ['test/package/**/*.test.ts'], environment: 'node', fileParallelism: false, testTimeout: 180_000, hookTimeout: 600_000 },
      },
    ],
  },
});
