import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { addressAllowed, hostAllowed, type TargetPolicy } from "./target-policy.js";

/**
 * Why a delivery attempt failed, as the delivery log records it: a class, never the network
 * error's text (which would tell an endpoint's owner which internal ports are open).
 */
export type FailureClass =
  | "timeout"
  | "connection_failed"
  | "http_status"
  | "response_too_large"
  | "address_refused"
  | "secret_unavailable";

export const FAILURE_CLASSES: readonly FailureClass[] = [
  "timeout",
  "connection_failed",
  "http_status",
  "response_too_large",
  "address_refused",
  "secret_unavailable",
];

export type SendResult =
  | { ok: true; status: number }
  | { ok: false; failure: FailureClass; status: number | null };

export interface SendOptions {
  headers: Record<string, string>;
  body: string;
  /** The whole attempt: lookup, connect, request and response. */
  timeoutMs: number;
  /** Response bytes read at most; a longer answer is cut and counts as `response_too_large`. */
  maxResponseBytes: number;
  policy: TargetPolicy;
  /** Resolves a host name to its addresses; the system resolver by default (tests inject one). */
  resolve?: Resolver;
}

/** Every address a name resolves to, as `dns.lookup(name, { all: true })` answers. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

/** Most of a response keysmith reads: the answer's body is ignored beyond this. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

class RefusedAddress extends Error {
  override readonly name = "RefusedAddress";
}

/**
 * A DNS lookup that refuses names resolving to an address the policy forbids. It is the lookup
 * of the very connection made, so the address checked is the address connected to: a name that
 * answered with a public address at registration and a metadata address now (DNS rebinding) is
 * refused now. When a name resolves to several addresses, one forbidden address refuses all.
 */
export function guardedLookup(policy: TargetPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        if (!addresses.length || addresses.some((a) => !addressAllowed(a.address, policy))) {
          return callback(new RefusedAddress("address refused"), "", 0);
        }
        // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily).
        if ((options as { all?: boolean }).all) return (callback as never as AllCallback)(null, addresses);
        const [first] = addresses as [LookupAddress];
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}

type AllCallback = (error: Error | null, addresses: LookupAddress[]) => void;

/**
 * POSTs one webhook delivery: no redirects followed (a 3xx is a failed attempt), no credentials
 * from the URL sent, targets checked against the policy (literal addresses here, names in the
 * lookup), one timeout for the whole attempt and a cap on the response read. Never throws.
 *
 * @example await sendWebhook("https://hooks.example.com/k", { headers, body, timeoutMs: 10_000, maxResponseBytes: MAX_RESPONSE_BYTES, policy })
 */
export function sendWebhook(target: string, options: SendOptions): Promise<SendResult> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve({ ok: false, failure: "address_refused", status: null });
  }
  const https = url.protocol === "https:";
  if ((!https && url.protocol !== "http:") || !hostAllowed(url.hostname, options.policy)) {
    return Promise.resolve({ ok: false, failure: "address_refused", status: null });
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    let status: number | null = null;
    const finish = (result: SendResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const fail = (failure: FailureClass): void => finish({ ok: false, failure, status });
    const request: ClientRequest = (https ? httpsRequest : httpRequest)({
      protocol: url.protocol,
      hostname,
      port: url.port || (https ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: "POST",
      headers: { ...options.headers, "content-length": String(Buffer.byteLength(options.body)) },
      agent: false,
      // Node skips the lookup for a literal address: those were checked above.
      ...(isIP(hostname) ? {} : { lookup: guardedLookup(options.policy, options.resolve) }),
      ...(https ? { servername: isIP(hostname) ? "" : hostname } : {}),
    });
    const timer = setTimeout(() => {
      fail("timeout");
      request.destroy();
    }, options.timeoutMs);
    request.on("error", (error: Error) => {
      fail(error instanceof RefusedAddress ? "address_refused" : "connection_failed");
    });
    request.on("response", (response: IncomingMessage) => {
      status = response.statusCode ?? null;
      let read = 0;
      response.on("data", (chunk: Buffer) => {
        read += chunk.length;
        if (read > options.maxResponseBytes) {
          fail("response_too_large");
          request.destroy();
        }
      });
      response.on("error", () => fail("connection_failed"));
      response.on("close", () => {
        if (!response.complete) fail("connection_failed");
      });
      response.on("end", () => {
        if (status !== null && status >= 200 && status <= 299) finish({ ok: true, status });
        else fail("http_status");
      });
    });
    request.end(options.body);
  });
}
