// The demo's two pages: the MDN playground (index.html) and handwriting (handwriting.html).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

export default defineConfig({
  build: { rollupOptions: { input: { index: page('index.html'), handwriting: page('handwriting.html') } } },
});
