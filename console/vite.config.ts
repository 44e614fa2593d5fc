// The console's build. Root is console/ (`vite build console` from the repo root); the server
// serves console/dist at `/`. In development (`npx vite console`) the API is proxied to :3000.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist', emptyOutDir: true, sourcemap: true,
    // The largest chunk is Monaco (GraphiQL's editor), loaded only with the Data section's GraphQL tab.
    chunkSizeWarningLimit: 3000,
    rolldownOptions: {
      // GraphiQL's React Compiler hints ("use no memo") are meaningless once bundled: not worth a warning per file.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/docs': 'http://localhost:3000',
    },
  },
});
