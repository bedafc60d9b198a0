import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { encodeBase62, randomBase62 } from "@keysmith/core";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import { AlertService } from "./alerts/alerts.js";
import { expiringKeysJob } from "./alerts/expiring-keys.js";
import { raiseKeyEvents } from "./alerts/key-events.js";
import type { ChangeFeed } from "./changes.js";
import { LocalChangeFeed } from "./changes.js";
import { type Clock, systemClock } from "./clock.js";
import type { RateLimitStore } from "./domain/rate-limit.js";
import type { App, Services } from "./http-types.js";
import type { AlertSink } from "./metering/alert-sink.js";
import { BudgetTracker } from "./metering/budgets.js";
import { Detector } from "./metering/detector.js";
import { MemoryRateLimitStore } from "./metering/memory-rate-limit-store.js";
import { Meter } from "./metering/meter.js";
import { UsageRecorder } from "./metering/usage.js";
import { dashboard } from "./plugins/dashboard.js";
import { errorHandling, frameworkErrors } from "./plugins/errors.js";
import { checkedJsonParser } from "./plugins/json-body.js";
import { Metrics } from "./plugins/metrics.js";
import { openapi } from "./plugins/openapi.js";
import { replyBatching } from "./plugins/reply-batching.js";
import { routeAccess } from "./plugins/route-access.js";
import { serializerCompiler } from "./plugins/serializers.js";
import { validation } from "./plugins/validation.js";
import { auditRoutes } from "./routes/audit.js";
import { changeRoutes } from "./routes/changes.js";
import { type GithubScanningKeys, githubLeakRoutes } from "./routes/github-leaks.js";
import { identityRoutes } from "./routes/identities.js";
import { keyRoutes } from "./routes/keys.js";
import { leakRoutes } from "./routes/leaks.js";
import { projectRoutes } from "./routes/projects.js";
import { ratelimitRoutes } from "./routes/ratelimit.js";
import { roleRoutes } from "./routes/roles.js";
import { rootKeyRoutes } from "./routes/root-keys.js";
import { secretRoutes } from "./routes/secrets.js";
import { sessionRoutes } from "./routes/sessions.js";
import { usageRoutes } from "./routes/usage.js";
import { verifyRoutes } from "./routes/verify.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { AuditService } from "./services/audit.js";
import { IdentityService } from "./services/identities.js";
import { KeyService } from "./services/keys.js";
import { LeakService } from "./services/leaks.js";
import { ProjectService } from "./services/projects.js";
import { RateLimitService } from "./services/ratelimit.js";
import { RoleService } from "./services/roles.js";
import { RootAuth } from "./services/root-auth.js";
import { RootKeyService } from "./services/root-keys.js";
import { SessionService } from "./sessions/sessions.js";
import type { Store } from "./storage/store.js";
import { unitOfWork } from "./storage/unit-of-work.js";
import { rotationDueJob } from "./vault/rotation.js";
import { SecretService } from "./vault/secrets.js";
import { Verifier } from "./verify/verifier.js";
import { VERSION } from "./version.js";
import { WebhookDispatcher } from "./webhooks/dispatcher.js";
import { WebhookService } from "./webhooks/endpoints.js";
import { WebhookSecretBox } from "./webhooks/secret-box.js";
import { PUBLIC_ONLY, type TargetPolicy } from "./webhooks/target-policy.js";

/**
 * Request ids: `req_` + 14 random base62 characters per process + an 8-character counter.
 * Unique per process like `newId("req")`, at a fraction of its cost (no clock read, no random
 * draw per request). The counter's last two characters come from a table and the rest is
 * rebuilt once every 3,844 requests, so an id is one concatenation.
 */
function requestIds(): (request: IncomingMessage) => string {
  const prefix = `req_${randomBase62(14)}`;
  const LOW = 62 * 62;
  const low = Array.from({ length: LOW }, (_, i) => encodeBase62(i, 2));
  let counter = 0;
  let high = "";
  return (request) => {
    // The metrics' start time, taken here, where Fastify first sees the request: an onRequest
    // hook only for it would cost a hook run (three closures) per request.
    (request as Arrived).arrivedAt = performance.now();
    const n = counter;
    counter = (counter + 1) % 218_340_105_584_896;
    const i = n % LOW;
    if (i === 0 || high === "") high = prefix + encodeBase62((n - i) / LOW, 6);
    return high + (low[i] as string);
  };
}

type DoneWith = (err: Error | null, payload?: unknown) => void;

/** A raw request with the time it arrived (set by the request-id generator). */
type Arrived = IncomingMessage & { arrivedAt?: number };

/** Seconds since the request arrived. */
const elapsed = (request: FastifyRequest): number =>
  (performance.now() - ((request.raw as Arrived).arrivedAt ?? performance.now())) / 1000;

/** `KEYSMITH_CACHE_STALE_IF_ERROR`'s default: 5 minutes. */
const DEFAULT_STALE_IF_ERROR_MS = 300_000;

export interface AppOptions {
  store: Store;
  logger: FastifyBaseLogger;
  clock?: Clock;
  changes?: ChangeFeed;
  /** Keys held by the verification cache. */
  cacheSize?: number;
  /** Rereads a cached key after this many ms (0: only when a change drops it). */
  cacheTtlMs?: number;
  /** While the database is unreachable, cached keys keep verifying this long past their TTL (default 5 min). */
  cacheStaleIfErrorMs?: number;
  /** Usage rows held while the database refuses writes (default 1 000 000); older ones are dropped past it. */
  usageBufferRows?: number;
  /** Largest request body in bytes. */
  bodyLimit?: number;
  /** Which hops may set `X-Forwarded-For` (what Fastify's `trustProxy` takes; default none). */
  trustProxy?: boolean | number | string | string[];
  /** How often the webhook dispatcher looks for due deliveries once the app listens (default 1000 ms). */
  webhookIntervalMs?: number;
  /** Per webhook request (default 10 000 ms). */
  webhookTimeoutMs?: number;
  /**
   * Seals and opens webhook signing secrets (`openWebhookKey`). Default: a random key for this
   * process only, for tests and embedding: secrets created then cannot be read after a restart.
   */
  webhookSecrets?: WebhookSecretBox;
  /** Which addresses webhooks may target (default: public ones only; `KEYSMITH_WEBHOOK_ALLOW_PRIVATE`). */
  webhookTargets?: TargetPolicy;
  /** Where rate-limit counters live (default: this process's memory). */
  rateLimits?: RateLimitStore;
  /** The vault's master key, already checked (`openVault`); without one /v1/secrets answers VAULT_LOCKED. */
  masterKey?: Buffer | null;
  /** GitHub's secret-scanning public keys; without them `POST /v1/leaks/github` answers 401. */
  githubScanningKeys?: GithubScanningKeys;
  /** Serves the dashboard built in this folder at `/` (default: no dashboard). */
  dashboardRoot?: string | null;
}

export interface KeysmithApp {
  app: App;
  verifier: Verifier;
  rootAuth: RootAuth;
  services: Services;
  metrics: Metrics;
  /** Raises alerts (`raise`, or `raiseLater` from hot paths) and fans them out to webhooks. */
  alerts: AlertService;
  /** Sends the webhook outbox; started when the app listens, stopped by `close()`. */
  dispatcher: WebhookDispatcher;
  usage: UsageRecorder;
  budgets: BudgetTracker;
  /** Writes buffered last-use times to the database. */
  flushLastUsed(): Promise<void>;
  /** Writes buffered usage counts and spend to the database. */
  flushMetering(): Promise<void>;
  /** Stops accepting requests, flushes buffers and closes the app (not the store). */
  close(): Promise<void>;
}

/**
 * Builds the keysmith HTTP app on a store. Nothing here reads the environment or the clock
 * directly: configuration and time come in through `options`, so tests build it in-process.
 *
 * @example
 * const { app } = await buildApp({ store, logger: pino() });
 * await app.inject({ method: "GET", url: "/healthz" });
 */
export async function buildApp(options: AppOptions): Promise<KeysmithApp> {
  const clock = options.clock ?? systemClock;
  const changes = options.changes ?? new LocalChangeFeed();
  const { store } = options;
  const write = unitOfWork({ store, clock, changes });
  const deps = { store, clock, changes, write };
  const logError = (message: string) => (err: unknown) => options.logger.error({ err }, message);
  const alertService = new AlertService({
    store,
    clock,
    logger: options.logger,
    onRaised: () => dispatcher.nudge(),
  });
  const alerts: AlertSink = alertService;
  const webhookTargets = options.webhookTargets ?? PUBLIC_ONLY;
  const webhookSecrets = options.webhookSecrets ?? new WebhookSecretBox(randomBytes(32));
  const webhooks = new WebhookService({
    store,
    write,
    clock,
    secrets: webhookSecrets,
    policy: webhookTargets,
  });
  const dispatcher = new WebhookDispatcher({
    store,
    clock,
    logger: options.logger,
    timeoutMs: options.webhookTimeoutMs ?? 10_000,
    policy: webhookTargets,
    secrets: webhookSecrets,
    jobs: [
      expiringKeysJob({ store, alerts: alertService }),
      rotationDueJob({ vault: store.vault, alerts: alertService }),
    ],
  });
  const stopKeyEvents = raiseKeyEvents({ changes, keys: store.keys, alerts: alertService });
  const keyService = new KeyService(deps);
  const rateLimits = options.rateLimits ?? new MemoryRateLimitStore();
  // Nodes sharing Postgres spend against the same budgets; a SQLite file has one server.
  const budgets = new BudgetTracker(store.usage, alerts, logError("raising a budget alert failed"), {
    shared: store.dialect === "postgres",
  });
  const detector = new Detector({
    alerts,
    onError: logError("raising a detection alert failed"),
    onAnomaly: (keyId, projectId) => {
      keyService.disableOnAnomaly(keyId, projectId).catch(logError("disabling a spiking key failed"));
    },
  });
  const usage = new UsageRecorder(store.usage, detector, {
    maxBuffered: options.usageBufferRows ?? 1_000_000,
    onOverflow: (max) =>
      options.logger.warn(
        `usage buffer full (${max} rows) while the database refuses writes: further verifications are answered but not counted (keysmith_usage_rows_dropped_total)`,
      ),
  });
  const verifier = new Verifier({
    store,
    clock,
    changes,
    meter: new Meter(rateLimits, store.keys, budgets, store.identities),
    usage,
    cacheSize: options.cacheSize ?? 100_000,
    cacheTtlMs: options.cacheTtlMs ?? 0,
    staleIfErrorMs: options.cacheStaleIfErrorMs ?? DEFAULT_STALE_IF_ERROR_MS,
  });
  const rootAuth = new RootAuth({
    store,
    clock,
    changes,
    cacheTtlMs: options.cacheTtlMs ?? 0,
    staleIfErrorMs: options.cacheStaleIfErrorMs ?? DEFAULT_STALE_IF_ERROR_MS,
  });
  const ratelimits = new RateLimitService({ ...deps, rateLimits, cacheTtlMs: options.cacheTtlMs ?? 0 });
  const sessions = new SessionService({ store, write, clock });
  const leaks = new LeakService({ store, write, clock, keys: keyService, alerts: alertService });
  const services: Services = {
    projects: new ProjectService(deps),
    keys: keyService,
    rootKeys: new RootKeyService(deps),
    audit: new AuditService(deps),
    secrets: new SecretService({ ...deps, masterKey: options.masterKey ?? null }),
    identities: new IdentityService(deps),
    roles: new RoleService(deps),
    verifier,
    clock,
  };
  const metrics = new Metrics({
    cacheSize: () => verifier.cacheSize,
    feedConnected: () => changes.connected,
    staleAnswers: () => verifier.staleAnswers + rootAuth.staleAnswers,
    usageBuffered: () => usage.buffered,
    usageDropped: () => usage.dropped,
  });

  const trustProxy = options.trustProxy ?? false;
  const app: App = Fastify({
    // No logger for Fastify itself: given one, Fastify builds a child logger for every request
    // (a bindings object, a logger check) and listens for every response's `finish`, whether
    // or not anything is logged — about a tenth of a verify request's CPU. keysmith logs per
    // request only on errors, which its error handler and routes write to `options.logger`
    // with the request id. `request.log` is Fastify's no-op logger: do not use it.
    // No log line per request either: at tens of thousands of verifications a second it would
    // cost more than the verification.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // A hop count as the function proxy-addr would build from it (Fastify's types take no number).
    trustProxy:
      typeof trustProxy === "number" ? (_address: string, hop: number) => hop < trustProxy : trustProxy,
    genReqId: requestIds(),
    requestIdHeader: false,
    frameworkErrors,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  }).withTypeProvider<TypeBoxTypeProvider>();

  validation(app);
  app.setSerializerCompiler(serializerCompiler);
  errorHandling(app, options.logger);
  await openapi(app, VERSION);

  // JSON as Fastify parses it (prototype poisoning rejected), but an empty body is no body:
  // clients commonly send `Content-Type: application/json` on a body-less POST like /revoke.
  const parseJson = checkedJsonParser(app.getDefaultJsonParser("error", "error"));
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") return done(null, undefined);
    parseJson(request, body as string, done);
  });

  app.decorateRequest("actor", null);
  // Every /v1 route declares the scope it needs; this enforces it (a Bearer root key, or else
  // the dashboard's session cookie, which also checks CSRF).
  routeAccess(app, {
    bearer: (header) => rootAuth.authenticate(header),
    session: (request) => (sessions.hasCookie(request) ? sessions.authenticate(request) : undefined),
  });
  // Every answer sent through Fastify carries its request id (a hijacked reply sets its own).
  // An onSend hook rather than an onRequest one: the route's metrics hook runs in the same
  // pass, so a request runs one hook chain instead of two. The answer then waits for the end of
  // the event-loop turn and goes out with the others of that turn (plugins/reply-batching.ts).
  const batched = replyBatching(options.logger);
  app.addHook("onSend", (request, reply, payload, done) => {
    reply.header("x-request-id", request.id);
    batched(done, payload);
  });
  // Each route gets its own hook holding its metrics slot: reading `request.routeOptions.url`
  // per request builds an object every time. The hook is an onSend one, run as the answer is
  // handed to Node: an onResponse hook would add two listeners to every response (`finish`,
  // `error`) and remove them again. A route that hijacks its reply (an event stream) sends
  // nothing through Fastify and is counted when its response ends instead.
  app.addHook("onRoute", (route) => {
    const stats = metrics.route(route.url ?? "unmatched");
    if (route.config?.hijacks) {
      const ended = (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
        metrics.request(stats, request.method, reply.statusCode, elapsed(request));
        done();
      };
      route.onResponse = route.onResponse ? [route.onResponse, ended].flat() : [ended];
      return;
    }
    const sent = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: DoneWith) => {
      metrics.request(stats, request.method, reply.statusCode, elapsed(request));
      done(null, payload);
    };
    route.onSend = route.onSend ? [route.onSend, sent].flat() : [sent];
  });

  // The outbox is sent by serving nodes only; in-process tests (inject) drive it with runOnce().
  app.addHook("onListen", async () => {
    const intervalMs = options.webhookIntervalMs ?? 1000;
    if (intervalMs > 0) dispatcher.start(intervalMs);
  });
  app.get("/healthz", { schema: { hide: true } }, () => ({ status: "ok" }));
  app.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
    const database = await store.ping();
    // A node whose change feed is down still serves (from a short cache TTL), so it stays
    // ready; the state is reported for operators and in /metrics.
    const changeFeed = changes instanceof LocalChangeFeed ? "local" : changes.connected ? "up" : "down";
    return reply.code(database ? 200 : 503).send({
      status: database ? "ready" : "unavailable",
      database,
      changeFeed,
      cache: verifier.degraded ? "short-ttl" : "normal",
    });
  });
  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.render()),
  );

  await app.register(async (v1) => {
    const api = v1.withTypeProvider<TypeBoxTypeProvider>();
    projectRoutes(api, services);
    verifyRoutes(api, services, metrics);
    keyRoutes(api, services);
    leakRoutes(api, services, { leaks, rateLimits });
    githubLeakRoutes(api, { leaks, keys: options.githubScanningKeys ?? new Map() });
    rootKeyRoutes(api, services);
    auditRoutes(api, services);
    webhookRoutes(api, { webhooks, alerts: alertService });
    usageRoutes(api, services, usage);
    secretRoutes(api, services);
    changeRoutes(api, { store, changes, logger: options.logger });
    ratelimitRoutes(api, ratelimits);
    identityRoutes(api, services);
    roleRoutes(api, services);
  });
  sessionRoutes(app, { sessions, rootAuth, clock });
  if (options.dashboardRoot) await dashboard(app, { root: options.dashboardRoot });

  // A failed write (the database is down) gives its rows back, to be written by a later flush.
  const flushLastUsed = async (): Promise<void> => {
    const keys = verifier.drainLastUsed();
    const roots = rootAuth.drainLastUsed();
    const [k, r] = await Promise.allSettled([
      keys.size ? store.keys.touch(keys) : undefined,
      roots.size ? store.rootKeys.touch(roots) : undefined,
    ]);
    if (k.status === "rejected") verifier.restoreLastUsed(keys);
    if (r.status === "rejected") rootAuth.restoreLastUsed(roots);
    if (k.status === "rejected") throw k.reason;
    if (r.status === "rejected") throw r.reason;
  };

  const flushMetering = async (): Promise<void> => {
    usage.sweep(clock.now());
    const [u, b] = await Promise.allSettled([usage.flush(), budgets.flush()]);
    if (u.status === "rejected") throw u.reason;
    if (b.status === "rejected") throw b.reason;
  };

  return {
    app,
    verifier,
    rootAuth,
    services,
    metrics,
    alerts: alertService,
    dispatcher,
    usage,
    budgets,
    flushLastUsed,
    flushMetering,
    async close() {
      await app.close();
      // With the database down, what is still buffered cannot be written: say how much, and
      // still close everything else.
      const flushed = await Promise.allSettled([flushLastUsed(), flushMetering()]);
      const failed = flushed.find((f) => f.status === "rejected");
      if (failed) {
        options.logger.warn(
          { code: (failed.reason as { code?: unknown }).code, usageRows: usage.buffered },
          "closing with usage, spend or last-use times that could not be written",
        );
      }
      await rateLimits.close();
      verifier.close();
      rootAuth.close();
      ratelimits.close();
      stopKeyEvents();
      await alertService.drain();
      await dispatcher.stop();
    },
  };
}
