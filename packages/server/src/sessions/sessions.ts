import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { KeysmithError } from "@keysmith/core";
import type { FastifyRequest } from "fastify";
import type { Kysely } from "kysely";
import type { Clock } from "../clock.js";
import { type ActionContext, auditEntry } from "../domain/access.js";
import type { RootKeyRecord } from "../domain/records.js";
import type { Database } from "../storage/schema.js";
import { Repo, type Store } from "../storage/store.js";
import { readCookie, serializeCookie } from "./cookies.js";

export const SESSION_COOKIE = "keysmith_session";
export const CSRF_HEADER = "x-csrf-token";
/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 12 * 3_600_000;
/** …and after this long in any case. */
export const SESSION_MAX_MS = 7 * 86_400_000;
// The idle deadline moves at most once a minute: not a write per dashboard request.
const TOUCH_EVERY_MS = 60_000;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface SessionsTable {
  /** SHA-256 (hex) of the session id; the id itself lives only in the browser's cookie. */
  id_hash: string;
  root_key_id: string;
  /**
   * SHA-256 (hex) of the session's CSRF token. The token is derived from the session id
   * (`csrfTokenFor`), so the server can hand it out again after a reload without keeping it.
   */
  csrf_hash: string;
  created_at: number;
  expires_at: number;
  max_expires_at: number;
}

type SessionDatabase = Database & { sessions: SessionsTable };

export interface Session {
  idHash: string;
  rootKeyId: string;
  csrfHash: string;
  createdAt: number;
  expiresAt: number;
  maxExpiresAt: number;
}

/** A signed-in request: its session and the root key behind it. */
export interface ActiveSession {
  session: Session;
  actor: RootKeyRecord;
  /** Recomputed from the request's cookie; never stored. */
  csrfToken: string;
}

export interface SessionServiceOptions {
  store: Store;
  clock: Clock;
  idleMs?: number;
  maxMs?: number;
}

/** The session table's queries, on a connection or inside a transaction. */
class SessionRepo extends Repo {
  get sessions(): Kysely<SessionDatabase> {
    // A transaction is a Kysely too; withTables keeps it on the same connection.
    return (this.db as Kysely<Database>).withTables<{ sessions: SessionsTable }>();
  }
}

const sha256 = (value: string): string => createHash("sha256").update(value).digest("hex");

/**
 * The CSRF token of a session: an HMAC of a fixed label under the session id. Only the holder
 * of the cookie can compute it, and a page of another origin can read neither.
 */
export const csrfTokenFor = (sessionId: string): string =>
  createHmac("sha256", sessionId).update("keysmith dashboard csrf v1").digest("base64url");

const toSession = (row: SessionsTable): Session => ({
  idHash: row.id_hash,
  rootKeyId: row.root_key_id,
  csrfHash: row.csrf_hash,
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  maxExpiresAt: Number(row.max_expires_at),
});

/** The header's token against the stored hash: both sides SHA-256, compared in constant time. */
function sameToken(expectedHash: string, given: string | string[] | undefined): boolean {
  if (typeof given !== "string" || given.length > 200) return false;
  return timingSafeEqual(Buffer.from(expectedHash, "hex"), createHash("sha256").update(given).digest());
}

/**
 * Dashboard sessions: a root key exchanged once for an opaque cookie, so the browser never keeps
 * the root key. Only hashes of the session id and of its CSRF token are stored, and lookups go by
 * hash; every state-changing request made with the cookie must also carry the session's CSRF
 * token in `x-csrf-token`.
 *
 * @example
 * const { sessionId, session } = await sessions.create(ctx);
 * reply.header("set-cookie", sessions.cookie(sessionId, request));
 */
export class SessionService {
  private readonly repo: SessionRepo;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly idleMs: number;
  private readonly maxMs: number;
  private readonly active = new WeakMap<FastifyRequest, ActiveSession>();

  constructor(options: SessionServiceOptions) {
    this.store = options.store;
    this.repo = new SessionRepo(options.store.database, options.store.dialect);
    this.clock = options.clock;
    this.idleMs = options.idleMs ?? SESSION_IDLE_MS;
    this.maxMs = options.maxMs ?? SESSION_MAX_MS;
  }

  /** Opens a session for an authenticated root key and audits it (`session.create`). */
  async create(ctx: ActionContext): Promise<{ sessionId: string; session: Session; csrfToken: string }> {
    const now = this.clock.now();
    const sessionId = randomBytes(32).toString("base64url");
    const csrfToken = csrfTokenFor(sessionId);
    const row: SessionsTable = {
      id_hash: sha256(sessionId),
      root_key_id: ctx.actor.id,
      csrf_hash: sha256(csrfToken),
      created_at: now,
      expires_at: now + this.idleMs,
      max_expires_at: now + this.maxMs,
    };
    await this.store.database.transaction().execute(async (trx) => {
      const repo = new SessionRepo(trx, this.store.dialect);
      // Expired sessions are swept here rather than by a timer: sign-ins are rare and cheap.
      await repo.sessions.deleteFrom("sessions").where("expires_at", "<=", now).execute();
      await repo.sessions.insertInto("sessions").values(row).execute();
      await repo.appendAudit(this.entry(ctx, "session.create"), now);
    });
    return { sessionId, session: toSession(row), csrfToken };
  }

  /**
   * The live session a session id names, or null: unknown, idle too long, past its lifetime, or
   * its root key revoked or expired (which ends every session of that key).
   */
  async resolve(sessionId: string): Promise<ActiveSession | null> {
    const idHash = sha256(sessionId);
    const row = await this.repo.sessions
      .selectFrom("sessions")
      .selectAll()
      .where("id_hash", "=", idHash)
      .executeTakeFirst();
    if (!row) return null;
    const session = toSession(row);
    const now = this.clock.now();
    if (session.expiresAt <= now) {
      await this.repo.sessions.deleteFrom("sessions").where("id_hash", "=", idHash).execute();
      return null;
    }
    const actor = await this.store.rootKeys.get(session.rootKeyId);
    if (!actor || actor.revokedAt !== null || (actor.expiresAt !== null && actor.expiresAt <= now)) {
      await this.repo.sessions.deleteFrom("sessions").where("root_key_id", "=", session.rootKeyId).execute();
      return null;
    }
    const next = Math.min(now + this.idleMs, session.maxExpiresAt);
    if (next - session.expiresAt >= TOUCH_EVERY_MS) {
      await this.repo.sessions
        .updateTable("sessions")
        .set({ expires_at: next })
        .where("id_hash", "=", idHash)
        .execute();
      session.expiresAt = next;
    }
    return { session, actor, csrfToken: csrfTokenFor(sessionId) };
  }

  /** True when the request carries a session cookie (valid or not). */
  hasCookie(request: FastifyRequest): boolean {
    return readCookie(request.headers.cookie, SESSION_COOKIE) !== null;
  }

  /**
   * The root key behind the request's session cookie, or null when there is no live session.
   * A state-changing method without the session's CSRF token throws FORBIDDEN.
   */
  async authenticate(request: FastifyRequest): Promise<RootKeyRecord | null> {
    const sessionId = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (sessionId === null || sessionId.length > 200) return null;
    const active = await this.resolve(sessionId);
    if (active === null) return null;
    if (
      !SAFE_METHODS.has(request.method) &&
      !sameToken(active.session.csrfHash, request.headers[CSRF_HEADER])
    ) {
      throw new KeysmithError(
        "FORBIDDEN",
        `A request signed in with a session cookie must send the session's ${CSRF_HEADER} header.`,
        { reason: "csrf" },
      );
    }
    this.active.set(request, active);
    return active.actor;
  }

  /** The session `authenticate` found for this request, if it was made with a cookie. */
  current(request: FastifyRequest): ActiveSession | undefined {
    return this.active.get(request);
  }

  /** Ends a session and audits it (`session.delete`). */
  async destroy(ctx: ActionContext, session: Session): Promise<void> {
    const now = this.clock.now();
    await this.store.database.transaction().execute(async (trx) => {
      const repo = new SessionRepo(trx, this.store.dialect);
      await repo.sessions.deleteFrom("sessions").where("id_hash", "=", session.idHash).execute();
      await repo.appendAudit(this.entry(ctx, "session.delete"), now);
    });
  }

  /** The `Set-Cookie` value that hands the browser its session id (Secure over HTTPS). */
  cookie(sessionId: string, request: FastifyRequest): string {
    return serializeCookie(SESSION_COOKIE, sessionId, { secure: request.protocol === "https" });
  }

  /** The `Set-Cookie` value that makes the browser forget its session. */
  clearCookie(request: FastifyRequest): string {
    return serializeCookie(SESSION_COOKIE, "", { secure: request.protocol === "https", maxAge: 0 });
  }

  private entry(ctx: ActionContext, action: string) {
    return auditEntry(ctx, action, { type: "root_key", id: ctx.actor.id, projectId: ctx.actor.projectId });
  }
}
