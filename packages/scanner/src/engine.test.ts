import { hash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createEngine } from "./engine.js";
import { githubToken, keysmithKey } from "./test-support/repo.js";

const engine = createEngine();
const scan = (text: string, file = "app.ts") => engine.scan(Buffer.from(text), file);

describe("engine", () => {
  it("reports a checksum-valid keysmith key with line, column, mask and fingerprint", () => {
    const key = keysmithKey();
    const [finding, ...rest] = scan(`// config\n  const k = "${key}";\n`, "src/config.ts");
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      ruleId: "keysmith-secret-key",
      severity: "error",
      file: "src/config.ts",
      line: 2,
      column: 14,
    });
    expect(finding?.secret).toBe(key);
    expect(finding?.masked).not.toContain(key.slice(16, -2));
    expect(finding?.masked.length).toBeLessThan(key.length / 2);
    expect(finding?.fingerprint).toBe(hash("sha256", `keysmith-secret-key${key}src/config.ts`, "hex"));
  });

  it("does not report a keysmith lookalike whose checksum is wrong, under any rule", () => {
    const key = keysmithKey();
    const lookalike = key.slice(0, -1) + (key.endsWith("A") ? "B" : "A");
    expect(scan(`const apiKey = "${lookalike}";`)).toEqual([]);
  });

  it("skips findings on a line with a keysmith:allow comment", () => {
    const token = githubToken();
    expect(
      scan(`token: ${token} # keysmith:allow test fixture\nother: ${token}\n`).map((f) => f.line),
    ).toEqual([2]);
  });

  it("lets a specific rule win over the generic one on the same value", () => {
    const findings = scan(`api_key = "${githubToken()}"`);
    expect(findings.map((f) => f.ruleId)).toEqual(["github-token"]);
  });

  it("reports a multi-line private key once, at its BEGIN line, masked to its header", () => {
    const body = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 7919) % 251)).toString("base64");
    const block = `-----BEGIN RSA PRIVATE KEY-----\n${body.match(/.{1,64}/g)?.join("\n")}\n-----END RSA PRIVATE KEY-----`;
    const findings = scan(`line one\n${block}\n`);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: "private-key", line: 2, column: 1 });
    expect(findings[0]?.masked).toMatch(/^-----BEGIN RSA PRIVATE KEY----- /);
    expect(findings[0]?.masked).not.toContain(body.slice(8, 40));
  });

  it("counts columns in UTF-16 code units after non-ASCII text", () => {
    const token = githubToken("gho");
    expect(scan(`// clé → ${token}`)[0]?.column).toBe(10);
  });

  it("finds several secrets on one line and on the last line without a newline", () => {
    const a = githubToken();
    const b = githubToken("ghs");
    expect(scan(`x\n${a} ${b}`).map((f) => `${f.line}:${f.column}`)).toEqual(["2:1", "2:42"]);
  });
});
