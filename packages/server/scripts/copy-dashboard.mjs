/**
 * `npm run build -w @keysmith/server` (the last step of the root `npm run build`, after the
 * dashboard's build): copies the built dashboard (packages/dashboard/dist) into this package's
 * dashboard/ folder, which the server serves at `/` and `npm pack` ships (package.json `files`).
 * An installed server has no packages/dashboard next to it.
 */
import { cpSync, existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FROM = fileURLToPath(new URL("../../dashboard/dist/", import.meta.url));
const TO = fileURLToPath(new URL("../dashboard/", import.meta.url));

if (!existsSync(`${FROM}index.html`)) {
  console.error(
    `${FROM}index.html is missing: build the dashboard first (npm run build -w @keysmith/dashboard)`,
  );
  process.exit(1);
}
// A fresh copy: assets of an older build (other content hashes) must not linger.
rmSync(TO, { recursive: true, force: true });
cpSync(FROM, TO, { recursive: true });
