import type { ServerResponse } from "node:http";
import type { FastifyBaseLogger } from "fastify";
import { Type } from "typebox";
import type { ChangeFeed } from "../changes.js";
import { requireScope } from "../domain/access.js";
import type { ChangeRecord } from "../domain/records.js";
import { type App, contextOf } from "../http-types.js";
import type { Store } from "../storage/store.js";
import { ErrorResponse } from "./schemas.js";

const HEARTBEAT_MS = 15_000;
/** While the feed is down, other nodes' changes are found by asking the database this often. */
const POLL_WHILE_DOWN_MS = 1000;
const BATCH = 500;

/**
 * `GET /v1/keys/changes`: every change that affects verification as Server-Sent Events, for
 * the SDK's local cache. Events carry the change log's sequence number as their id, so a client
 * that reconnects with `Last-Event-ID` (or `?since=`) misses nothing; without one the stream
 * starts with the next change. Each notification from the change feed is answered by reading
 * the log after the last number sent, so events arrive in order and exactly once per stream.
 */
export function changeRoutes(
  app: App,
  deps: { store: Store; changes: ChangeFeed; logger: FastifyBaseLogger },
): void {
  const open = new Set<ServerResponse>();
  app.addHook("preClose", (done) => {
    for (const response of open) response.end();
    done();
  });

  app.get(
    "/v1/keys/changes",
    {
      config: { scope: "keys:verify", hijacks: true },
      schema: {
        tags: ["keys"],
        summary:
          "Server-Sent Events of changes that affect verification (revoke, disable, roll, patch, project settings)",
        querystring: Type.Object(
          { since: Type.Optional(Type.Integer({ minimum: 0, description: "Resume after this event id" })) },
          { additionalProperties: false },
        ),
        headers: Type.Object({ "last-event-id": Type.Optional(Type.String({ pattern: "^[0-9]{1,15}$" })) }),
        response: { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request, reply) => {
      const ctx = contextOf(request);
      requireScope(ctx.actor, "keys:verify");
      const header = request.headers["last-event-id"];
      const resume = typeof header === "string" ? Number(header) : request.query.since;
      let cursor = resume ?? (await deps.store.changeLog.latest());
      const projectId = ctx.actor.projectId;

      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
        "x-request-id": request.id,
      });
      response.write("retry: 1000\n\n");
      open.add(response);

      let pumping = false;
      let again = false;
      const pump = async (): Promise<void> => {
        if (pumping) {
          again = true;
          return;
        }
        pumping = true;
        try {
          let rows: ChangeRecord[];
          do {
            again = false;
            rows = await deps.store.changeLog.since(cursor, projectId, BATCH);
            for (const row of rows) {
              cursor = row.seq;
              // Root keys, imports and rate-limit overrides change nothing an SDK cache holds.
              if (
                row.type.startsWith("root_key.") ||
                row.type.startsWith("ratelimit.") ||
                row.type === "keys.imported"
              )
                continue;
              const data = {
                seq: row.seq,
                type: row.type,
                keyId: row.keyId,
                projectId: row.projectId,
                at: new Date(row.at).toISOString(),
              };
              response.write(`id: ${row.seq}\nevent: ${row.type}\ndata: ${JSON.stringify(data)}\n\n`);
            }
          } while (again || rows.length === BATCH);
        } catch (err) {
          deps.logger.warn({ err, requestId: request.id }, "change stream read failed");
        } finally {
          pumping = false;
        }
      };

      const unsubscribe = deps.changes.subscribe(() => void pump());
      const unsubscribeStatus = deps.changes.onStatus(() => void pump());
      const heartbeat = setInterval(() => response.write(": keep-alive\n\n"), HEARTBEAT_MS);
      const poll = setInterval(() => {
        if (!deps.changes.connected) void pump();
      }, POLL_WHILE_DOWN_MS);
      heartbeat.unref();
      poll.unref();
      const cleanup = () => {
        open.delete(response);
        unsubscribe();
        unsubscribeStatus();
        clearInterval(heartbeat);
        clearInterval(poll);
      };
      response.on("close", cleanup);
      await pump();
    },
  );
}
