import type { AddressInfo } from "node:net";
import express from "express";
import { middlewareSuite } from "../test-support/middleware-suite.js";
import { keysmith } from "./express.js";

middlewareSuite("Express", async (options) => {
  const app = express();
  app.get("/resource", keysmith(options), (req, res) => {
    // Both idioms carry the same identity.
    if (req.keysmith !== res.locals.keysmith) throw new Error("req.keysmith and res.locals.keysmith differ");
    res.json({ identity: req.keysmith });
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
