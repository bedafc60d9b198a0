import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run build` writes dist/, which the keysmith server serves at `/`. `npm run dev` serves the
// app with hot reload and sends API calls to a keysmith server on the default port.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Every asset as a file: the server's Content-Security-Policy allows no inline code.
    assetsInlineLimit: 0,
  },
  server: { proxy: { "/v1": "http://127.0.0.1:8787" } },
});
