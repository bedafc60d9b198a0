import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VerifyResponse } from "@keysmith/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProject, startTestServer, type TestServer } from "../test-support/cli.js";

let server: TestServer;
let projectId: string;
let dir: string;

beforeAll(async () => {
  server = await startTestServer();
  projectId = await createProject(server);
  dir = mkdtempSync(join(tmpdir(), "keysmith-import-"));
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const legacy = () => `legacy_${randomBytes(16).toString("hex")}`;
const verify = async (key: string) =>
  JSON.parse((await server.cli(["keys", "verify", "--json"], { stdin: key })).stdout) as VerifyResponse;

describe("keysmith keys import", () => {
  it("imports JSON lines in batches, idempotently, and the keys verify by their plaintext", async () => {
    const plaintexts = Array.from({ length: 1205 }, legacy);
    const lines = plaintexts.map((k, i) =>
      JSON.stringify({ hash: sha256(k), type: "secret", environment: "live", ownerId: `cus_${i}` }),
    );
    writeFileSync(join(dir, "keys.jsonl"), `${lines.join("\n")}\n\n`);
    const first = await server.cli(["keys", "import", "keys.jsonl", "--project", projectId, "--json"], {
      cwd: dir,
    });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout) as { imported: number; rows: number; ids: string[] };
    expect(summary).toMatchObject({ imported: 1205, rows: 1205 });
    expect(new Set(summary.ids).size).toBe(1205);
    expect(await verify(plaintexts[1204] as string)).toMatchObject({ valid: true, ownerId: "cus_1204" });

    const again = await server.cli(["keys", "import", "keys.jsonl", "--project", projectId], { cwd: dir });
    expect(again.stdout).toBe("Imported 0 new keys from 1205 rows (the rest were there already).\n");
  });

  it("reads CSV with a header row, scopes as a list and meta as JSON", async () => {
    const [a, b] = [legacy(), legacy()];
    writeFileSync(
      join(dir, "keys.csv"),
      [
        "hash,type,environment,scopes,meta,name",
        `${sha256(a)},restricted,live,invoices:read|refunds:write,"{""plan"":""pro""}",first`,
        `${sha256(b)},secret,test,,,`,
      ].join("\n"),
    );
    const result = await server.cli(["keys", "import", join(dir, "keys.csv"), "--project", projectId]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Imported 2 new keys from 2 rows");
    expect(await verify(a)).toMatchObject({
      valid: true,
      scopes: ["invoices:read", "refunds:write"],
      meta: { plan: "pro" },
    });
  });

  it("names the bad row and imports nothing of its batch; refuses an unreadable file", async () => {
    const good = legacy();
    writeFileSync(
      join(dir, "bad.jsonl"),
      [
        { hash: sha256(good), type: "secret", environment: "live" },
        { hash: "nope", type: "secret", environment: "live" },
      ]
        .map((r) => JSON.stringify(r))
        .join("\n"),
    );
    const bad = await server.cli(["keys", "import", join(dir, "bad.jsonl"), "--project", projectId]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("/keys/1/hash");
    expect((await verify(good)).code).toBe("NOT_FOUND");

    writeFileSync(join(dir, "broken.jsonl"), '{"hash": \n');
    const broken = await server.cli(["keys", "import", join(dir, "broken.jsonl"), "--project", projectId]);
    expect(broken.stderr).toContain("line 1 is not JSON");
    const missing = await server.cli(["keys", "import", join(dir, "absent.jsonl"), "--project", projectId]);
    expect(missing.stderr).toContain("no such file");
  });
});
