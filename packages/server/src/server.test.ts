import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { startServer } from "./server.js";

describe("a graceful stop", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "keysmith-stop-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("cuts a connection whose request body never arrives once the grace period is over", async () => {
    const loaded = loadConfig({}, { databaseUrl: join(dir, "keysmith.db"), port: "0", logLevel: "silent" });
    if (!loaded.ok) throw new Error(loaded.error);
    const server = await startServer(loaded.config, createLogger("silent"), { shutdownGraceMs: 100 });
    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1");
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    socket.resume(); // read, so the server's end of the connection is seen
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    const received = new Promise<void>((resolve) =>
      server.keysmith.app.server.once("request", () => resolve()),
    );
    // A body announced and never sent: a request in flight, not an idle connection, so closing
    // the server alone would wait for the client (or Node's request timeout, five minutes).
    socket.write(
      "POST /v1/keys/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    );
    await received;
    await server.stop();
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
