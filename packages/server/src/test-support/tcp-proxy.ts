import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1), stable across cut and restore. */
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  through(url: string): string;
  /** Connections open through the proxy right now. */
  readonly connections: number;
  /**
   * The outage: every open connection is destroyed (both sides reset) and the port stops
   * listening, so new connections are refused — what a client sees when the service dies.
   */
  cut(): Promise<void>;
  /** Listens again on the same port; clients reconnect by themselves. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy on loopback between keysmith and a service (Postgres, Redis), for fault tests:
 * `cut()` kills the service from keysmith's point of view, `restore()` brings it back, without
 * touching the service that other tests share.
 *
 * @example
 * const proxy = await startTcpProxy("127.0.0.1", 5432);
 * const url = proxy.through("postgres://postgres@127.0.0.1:5432/db");
 * await proxy.cut(); … await proxy.restore();
 */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const pipe = (client: Socket) => {
    const upstream = connect(targetPort, targetHost);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  };
  let server: Server = createServer(pipe);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  const port = await listen(0);
  return {
    port,
    through(url) {
      const parsed = new URL(url);
      parsed.hostname = "127.0.0.1";
      parsed.port = String(port);
      return parsed.toString();
    },
    get connections() {
      return open.size / 2;
    },
    cut: stop,
    async restore() {
      if (server.listening) return;
      server = createServer(pipe);
      await listen(port);
    },
    close: stop,
  };
}

/**
 * Polls `condition` until it holds, or fails after `timeoutMs` with `what` in the message: the
 * fault tests wait for an event (a reconnection, a flush) instead of sleeping a fixed time.
 */
export async function eventually<T>(
  what: string,
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
