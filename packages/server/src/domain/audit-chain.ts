import { hash } from "node:crypto";
import type { AuditEntry } from "./records.js";

export const GENESIS_HASH = "0".repeat(64);

/**
 * SHA-256 over a canonical array of every field but the hash itself, so changing any field,
 * or the order of entries, changes every hash after it.
 */
export function auditHash(entry: Omit<AuditEntry, "hash">): string {
  const canonical = JSON.stringify([
    entry.seq,
    entry.id,
    entry.at,
    entry.actorType,
    entry.actorId,
    entry.action,
    entry.targetType,
    entry.targetId,
    entry.projectId,
    entry.requestId,
    entry.sourceIp,
    canonicalJson(entry.details),
    entry.prevHash,
  ]);
  return hash("sha256", canonical, "hex");
}

/** JSON with object keys sorted, so the hash does not depend on how a database returns them. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

export interface ChainReport {
  valid: boolean;
  checked: number;
  /** The first entry that does not fit the chain, or null. */
  brokenAt: number | null;
  reason: string | null;
  headHash: string;
}

/**
 * Checks the chain page by page: sequence numbers without gaps (a removed entry), each
 * `prevHash` equal to the hash before it, and each hash recomputed from its fields (a change).
 */
export async function verifyAuditChain(
  readPage: (afterSeq: number, limit: number) => Promise<AuditEntry[]>,
  pageSize = 1000,
): Promise<ChainReport> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const entries = await readPage(expectedSeq - 1, pageSize);
    for (const entry of entries) {
      const broken = (reason: string): ChainReport => ({
        valid: false,
        checked,
        brokenAt: entry.seq,
        reason,
        headHash: prevHash,
      });
      if (entry.seq !== expectedSeq) return broken(`entry ${expectedSeq} is missing`);
      if (entry.prevHash !== prevHash) return broken("prevHash does not match the entry before it");
      if (auditHash(entry) !== entry.hash) return broken("the entry's content does not match its hash");
      prevHash = entry.hash;
      expectedSeq++;
      checked++;
    }
    if (entries.length < pageSize)
      return { valid: true, checked, brokenAt: null, reason: null, headHash: prevHash };
  }
}
