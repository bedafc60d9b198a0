import type { LookupAddress } from "node:dns";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type KeysmithApp } from "../app.js";
import { testDialects } from "../test-support/databases.js";
import { createHarness, type Harness, quietLogger, testDispatcher } from "../test-support/harness.js";
import type { WebhookDispatcherOptions } from "./dispatcher.js";
import { ALLOW_PRIVATE, addressAllowed, PUBLIC_ONLY, parseTargetPolicy } from "./target-policy.js";
import { startRawReceiver, startReceiver } from "./test-receiver.js";

describe("webhook target policy", () => {
  it("refuses link-local, metadata and unspecified addresses whatever the setting", () => {
    for (const address of [
      "169.254.169.254",
      "169.254.0.1",
      "fd00:ec2::254",
      "100.100.100.200",
      "0.0.0.0",
      "::",
      "fe80::1",
      "::ffff:169.254.169.254",
      "::ffff:a9fe:a9fe",
      "::ffff:0.0.0.0",
      "64:ff9b::a9fe:a9fe",
      "64:ff9b::169.254.169.254",
      "224.0.0.1",
      // 6to4 and Teredo carry the metadata address (Teredo's client part inverted: 56.1.86.1).
      "2002:a9fe:a9fe::1",
      "2001:0:4136:e378:8000:63bf:5601:5601",
      "2001:0:a9fe:a9fe::1",
    ]) {
      expect([address, addressAllowed(address, ALLOW_PRIVATE)]).toEqual([address, false]);
    }
  });

  it("refuses private and loopback addresses unless allowed, by switch or by range", () => {
    const ranges = parseTargetPolicy("127.0.0.1/32, 10.1.0.0/16");
    for (const address of [
      "127.0.0.1",
      "::1",
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "100.64.0.1",
      "fd12::1",
    ]) {
      expect([address, addressAllowed(address, PUBLIC_ONLY)]).toEqual([address, false]);
      expect([address, addressAllowed(address, ALLOW_PRIVATE)]).toEqual([address, true]);
    }
    expect(addressAllowed("::ffff:127.0.0.1", PUBLIC_ONLY)).toBe(false);
    expect(addressAllowed("64:ff9b::7f00:1", PUBLIC_ONLY)).toBe(false);
    expect(addressAllowed("64:ff9b::808:808", PUBLIC_ONLY)).toBe(true);
    expect(addressAllowed("2002:7f00:1::", PUBLIC_ONLY)).toBe(false);
    expect(addressAllowed("2002:a00:1::", PUBLIC_ONLY)).toBe(false);
    expect(addressAllowed("2002:a00:1::", ALLOW_PRIVATE)).toBe(true);
    expect(addressAllowed("2002:808:808::1", PUBLIC_ONLY)).toBe(true);
    // Teredo: public server 65.54.227.120, client 192.168.1.1 inverted (3f57:fefe).
    expect(addressAllowed("2001:0:4136:e378:8000:63bf:3f57:fefe", PUBLIC_ONLY)).toBe(false);
    // …and client 8.8.8.8 inverted (f7f7:f7f7): both public.
    expect(addressAllowed("2001:0:4136:e378:8000:63bf:f7f7:f7f7", PUBLIC_ONLY)).toBe(true);
    expect(addressAllowed("127.0.0.1", ranges)).toBe(true);
    expect(addressAllowed("127.0.0.2", ranges)).toBe(false);
    expect(addressAllowed("10.1.9.9", ranges)).toBe(true);
    expect(addressAllowed("10.2.0.1", ranges)).toBe(false);
    // A range never reopens what is refused always.
    expect(addressAllowed("169.254.169.254", parseTargetPolicy("169.254.0.0/16"))).toBe(false);
    for (const address of ["93.184.216.34", "2606:4700::1111", "172.32.0.1"]) {
      expect(addressAllowed(address, PUBLIC_ONLY)).toBe(true);
    }
  });

  it("reads KEYSMITH_WEBHOOK_ALLOW_PRIVATE strictly", () => {
    expect(parseTargetPolicy("false")).toBe(PUBLIC_ONLY);
    expect(parseTargetPolicy("true")).toBe(ALLOW_PRIVATE);
    for (const bad of ["maybe", "10.0.0.0", "10.0.0.0/33", "::1/129", "example.com/8"]) {
      expect(() => parseTargetPolicy(bad)).toThrow(/CIDR/);
    }
  });
});

describe.each(await testDialects())("webhook outbound security on %s", (dialect) => {
  let h: Harness;
  let strict: KeysmithApp;
  let projectId: string;
  const cleanup: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    h = await createHarness(dialect);
    // The same database served with the default policy: public targets only.
    strict = await buildApp({
      store: h.store,
      clock: h.clock,
      logger: quietLogger(),
      webhookSecrets: h.webhookSecrets,
    });
    projectId = (await h.project()).id;
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  afterAll(async () => {
    await strict.close();
    await h.close();
  });

  const createOn = async (app: KeysmithApp, url: string) => {
    const response = await app.app.inject({
      method: "POST",
      url: "/v1/webhooks",
      headers: { authorization: `Bearer ${h.rootKey}` },
      payload: { url, events: ["key.anomaly"], projectId },
    });
    const body = response.json();
    if (response.statusCode === 201) cleanup.push(() => h.api("DELETE", `/v1/webhooks/${body.id}`));
    return { status: response.statusCode, body };
  };
  /** Endpoints stored, deleted ones included. */
  const count = async () => (await h.store.webhooks.secrets()).length;
  const log = async (webhookId: string) =>
    (await h.api("GET", `/v1/webhooks/${webhookId}/deliveries`)).body.data;
  const raise = (idempotencyKey: string) =>
    h.keysmith.alerts.raise({ type: "key.anomaly", projectId, keyId: null, data: {}, idempotencyKey });
  const dispatcher = (options: Partial<WebhookDispatcherOptions> = {}) => testDispatcher(h, options);
  /** An endpoint on the harness (loopback allowed), removed after the test. */
  const endpoint = async (url: string): Promise<string> => {
    const created = await h.api("POST", "/v1/webhooks", { url, events: ["key.anomaly"], projectId });
    expect(created.status).toBe(201);
    cleanup.push(() => h.api("DELETE", `/v1/webhooks/${created.body.id}`));
    return created.body.id;
  };

  it("refuses metadata, link-local and unspecified targets with 422, even where private ones are allowed", async () => {
    const before = await count();
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      "http://[fd00:ec2::254]/",
      "http://[::ffff:169.254.169.254]/",
      "http://0xa9.0xfe.0xa9.0xfe/",
      "http://2852039166/",
      "http://0.0.0.0:8787/",
      "http://[::]/",
      "http://[fe80::1]/",
      "http://100.100.100.200/",
    ]) {
      for (const app of [strict, h.keysmith]) {
        const res = await createOn(app, url);
        expect([url, res.status, res.body.error.code]).toEqual([url, 422, "WEBHOOK_TARGET_REFUSED"]);
      }
    }
    expect(await count()).toBe(before);
  });

  it("refuses private and loopback targets by default and accepts them when configured", async () => {
    for (const url of [
      "http://127.0.0.1:8787/hooks",
      "http://[::1]/",
      "http://localhost:9/",
      "http://LOCALHOST./",
      "http://10.0.0.5/",
      "http://192.168.1.1/",
      "http://[::ffff:127.0.0.1]/",
    ]) {
      const res = await createOn(strict, url);
      expect([url, res.status, res.body.error.code]).toEqual([url, 422, "WEBHOOK_TARGET_REFUSED"]);
    }
    const allowed = await createOn(h.keysmith, "http://127.0.0.1:9/hooks");
    expect(allowed.status).toBe(201);
    expect((await createOn(strict, "https://hooks.example.com/k")).status).toBe(201);
  });

  it("refuses non-http schemes and URLs with credentials, storing nothing", async () => {
    const before = await count();
    for (const url of ["file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "ftp://example.com/"]) {
      expect((await createOn(h.keysmith, url)).body.error.code).toBe("VALIDATION_ERROR");
    }
    for (const url of [
      "http://user:s3cr3tpw@hooks.example.com/k",
      "https://s3cr3tpw@hooks.example.com/",
      "http://:s3cr3tpw@127.0.0.1/",
    ]) {
      const res = await createOn(h.keysmith, url);
      expect([url, res.status, res.body.error.code]).toEqual([url, 400, "WEBHOOK_URL_CREDENTIALS"]);
      expect(JSON.stringify(res.body)).not.toContain("s3cr3tpw");
    }
    expect(h.logs.join("\n")).not.toContain("s3cr3tpw");
    expect(await count()).toBe(before);
  });

  it("checks the resolved address at every delivery: a name rebound to a refused address is not contacted", async () => {
    const receiver = await startReceiver(() => h.clock.now());
    cleanup.push(() => receiver.close());
    const port = new URL(receiver.url).port;
    // A name that passes registration (it is no literal address) and resolves, at delivery,
    // to loopback (refused by default) and then to the metadata address (refused always).
    const created = await createOn(strict, `http://rebind.example:${port}/hooks`);
    expect(created.status).toBe(201);
    receiver.secret = created.body.secret;
    let answer: LookupAddress[] = [{ address: "127.0.0.1", family: 4 }];
    const resolve = async () => answer;

    await raise("rebind:1");
    expect(await dispatcher({ policy: PUBLIC_ONLY, resolve }).runOnce()).toBe(1);
    expect((await log(created.body.id))[0]).toMatchObject({ attempts: 1, error: "address_refused" });

    answer = [
      { address: "127.0.0.1", family: 4 },
      { address: "169.254.169.254", family: 4 },
    ];
    h.clock.advance(60_000);
    expect(await dispatcher({ policy: ALLOW_PRIVATE, resolve }).runOnce()).toBe(1);
    expect((await log(created.body.id))[0]).toMatchObject({ attempts: 2, error: "address_refused" });
    expect(receiver.received).toHaveLength(0);

    // The control: where loopback is allowed, the looked-up address is the one connected to.
    answer = [{ address: "127.0.0.1", family: 4 }];
    h.clock.advance(60_000);
    expect(await dispatcher({ policy: ALLOW_PRIVATE, resolve }).runOnce()).toBe(1);
    expect((await log(created.body.id))[0]).toMatchObject({ status: "delivered", attempts: 3, error: null });
    expect(receiver.accepted()).toHaveLength(1);
  });

  it("refuses at delivery a literal address the policy forbids, though it was allowed at registration", async () => {
    const receiver = await startReceiver(() => h.clock.now());
    cleanup.push(() => receiver.close());
    const id = await endpoint(receiver.url);
    await raise("literal:1");
    expect(await dispatcher({ policy: PUBLIC_ONLY }).runOnce()).toBe(1);
    expect((await log(id))[0]).toMatchObject({
      status: "pending",
      error: "address_refused",
      responseStatus: null,
    });
    expect(receiver.received).toHaveLength(0);
  });

  it("follows no redirect: a 3xx is a failed attempt of class http_status", async () => {
    const target = await startRawReceiver((_request, response) => response.writeHead(200).end("ok"));
    const redirecting = await startRawReceiver((_request, response) =>
      response.writeHead(302, { location: target.url }).end(),
    );
    cleanup.push(
      () => target.close(),
      () => redirecting.close(),
    );
    const id = await endpoint(redirecting.url);
    await raise("redirect:1");
    expect(await dispatcher().runOnce()).toBe(1);
    expect((await log(id))[0]).toMatchObject({
      status: "pending",
      responseStatus: 302,
      error: "http_status",
    });
    expect(redirecting.requests).toHaveLength(1);
    expect(target.requests).toHaveLength(0);
  });

  it("reads at most the response cap, then drops the connection: response_too_large", async () => {
    const chatty = await startRawReceiver((_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end(Buffer.alloc(1024 * 1024, "a"));
    });
    cleanup.push(() => chatty.close());
    const id = await endpoint(chatty.url);
    await raise("large:1");
    expect(await dispatcher().runOnce()).toBe(1);
    expect((await log(id))[0]).toMatchObject({
      status: "pending",
      responseStatus: 200,
      error: "response_too_large",
    });
  });

  it("records failures as classes, never the network error's text", async () => {
    const closed = await startRawReceiver(() => {});
    await closed.close();
    const refused = await endpoint(closed.url);
    const unauthorized = await startRawReceiver((_request, response) => response.writeHead(401).end("who?"));
    cleanup.push(() => unauthorized.close());
    const denied = await endpoint(unauthorized.url);
    await raise("classes:1");
    await dispatcher().runOnce();
    expect((await log(refused))[0]).toMatchObject({ error: "connection_failed", responseStatus: null });
    expect((await log(denied))[0]).toMatchObject({ error: "http_status", responseStatus: 401 });
    const text = JSON.stringify(await log(refused));
    expect(text).not.toMatch(/ECONNREFUSED|fetch failed|127\.0\.0\.1/);
  });

  it("sends to a good endpoint while another endpoint hangs: deliveries never wait on another endpoint", async () => {
    const hanging = await startRawReceiver(() => {});
    const good = await startReceiver(() => h.clock.now());
    cleanup.push(() => good.close());
    const hangingId = await endpoint(hanging.url);
    const goodCreated = await h.api("POST", "/v1/webhooks", {
      url: good.url,
      events: ["key.anomaly"],
      projectId,
    });
    cleanup.push(() => h.api("DELETE", `/v1/webhooks/${goodCreated.body.id}`));
    good.secret = goodCreated.body.secret;
    // A long timeout: the hanging endpoint stays in flight for the whole test.
    const loop = dispatcher({ timeoutMs: 600_000 });
    try {
      const firstHang = hanging.next();
      const firstGood = good.next();
      await raise("hang:1");
      loop.start(600_000);
      await Promise.all([firstHang, firstGood]);

      // A second alert, raised while the first is still hanging at one endpoint.
      const secondGood = good.next();
      await raise("hang:2");
      loop.nudge();
      const arrived = await secondGood;
      expect(arrived.verification.valid).toBe(true);
      expect(good.accepted()).toHaveLength(2);
      // The hanging endpoint still holds its first delivery, unanswered and unrecorded.
      expect(hanging.requests).toHaveLength(1);
      const waiting = await log(hangingId);
      expect(waiting).toHaveLength(2);
      for (const entry of waiting) expect(entry).toMatchObject({ status: "pending", attempts: 0 });
    } finally {
      await hanging.close();
      await loop.stop();
    }
    const tried = (await log(hangingId)).filter((entry: { attempts: number }) => entry.attempts > 0);
    expect(tried.length).toBeGreaterThan(0);
    for (const entry of tried) expect(entry.error).toBe("connection_failed");
  });
  it("lets no endpoint's backlog fill the node: a hanging endpoint holds at most perEndpoint requests", async () => {
    const hanging = await startRawReceiver(() => {});
    const good = await startReceiver(() => h.clock.now());
    cleanup.push(() => good.close());
    await endpoint(hanging.url);
    const goodCreated = await h.api("POST", "/v1/webhooks", {
      url: good.url,
      events: ["key.anomaly"],
      projectId,
    });
    cleanup.push(() => h.api("DELETE", `/v1/webhooks/${goodCreated.body.id}`));
    good.secret = goodCreated.body.secret;
    for (let i = 0; i < 10; i++) await raise(`backlog:${i}`);
    const loop = dispatcher({ timeoutMs: 600_000, concurrency: 8, perEndpoint: 4 });
    try {
      const allTen = new Promise<void>((resolve) => {
        const check = () => (good.accepted().length >= 10 ? resolve() : void good.next().then(check));
        check();
      });
      loop.start(600_000);
      await allTen;
      expect(good.accepted()).toHaveLength(10);
      expect(hanging.requests.length).toBeLessThanOrEqual(4);
    } finally {
      await hanging.close();
      await loop.stop();
    }
  });
});
