import type { Logger } from "pino";
import { buildApp, type KeysmithApp } from "./app.js";
import { bootstrapRootKey } from "./bootstrap.js";
import { systemClock } from "./clock.js";
import type { Config } from "./config.js";
import { openStore } from "./database.js";
import { RedisRateLimitStore } from "./metering/redis-rate-limit-store.js";
import { DEFAULT_DASHBOARD_ROOT } from "./plugins/dashboard.js";
import { RedisChangeFeed } from "./redis-change-feed.js";
import { readGithubScanningKeys } from "./routes/github-leaks.js";
import { unreachable } from "./storage/faults.js";
import type { Store } from "./storage/store.js";
import { openVault } from "./vault/open.js";
import { openWebhookKey, webhookKeyFile } from "./webhooks/secret-key.js";

/** How long a graceful stop waits for in-flight responses before closing their connections. */
export const SHUTDOWN_GRACE_MS = 5000;

export interface RunningServer {
  url: string;
  /** The first root key when this start created it (first start only), else null. */
  rootKey: string | null;
  keysmith: KeysmithApp;
  store: Store;
  /** Graceful stop: finish in-flight requests, flush buffers, close the database. */
  stop(): Promise<void>;
}

/**
 * Logs a periodic write that fails once when it starts failing (not every interval through an
 * outage) and once when it succeeds again; the rows it could not write stay buffered.
 */
function flushReporter(logger: Logger, what: string): { ok: () => void; failed: (err: unknown) => void } {
  let failing = false;
  return {
    ok() {
      if (!failing) return;
      failing = false;
      logger.info(`${what} written again: the database is back`);
    },
    failed(err: unknown) {
      if (failing) return;
      failing = true;
      const outage = unreachable(err) !== null;
      logger.warn(
        outage ? { code: (err as { code?: unknown }).code } : { err },
        `writing ${what} failed${outage ? " (database unreachable)" : ""}: kept in memory and retried`,
      );
    },
  };
}

/**
 * Listens, or fails with a line naming the setting to change: a port in use, a port the process
 * may not take, an address that is not this machine's.
 */
async function listen(app: KeysmithApp["app"], config: Config): Promise<string> {
  try {
    return await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const port = `KEYSMITH_PORT=${config.port}`;
    const host = `KEYSMITH_HOST=${JSON.stringify(config.host)}`;
    const because: Record<string, string> = {
      EADDRINUSE: `${port}: the port is already in use on ${config.host} (another keysmith, or another program): stop it or choose another port (KEYSMITH_PORT, or --port)`,
      EACCES: `${port}: this process may not listen on it (ports below 1024 need privileges): choose a port from 1024 up (KEYSMITH_PORT, or --port)`,
      EADDRNOTAVAIL: `${host}: not an address of this machine: use 127.0.0.1, 0.0.0.0 (every interface) or one of its addresses (KEYSMITH_HOST, or --host)`,
      ENOTFOUND: `${host}: no such address or host name: use 127.0.0.1, 0.0.0.0 (every interface) or one of the machine's addresses (KEYSMITH_HOST, or --host)`,
    };
    const message = typeof code === "string" ? because[code] : undefined;
    if (message === undefined) throw error;
    throw new Error(`${message} (${code})`);
  }
}

/**
 * Opens the database, migrates it, listens, and creates the first root key if there is none.
 * Signal handling belongs to the caller (the CLI), so tests can start and stop servers freely.
 */
export async function startServer(
  config: Config,
  logger: Logger,
  options: { shutdownGraceMs?: number } = {},
): Promise<RunningServer> {
  const store = await openStore(config.databaseUrl);
  let keysmith: KeysmithApp | undefined;
  let feed: RedisChangeFeed | undefined;
  try {
    // A wrong master key stops the start here, in one line; none at all leaves the vault off.
    // Before the bootstrap: a start that fails must not create a root key it never shows.
    const masterKey = await openVault(store, config, logger);
    if (config.trustProxy === true) {
      logger.warn(
        "KEYSMITH_TRUST_PROXY=true trusts every hop: any client can set its own address in X-Forwarded-For. Set a hop count (1) or the proxies' addresses instead.",
      );
    }
    const webhookSecrets = await openWebhookKey(
      store,
      { masterKey, keyFile: webhookKeyFile(config.databaseUrl), now: Date.now() },
      logger,
    );
    let lastRedisWarning = 0;
    let lastFeedWarning = 0;
    const rateLimits = config.redisUrl
      ? new RedisRateLimitStore({
          url: config.redisUrl,
          keyPrefix: config.redisKeyPrefix,
          failureMode: config.rateLimitFailureMode,
          timeoutMs: config.redisTimeoutMs,
          onError: (err) => {
            // One line per 10 s at most: an outage fails every check.
            const now = Date.now();
            if (now - lastRedisWarning < 10_000) return;
            lastRedisWarning = now;
            logger.warn(
              { err },
              `Redis failed: rate-limit checks answer fail-${config.rateLimitFailureMode}`,
            );
          },
        })
      : undefined;
    const changes = config.redisUrl
      ? new RedisChangeFeed({
          url: config.redisUrl,
          keyPrefix: config.redisKeyPrefix,
          onError: (err) => {
            const now = Date.now();
            if (now - lastFeedWarning < 10_000) return;
            lastFeedWarning = now;
            logger.warn(
              { err },
              "Redis change feed failed: cached keys are reread every second until it is back",
            );
          },
        })
      : undefined;
    if (changes) {
      feed = changes;
      await changes
        .ready()
        .catch((err: unknown) =>
          logger.warn({ err }, "change feed not up yet; serving with a short cache TTL"),
        );
    }
    const githubScanningKeys = config.githubScanningKeys
      ? readGithubScanningKeys(config.githubScanningKeys)
      : undefined;
    keysmith = await buildApp({
      ...(githubScanningKeys ? { githubScanningKeys } : {}),
      ...(rateLimits ? { rateLimits } : {}),
      ...(changes ? { changes } : {}),
      store,
      logger,
      masterKey,
      cacheSize: config.cacheSize,
      // One SQLite file has one server, which drops its own cache entries on every change.
      // Nodes sharing Postgres only see their own changes, so they reread keys every 5 s.
      cacheTtlMs:
        config.cacheTtlMs === "auto" ? (store.dialect === "postgres" ? 5000 : 0) : config.cacheTtlMs,
      cacheStaleIfErrorMs: config.cacheStaleIfError,
      usageBufferRows: config.usageBufferRows,
      bodyLimit: config.bodyLimit,
      trustProxy: config.trustProxy,
      webhookTargets: config.webhookAllowPrivate,
      webhookSecrets,
      dashboardRoot: DEFAULT_DASHBOARD_ROOT,
    });
    const app = keysmith.app;
    const lastUsedFlush = flushReporter(logger, "last-used times");
    const timer = setInterval(() => {
      keysmith?.flushLastUsed().then(lastUsedFlush.ok, lastUsedFlush.failed);
    }, config.lastUsedFlushMs);
    timer.unref();
    // Usage counts and spend: at most one interval is lost if the process dies; a graceful
    // stop flushes everything (app.close). While the database is down they stay buffered.
    const usageFlush = flushReporter(logger, "usage counts and spend");
    const meteringTimer = setInterval(() => {
      keysmith?.flushMetering().then(usageFlush.ok, usageFlush.failed);
    }, config.usageFlushMs);
    meteringTimer.unref();
    app.addHook("onClose", (_instance, done) => {
      clearInterval(timer);
      clearInterval(meteringTimer);
      done();
    });
    const address = await listen(app, config);
    // Last: a start that fails anywhere before (a port in use, a bad setting) must not create a
    // root key it never shows, since a later start shows none.
    const rootKey = await bootstrapRootKey(store, systemClock);
    let stopping: Promise<void> | undefined;
    const running: KeysmithApp = keysmith;
    return {
      url: address,
      rootKey,
      keysmith: running,
      store,
      stop() {
        // In-flight requests get a grace period, then their connections are cut: a client that
        // stops reading its response (or never finishes its request) must not hold the stop
        // forever; a container runtime kills the process ten seconds after its SIGTERM.
        stopping ??= (() => {
          const cut = setTimeout(
            () => app.server.closeAllConnections(),
            options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS,
          );
          return running
            .close()
            .finally(() => clearTimeout(cut))
            .finally(() => feed?.close())
            .finally(() => store.close());
        })();
        return stopping;
      },
    };
  } catch (error) {
    await keysmith?.close().catch(() => {});
    await feed?.close();
    await store.close();
    throw error;
  }
}
