/**
 * @keysmith/scanner: finds leaked secrets — keysmith keys (checksum-validated) and fifteen
 * providers' tokens — in files, the git index and git history; installs a pre-commit hook;
 * audits a project. Usable without the keysmith server.
 *
 * @example
 * import { scanPaths, formatFindings } from "@keysmith/scanner";
 * const result = await scanPaths(["."]);
 * process.stdout.write(formatFindings(result.findings, "text"));
 */
export {
  type AuditCheckId,
  type AuditItem,
  type AuditOptions,
  type AuditReport,
  auditProject,
  formatAudit,
  scoreAudit,
} from "./audit.js";
export {
  applyBaseline,
  type Baseline,
  type BaselineEntry,
  readBaseline,
  toBaseline,
  writeBaseline,
} from "./baseline.js";
export {
  type Allowlist,
  applyAllowlist,
  checkNesting,
  GITLEAKS_CONFIG,
  GITLEAKS_IGNORE,
  loadScanConfig,
  SCAN_CONFIG,
  type ScanConfig,
  ScanConfigError,
  translateGoRegex,
  userRule,
} from "./config.js";
export {
  ALLOW_MARKER,
  ALLOW_MARKERS,
  createEngine,
  DEFAULT_FILE_BUDGET_MS,
  type Engine,
  type EngineOptions,
} from "./engine.js";
export { DEFAULT_MAX_FILE_SIZE, isBinary } from "./file-reader.js";
export { type FormatOptions, formatFindings, type OutputFormat } from "./format/index.js";
export { formatJson, type PrintedFinding, printableFindings } from "./format/json.js";
export { formatSarif, type SarifFormatOptions } from "./format/sarif.js";
export { formatText, type TextFormatOptions } from "./format/text.js";
export {
  DEFAULT_HOOK_COMMAND,
  HOOK_MARKER,
  type HookInstallResult,
  type HookUninstallResult,
  hookScript,
  type InstallHookOptions,
  installHook,
  isHookInstalled,
  PREVIOUS_HOOK,
  uninstallHook,
} from "./hook.js";
export { pathologicalInputs, probeRule, timeRegex } from "./linear-probe.js";
export { fingerprint, maskSecret } from "./mask.js";
export { builtinRules } from "./rules/index.js";
export { isPlaceholder, shannonEntropy } from "./rules/validators.js";
export {
  type GitScanOptions,
  type HistoryScanOptions,
  scanHistory,
  scanStaged,
  scanText,
} from "./scan-git.js";
export { type ScanPathsOptions, type ScanProgress, scanPaths, sortFindings } from "./scan-paths.js";
export type { Finding, Rule, ScanResult, Severity, Skipped } from "./types.js";
export { collectFiles, type FileEntry, KEYSMITH_IGNORE, type WalkOptions } from "./walk.js";
