#!/usr/bin/env node
/**
 * Writes a corpus of mixed, realistic-looking source (JS, TS, Python, Go, JSON, YAML, Markdown)
 * for measuring the scanner: `node generate-corpus.mjs <dir> [--mb 50] [--seed 1]`.
 *
 * The text is deterministic for a seed. Code lines that name keys, tokens, secrets and passwords
 * (`const token = req.headers…`, `password = kwargs.get(…)`, `"key": …`) are frequent — about
 * 6,000 prefilter keyword hits per MB, five times what the JavaScript in node_modules shows — so the
 * keyword prefilter and the checks behind it do real work. One file in about 150 carries a fake secret (random bodies, valid
 * checksums where the format has one). Prints `{ dir, files, bytes, planted }` as JSON.
 * Nothing here is a real credential: every body comes from a seeded PRNG.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { B62, crcB62, HEX, xorshift } from "../scripts/fake-bodies.mjs";

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith("--"));
if (!dir) {
  console.error("usage: generate-corpus.mjs <dir> [--mb 50] [--seed 1]");
  process.exit(2);
}
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const targetBytes = Math.round(flag("mb", 50) * 1024 * 1024);
const rand = xorshift(flag("seed", 1) >>> 0 || 1);
const int = (n) => Math.floor(rand() * n);
const pick = (list) => list[int(list.length)];
const chars = (alphabet, n) => {
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[int(alphabet.length)];
  return s;
};

const WORDS = `user account order invoice payment customer session request response config client server
cache queue worker job task event message handler router service store model record item product cart
price amount currency limit offset page cursor filter query result status error retry timeout deadline
header body payload schema field value index table column row batch stream buffer chunk file path name
label count total metric gauge counter tracker logger audit policy role scope permission tenant project
auth login logout signup refresh expire rotate revoke verify hash`.split(/\s+/);
const camel = (n) =>
  Array.from({ length: n }, (_, i) => {
    const w = pick(WORDS);
    return i === 0 ? w : w[0].toUpperCase() + w.slice(1);
  }).join("");
const snake = (n) => Array.from({ length: n }, () => pick(WORDS)).join("_");
const sentence = () => {
  const n = 6 + int(14);
  const s = Array.from({ length: n }, () => pick(WORDS)).join(" ");
  return `${s[0].toUpperCase()}${s.slice(1)}.`;
};

// Fake secrets of the formats the scanner knows; bodies are random, checksums valid.
const SECRETS = [
  () => {
    const head = `${pick(["acme", "shop", "demo"])}_${pick(["sk", "rk"])}_${pick(["live", "test"])}_`;
    const withRandom = head + chars(B62, 30);
    return withRandom + crcB62(withRandom);
  },
  () => {
    const random = chars(B62, 30);
    return `${pick(["ghp", "gho", "ghs"])}_${random}${crcB62(random)}`;
  },
  () => {
    const random = chars(B62, 30);
    return `npm_${random}${crcB62(random)}`;
  },
  () => `sk-proj-${chars(`${B62}_-`, 74)}T3BlbkFJ${chars(`${B62}_-`, 74)}`,
  () => `sk-ant-api03-${chars(`${B62}_-`, 93)}AA`,
  () => `${pick(["sk", "rk"])}_${pick(["live", "test"])}_${chars(B62, 99)}`,
  () => `AKIA${chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`,
  () => `glpat-${chars(`${B62}_-`, 20)}`,
  () => `AIza${chars(`${B62}_-`, 35)}`,
  () => `xoxb-${1000 + int(9e9)}-${1000 + int(9e9)}-${chars(B62, 24)}`,
  () => `SG.${chars(`${B62}_-`, 22)}.${chars(`${B62}_-`, 43)}`,
  () => `hf_${chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)}`,
  () => `SK${chars(HEX, 32)}`,
];

function js(ts) {
  const lines = [];
  lines.push(`import { ${camel(2)}, ${camel(2)} } from "./${snake(2)}${ts ? "" : ".js"}";`);
  lines.push(`import ${camel(1)} from "${pick(["express", "fastify", "zod", "pino", "undici"])}";`, "");
  const fns = 3 + int(10);
  for (let f = 0; f < fns; f++) {
    const name = camel(2 + int(2));
    lines.push(`/**`, ` * ${sentence()}`, ` * ${sentence()}`, ` */`);
    lines.push(
      `export async function ${name}(${camel(1)}${ts ? ": string" : ""}, options${ts ? `: ${camel(2)}Options` : ""} = {}) {`,
    );
    const body = 4 + int(18);
    for (let i = 0; i < body; i++) {
      switch (int(40)) {
        case 0:
          lines.push(`  const key = \`\${options.prefix}:\${${camel(1)}}\`;`);
          break;
        case 1:
          lines.push(`  const token = req.headers.authorization?.slice(7) ?? "";`);
          break;
        case 2:
          lines.push(`  if (!options.${camel(2)}) throw new Error("${sentence()}");`);
          break;
        case 3:
          lines.push(`  const ${camel(2)} = await this.${camel(2)}.get(key, { timeout: ${int(5000)} });`);
          break;
        case 4:
          lines.push(`  for (const [key, value] of Object.entries(${camel(1)})) ${camel(1)}[key] = value;`);
          break;
        case 5:
          lines.push(`  const secret = process.env.${snake(2).toUpperCase()}_SECRET;`);
          break;
        case 6:
          lines.push(`  logger.debug({ ${camel(1)}, ${camel(1)} }, "${sentence()}");`);
          break;
        case 7:
          lines.push(`  const password = options.password ?? (await prompt("password: "));`);
          break;
        case 8:
          lines.push(
            `  return { ${camel(1)}: ${int(1000)}, ${camel(2)}: "${snake(2)}", is_test_mode: false };`,
          );
          break;
        case 9:
          lines.push(`  const apiKey = config.get("${snake(2)}.api_key");`);
          break;
        case 10:
        case 11:
        case 12:
        case 13:
          lines.push(`  // ${sentence()}`);
          break;
        case 14:
        case 15:
        case 16:
          lines.push(
            `  const ${camel(2)} = await ${camel(1)}.${camel(2)}(${camel(1)}, { ${camel(1)}: ${int(100)} });`,
          );
          break;
        case 17:
        case 18:
          lines.push(`  if (${camel(1)}.${camel(1)} > ${int(1000)}) return ${camel(2)}(${camel(1)});`);
          break;
        case 19:
        case 20:
          lines.push(`  this.${camel(2)}.set(${camel(1)}.id, { ...${camel(1)}, updatedAt: Date.now() });`);
          break;
        default:
          lines.push(
            `  ${camel(1)} = ${camel(1)}.map((${camel(1)}) => ${camel(1)}.${camel(1)} * ${int(100)});`,
          );
      }
    }
    lines.push("}", "");
  }
  return lines;
}

function python() {
  const lines = [
    `import ${pick(["os", "json", "logging", "typing"])}`,
    `from ${snake(2)} import ${camel(2)}`,
    "",
  ];
  const fns = 3 + int(10);
  for (let f = 0; f < fns; f++) {
    lines.push(`def ${snake(2 + int(2))}(${snake(1)}, token=None, **kwargs):`);
    lines.push(`    """${sentence()}"""`);
    const body = 4 + int(14);
    for (let i = 0; i < body; i++) {
      switch (int(24)) {
        case 0:
          lines.push(`    secret_key = os.environ.get("${snake(2).toUpperCase()}_SECRET_KEY")`);
          break;
        case 1:
          lines.push(`    password = kwargs.get("password", "")`);
          break;
        case 2:
          lines.push(
            `    for key, value in ${snake(1)}.items():`,
            `        result[key] = value * ${int(50)}`,
          );
          break;
        case 3:
        case 6:
        case 7:
          lines.push(`    # ${sentence()}`);
          break;
        case 4:
          lines.push(`    if not ${snake(2)}:`, `        raise ValueError("${sentence()}")`);
          break;
        default:
          lines.push(`    ${snake(2)} = ${snake(1)}.${snake(2)}(${int(100)}, key=${snake(1)})`);
      }
    }
    lines.push(`    return ${snake(1)}`, "");
  }
  return lines;
}

function go() {
  const lines = [`package ${pick(WORDS)}`, "", `import (`, `\t"context"`, `\t"fmt"`, `)`, ""];
  const fns = 3 + int(8);
  for (let f = 0; f < fns; f++) {
    const name = camel(2);
    lines.push(`// ${name[0].toUpperCase()}${name.slice(1)} ${sentence()}`);
    lines.push(
      `func ${name[0].toUpperCase()}${name.slice(1)}(ctx context.Context, key string) (string, error) {`,
    );
    const body = 4 + int(12);
    for (let i = 0; i < body; i++) {
      switch (int(14)) {
        case 0:
          lines.push(
            `\ttoken, err := s.tokens.Lookup(ctx, key)`,
            `\tif err != nil {`,
            `\t\treturn "", fmt.Errorf("${snake(2)}: %w", err)`,
            `\t}`,
          );
          break;
        case 1:
          lines.push(`\t// ${sentence()}`);
          break;
        case 2:
          lines.push(`\tsecret := os.Getenv("${snake(2).toUpperCase()}_SECRET")`);
          break;
        default:
          lines.push(`\t${camel(1)} := ${camel(1)}.${camel(2)}(${int(100)})`);
      }
    }
    lines.push(`\treturn ${camel(1)}, nil`, "}", "");
  }
  return lines;
}

function json() {
  const obj = {};
  const n = 10 + int(60);
  for (let i = 0; i < n; i++) {
    obj[camel(2)] = pick([
      int(10000),
      snake(3),
      rand() < 0.12
        ? // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} placeholder is the data
          { key: snake(2), secret: "${SECRET}", token: null }
        : { id: int(999), enabled: rand() < 0.5 },
      [snake(1), snake(1), int(99)],
      sentence(),
      `${snake(1)}-${int(100)}`,
      rand() < 0.5,
      { name: camel(2), retries: int(9), url: `https://${snake(1)}.internal/${snake(2)}` },
    ]);
  }
  return JSON.stringify(obj, null, 2).split("\n");
}

function yaml() {
  const lines = [`version: "${int(4)}.${int(10)}"`, "services:"];
  const n = 3 + int(10);
  for (let i = 0; i < n; i++) {
    lines.push(`  ${snake(2)}:`, `    image: ${snake(1)}:${int(20)}`, "    environment:");
    if (rand() < 0.3)
      lines.push(`      ${snake(2).toUpperCase()}_TOKEN: \${${snake(2).toUpperCase()}_TOKEN}`);
    if (rand() < 0.3) lines.push(`      API_KEY: "<your-api-key>"`);
    lines.push(
      `      LOG_LEVEL: ${pick(["info", "debug", "warn"])}`,
      `      ${snake(2).toUpperCase()}: "${int(100)}"`,
    );
    lines.push(`    ports: ["${3000 + int(1000)}:${3000 + int(1000)}"]`);
  }
  return lines;
}

function markdown() {
  const lines = [`# ${camel(2)}`, ""];
  const n = 4 + int(12);
  for (let i = 0; i < n; i++) {
    lines.push(`## ${sentence()}`, "", `${sentence()} ${sentence()} ${sentence()}`, "");
    if (rand() < 0.3)
      lines.push(
        "```sh",
        `export API_KEY=your_api_key`,
        `curl -H "Authorization: Bearer $TOKEN" localhost:${3000 + int(100)}`,
        "```",
        "",
      );
  }
  return lines;
}

const KINDS = [
  ["js", () => js(false)],
  ["ts", () => js(true)],
  ["py", python],
  ["go", go],
  ["json", json],
  ["yaml", yaml],
  ["md", markdown],
];

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, ".gitignore"), "node_modules/\ndist/\n*.log\n");
let bytes = 0;
let files = 0;
let planted = 0;
while (bytes < targetBytes) {
  const sub = join(dir, `pkg-${files % 40}`, pick(["src", "lib", "test", "docs", "config"]));
  mkdirSync(sub, { recursive: true });
  const [ext, make] = pick(KINDS);
  const lines = [];
  // Files of 2–40 KB: concatenate generated units until the size is reached.
  const want = 2048 + int(38 * 1024);
  let size = 0;
  while (size < want) {
    const unit = make();
    for (const line of unit) size += line.length + 1;
    lines.push(...unit);
  }
  if (int(150) === 0) {
    const secret = pick(SECRETS)();
    lines.splice(int(lines.length), 0, `const ${camel(2)} = "${secret}";`);
    planted++;
  }
  const text = `${lines.join("\n")}\n`;
  writeFileSync(join(sub, `${snake(2)}-${files}.${ext}`), text);
  bytes += Buffer.byteLength(text);
  files++;
}
console.log(JSON.stringify({ dir, files, bytes, planted }));
