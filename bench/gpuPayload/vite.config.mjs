// bench/gpu-payload.sh's bundle of what runs on a GPU machine into ESM files for Node, every dependency inlined but
// the native ones: Dawn (webgpu) and resvg stay imports, and tfjs is required at run time by
// bench/systems/tfjsNode.ts (as a Node user loads it). bin/mixden.js and the variant scripts import the built
// dist/, so build first.
import { fileURLToPath } from 'node:url';

const at = (path) => fileURLToPath(new URL(path, import.meta.url));

export default {
  logLevel: 'warn',
  build: {
    ssr: true,
    emptyOutDir: false,
    target: 'node20',
    rollupOptions: {
      input: {
        bench: at('./entry.ts'),
        mixden: at('../../bin/mixden.js'),
        'kernel-variants': at('../kernel-variants.mjs'),
        'recurrent-variants': at('../recurrent-variants.mjs'),
      },
      external: ['webgpu', '@resvg/resvg-js'],
      output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/[name]-[hash].mjs' },
    },
  },
  ssr: { noExternal: true, target: 'node' },
};
