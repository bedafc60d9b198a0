import { Keysmith } from "@keysmith/sdk";
import { buildWeatherApi } from "./app.js";

// The root key verifies keys (scope keys:verify). It comes from the environment, never from
// argv, and is never printed.
const rootKey = process.env.KEYSMITH_ROOT_KEY;
if (!rootKey) {
  console.error("Set KEYSMITH_ROOT_KEY to a keysmith root key with the keys:verify scope.");
  process.exit(2);
}

const client = new Keysmith({ baseUrl: process.env.KEYSMITH_URL ?? "http://127.0.0.1:8787", rootKey });
const app = buildWeatherApi({ client });
const url = await app.listen({
  host: process.env.HOST ?? "127.0.0.1",
  port: Number(process.env.PORT ?? 3000),
});
console.log(`weather API listening on ${url}`);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    app.close().then(() => process.exit(0));
  });
}
