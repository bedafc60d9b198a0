import type { Fetch } from "./http.js";

/** One event of `GET /v1/keys/changes`: a change that affects verification. */
export interface KeyChangeEvent {
  /** The change log's sequence number, also the event id a reconnect resumes after. */
  seq: number;
  /** `key.updated`, `key.revoked`, `key.rolled`, `project.updated`, … */
  type: string;
  keyId: string | null;
  projectId: string | null;
  at: string;
}

/**
 * `live`: following the feed; `down`: lost it (reconnecting, changes may have been missed);
 * `unsupported`: the server refused the feed (an older server, or a root key without
 * `keys:verify`), so the cache relies on its TTL alone.
 */
export type ChangeStreamStatus = "live" | "down" | "unsupported";

export interface ChangeStreamOptions {
  baseUrl: string;
  rootKey: string;
  fetch: Fetch;
  onEvent(event: KeyChangeEvent): void;
  onStatus(status: ChangeStreamStatus): void;
}

const MAX_RETRY_MS = 30_000;

/**
 * Follows keysmith's change feed (Server-Sent Events) and reconnects with `Last-Event-ID`
 * after a drop, so no change is skipped. Started by the first cached verification.
 */
export class ChangeStream {
  private status: ChangeStreamStatus | "idle" | "closed" = "idle";
  private lastEventId: string | null = null;
  private retryMs = 1000;
  private failures = 0;
  private controller: AbortController | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: ChangeStreamOptions) {}

  get live(): boolean {
    return this.status === "live";
  }

  get unsupported(): boolean {
    return this.status === "unsupported";
  }

  start(): void {
    if (this.status === "idle") void this.connect();
  }

  close(): void {
    this.status = "closed";
    this.controller?.abort();
    if (this.timer) clearTimeout(this.timer);
  }

  private async connect(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.rootKey}`,
      accept: "text/event-stream",
    };
    if (this.lastEventId !== null) headers["last-event-id"] = this.lastEventId;
    try {
      const url = `${this.options.baseUrl.replace(/\/+$/, "")}/v1/keys/changes`;
      const response = await this.options.fetch(url, { headers, signal: controller.signal });
      if (response.status >= 400 && response.status < 500) {
        await response.body?.cancel();
        this.setStatus("unsupported");
        return;
      }
      if (!response.ok || response.body === null) throw new Error(`change feed answered ${response.status}`);
      this.failures = 0;
      this.setStatus("live");
      for await (const message of readEvents(response.body)) {
        if (message.retry !== undefined) this.retryMs = message.retry;
        if (message.id !== undefined) this.lastEventId = message.id;
        if (message.data === "") continue;
        try {
          this.options.onEvent(JSON.parse(message.data) as KeyChangeEvent);
        } catch {
          // Not an event this client understands: drop everything rather than guess.
          this.options.onEvent({ seq: 0, type: "unknown", keyId: null, projectId: null, at: "" });
        }
      }
    } catch {
      // Reconnects below, unless closed.
    }
    if (this.status === "closed") return;
    this.setStatus("down");
    const delay = Math.min(MAX_RETRY_MS, this.retryMs * 2 ** Math.min(this.failures++, 5));
    this.timer = setTimeout(() => void this.connect(), delay);
    this.timer.unref();
  }

  private setStatus(status: ChangeStreamStatus): void {
    if (this.status === "closed") return;
    this.status = status;
    this.options.onStatus(status);
  }
}

interface EventMessage {
  id?: string;
  retry?: number;
  data: string;
}

/** Parses a `text/event-stream` body into messages (the WHATWG algorithm, minus event names). */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<EventMessage> {
  const decoder = new TextDecoder();
  let buffer = "";
  let message: EventMessage = { data: "" };
  let hasData = false;
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.search(/\r\n|\r|\n/);
    while (newline >= 0) {
      // A CR ending the chunk may be the first half of a CRLF: wait for the next chunk.
      if (buffer[newline] === "\r" && newline === buffer.length - 1) break;
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
      if (line === "") {
        if (hasData || message.id !== undefined || message.retry !== undefined) yield message;
        message = { data: "" };
        hasData = false;
      } else if (!line.startsWith(":")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") {
          message.data = hasData ? `${message.data}\n${value}` : value;
          hasData = true;
        } else if (field === "id" && !value.includes("\0")) message.id = value;
        else if (field === "retry" && /^\d+$/.test(value)) message.retry = Number(value);
      }
      newline = buffer.search(/\r\n|\r|\n/);
    }
  }
}
