import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook, type WebhookVerification } from "./signing.js";

export interface ReceivedDelivery {
  /** The webhook-id header: the alert id. */
  id: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: tests read delivery JSON freely
  body: any;
  raw: string;
  headers: Record<string, string | string[] | undefined>;
  verification: WebhookVerification;
  /** What the receiver answered. */
  status: number;
}

export interface TestReceiver {
  url: string;
  /** Set once the endpoint is created; every delivery is checked against it. */
  secret: string;
  received: ReceivedDelivery[];
  /** Deliveries the receiver answered 2xx and whose signature verified. */
  accepted(): ReceivedDelivery[];
  /** Resolves with the next delivery to arrive. */
  next(): Promise<ReceivedDelivery>;
  /** The next answers, in order; 200 once they run out. */
  respond(...statuses: number[]): void;
  close(): Promise<void>;
}

/**
 * A real webhook endpoint on 127.0.0.1 that verifies every delivery's signature with
 * `verifyWebhook` against the test's clock, as a customer's receiver would.
 */
export async function startReceiver(now: () => number): Promise<TestReceiver> {
  const queue: number[] = [];
  const received: ReceivedDelivery[] = [];
  const waiting: Array<(delivery: ReceivedDelivery) => void> = [];
  const receiver = {
    secret: "",
    received,
  } as TestReceiver;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const verification = verifyWebhook(receiver.secret, request.headers, raw, { now: now() });
      const status = verification.valid ? (queue.shift() ?? 200) : 400;
      let body: unknown = null;
      try {
        body = JSON.parse(raw);
      } catch {}
      const id = request.headers["webhook-id"];
      const delivery: ReceivedDelivery = {
        id: typeof id === "string" ? id : null,
        body,
        raw,
        headers: request.headers,
        verification,
        status,
      };
      received.push(delivery);
      for (const resolve of waiting.splice(0)) resolve(delivery);
      response.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hooks`,
    accepted: () => received.filter((r) => r.status < 300 && r.verification.valid),
    next: () => new Promise<ReceivedDelivery>((resolve) => waiting.push(resolve)),
    respond: (...statuses: number[]) => {
      queue.push(...statuses);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

export interface RawReceiver {
  url: string;
  /** Requests that arrived (their paths), in order. */
  requests: string[];
  /** Resolves when the next request has arrived (its headers, not necessarily its body). */
  next(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A bare HTTP server on 127.0.0.1 that answers with `handler`, for endpoints that misbehave:
 * one that never answers, redirects, or streams a huge body.
 */
export async function startRawReceiver(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<RawReceiver> {
  const requests: string[] = [];
  const waiting: Array<() => void> = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? "");
    for (const resolve of waiting.splice(0)) resolve();
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    requests,
    next: () => new Promise<void>((resolve) => waiting.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
