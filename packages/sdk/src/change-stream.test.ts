import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { ChangeStream, type ChangeStreamStatus, type KeyChangeEvent, readEvents } from "./change-stream.js";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("readEvents", () => {
  it("parses messages split anywhere, with CRLF, comments, multi-line data and retry", async () => {
    const messages = await collect(
      readEvents(
        streamOf(
          "retry: 250\r",
          "\n\r\n: keep-alive\n\nid: 7\nevent: key.revoked\nda",
          'ta: {"a":\ndata: 1}\n\n',
        ),
      ),
    );
    expect(messages).toEqual([
      { data: "", retry: 250 },
      { data: '{"a":\n1}', id: "7" },
    ]);
  });
});

describe("ChangeStream", () => {
  it("reconnects after a drop with Last-Event-ID, reporting down then live", async () => {
    const seen: (string | undefined)[] = [];
    const event = (seq: number) =>
      `id: ${seq}\ndata: ${JSON.stringify({ seq, type: "key.revoked", keyId: `key_${seq}`, projectId: "proj_1", at: "" })}\n\n`;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push(req.headers["last-event-id"] as string | undefined);
      res.writeHead(200, { "content-type": "text/event-stream" });
      // The first connection drops after one event; the second stays open.
      if (seen.length === 1) res.end(`retry: 1\n\n${event(5)}`);
      else res.write(event(6));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const statuses: ChangeStreamStatus[] = [];
    const events: KeyChangeEvent[] = [];
    let stream: ChangeStream | undefined;
    await new Promise<void>((resolve) => {
      stream = new ChangeStream({
        baseUrl,
        rootKey: "ks_root_live_x",
        fetch,
        onStatus: (status) => statuses.push(status),
        onEvent: (e) => {
          events.push(e);
          if (e.seq === 6) resolve();
        },
      });
      stream.start();
    });
    stream?.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(events.map((e) => e.keyId)).toEqual(["key_5", "key_6"]);
    expect(seen).toEqual([undefined, "5"]);
    expect(statuses).toEqual(["live", "down", "live"]);
  });

  it("gives up on a server that refuses the feed", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(404, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const status = await new Promise<ChangeStreamStatus>((resolve) => {
      new ChangeStream({
        baseUrl,
        rootKey: "ks_root_live_x",
        fetch,
        onStatus: resolve,
        onEvent: () => {},
      }).start();
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(status).toBe("unsupported");
  });
});
