#!/usr/bin/env node
/**
 * Findings on a tree that should hold no secrets (issue #15: this repository's node_modules):
 * `node bench/false-positives.mjs <dir>`. Scans with the built package, .gitignore not honoured,
 * and prints MB scanned, findings per rule and findings per 10 MB as one JSON line, then one line
 * per finding (rule, path:line, masked value) to judge by hand.
 */
const { scanPaths, builtinRules } = await import(new URL("../dist/index.js", import.meta.url).href);
const { resolve } = await import("node:path");
const dir = process.argv[2] && resolve(process.argv[2]);
if (!dir) {
  console.error("usage: false-positives.mjs <dir>");
  process.exit(2);
}
const result = await scanPaths([dir], { root: dir, gitignore: false });
const byRule = {};
for (const f of result.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
const mb = result.bytes / 1e6;
console.log(
  JSON.stringify({
    rules: builtinRules.length,
    files: result.scanned,
    mb: Math.round(mb),
    findings: result.findings.length,
    per10MB: Number(((result.findings.length / mb) * 10).toFixed(2)),
    byRule,
    skipped: result.skipped.length,
    ms: Math.round(result.durationMs),
  }),
);
for (const f of result.findings) console.log(`${f.ruleId}\t${f.file}:${f.line}\t${f.masked}`);
