import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { KeysmithError } from "@keysmith/core";
import type { FastifyRequest } from "fastify";
import type { Clock } from "../clock.js";
import type { ActionContext } from "../domain/access.js";
import type { RootKeyRecord, SessionRecord } from "../domain/records.js";
import type { Store } from "../storage/store.js";
import type { Write } from "../storage/unit-of-work.js";
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

/** A dashboard session as stored: hashes of its id and CSRF token, and its deadlines. */
export type Session = SessionRecord;

/** A signed-in request: its session and the root key behind it. */
export interface ActiveSession {
  session: Session;
  actor: RootKeyRecord;
  /** Recomputed from the request's cookie; never stored. */
  csrfToken: string;
}

export interface SessionServiceOptions {
  store: Pick<Store, "sessions" | "rootKeys">;
  write: Write;
  clock: Clock;
  idleMs?: number;
  maxMs?: number;
}

const sha256 = (value: string): string => createHash("sha256").update(value).digest("hex");

/**
 * The CSRF token of a session: an HMAC of a fixed label under the session id. Only the holder
 * of the cookie can compute it, and a page of another origin can read neither.
 */
export const csrfTokenFor = (sessionId: string): string =>
  createHmac("sha256", sessionId).update("keysmith dashboard csrf v1").digest("base64url");

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
  private readonly store: SessionServiceOptions["store"];
  private readonly write: Write;
  private readonly clock: Clock;
  private readonly idleMs: number;
  private readonly maxMs: number;
  private readonly active = new WeakMap<FastifyRequest, ActiveSession>();

  constructor(options: SessionServiceOptions) {
    this.store = options.store;
    this.write = options.write;
    this.clock = options.clock;
    this.idleMs = options.idleMs ?? SESSION_IDLE_MS;
    this.maxMs = options.maxMs ?? SESSION_MAX_MS;
  }

  /** Opens a session for an authenticated root key and audits it (`session.create`). */
  async create(ctx: ActionContext): Promise<{ sessionId: string; session: Session; csrfToken: string }> {
    const sessionId = randomBytes(32).toString("base64url");
    const csrfToken = csrfTokenFor(sessionId);
    const session = await this.write(ctx, async (tx) => {
      const now = tx.now;
      const session: Session = {
        idHash: sha256(sessionId),
        rootKeyId: ctx.actor.id,
        csrfHash: sha256(csrfToken),
        createdAt: now,
        expiresAt: now + this.idleMs,
        maxExpiresAt: now + this.maxMs,
      };
      // Expired sessions are swept here rather than by a timer: sign-ins are rare and cheap.
      await tx.sessions.deleteExpired(now);
      await tx.sessions.insert(session);
      await tx.audit("session.create", this.target(ctx));
      return session;
    });
    return { sessionId, session, csrfToken };
  }

  /**
   * The live session a session id names, or null: unknown, idle too long, past its lifetime, or
   * its root key revoked or expired (which ends every session of that key).
   */
  async resolve(sessionId: string): Promise<ActiveSession | null> {
    const session = await this.store.sessions.get(sha256(sessionId));
    if (!session) return null;
    const now = this.clock.now();
    if (session.expiresAt <= now) {
      // This one, and any other that ended unnoticed.
      await this.store.sessions.deleteExpired(now);
      return null;
    }
    const actor = await this.store.rootKeys.get(session.rootKeyId);
    if (!actor || actor.revokedAt !== null || (actor.expiresAt !== null && actor.expiresAt <= now)) {
      await this.store.sessions.deleteForRootKey(session.rootKeyId);
      return null;
    }
    const next = Math.min(now + this.idleMs, session.maxExpiresAt);
    if (next - session.expiresAt >= TOUCH_EVERY_MS) {
      await this.store.sessions.extend(session.idHash, next);
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
    await this.write(ctx, async (tx) => {
      await tx.sessions.delete(session.idHash);
      await tx.audit("session.delete", this.target(ctx));
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

  private target(ctx: ActionContext) {
    return { type: "root_key", id: ctx.actor.id, projectId: ctx.actor.projectId };
  }
}
