import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { createHarness, type Harness } from "../test-support/harness.js";

interface Event {
  id: string;
  event: string;
  data: { seq: number; type: string; keyId: string | null; projectId: string };
}

/** Reads Server-Sent Events from a streaming response until `count` have arrived. */
async function readEvents(response: Response, count: number): Promise<Event[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const events: Event[] = [];
  let buffer = "";
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(
        block
          .split("\n")
          .filter((l) => l && !l.startsWith(":"))
          .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
      );
      if (fields.data)
        events.push({ id: fields.id ?? "", event: fields.event ?? "", data: JSON.parse(fields.data) });
      end = buffer.indexOf("\n\n");
    }
  }
  await reader.cancel();
  return events;
}

describe.each(await testDialects())("GET /v1/keys/changes on %s", (dialect) => {
  let h: Harness;
  let url: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    url = await h.keysmith.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(() => h.close());

  const open = (headers: Record<string, string> = {}, query = "") =>
    fetch(`${url}/v1/keys/changes${query}`, {
      headers: { authorization: `Bearer ${h.rootKey}`, ...headers },
    });

  it("streams revokes, patches and rolls as they happen, in order", async () => {
    const project = await h.project();
    const one = await h.key(project.id);
    const two = await h.key(project.id);
    const stream = await open();
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reading = readEvents(stream, 3);
    await h.api("POST", `/v1/keys/${one.id}/revoke`);
    await h.api("PATCH", `/v1/keys/${two.id}`, { enabled: false });
    await h.api("POST", `/v1/keys/${two.id}/roll`, { gracePeriod: "1h" });
    const events = await reading;
    expect(events.map((e) => [e.event, e.data.keyId])).toEqual([
      ["key.revoked", one.id],
      ["key.updated", two.id],
      ["key.rolled", two.id],
    ]);
    expect(Number(events[1]?.id)).toBeGreaterThan(Number(events[0]?.id));
  });

  it("leaves rate-limit override changes out: they are no business of a key cache", async () => {
    const project = await h.project();
    const key = await h.key(project.id);
    const stream = await open();
    const reading = readEvents(stream, 1);
    const body = { namespace: "changes", identifier: "x*", limit: 1, duration: "1s" };
    expect((await h.api("PUT", "/v1/ratelimit/overrides", body)).status).toBe(200);
    await h.api("POST", `/v1/keys/${key.id}/revoke`);
    // The first event after the override is the revoke.
    expect((await reading).map((e) => e.event)).toEqual(["key.revoked"]);
  });

  it("resumes after Last-Event-ID without missing or repeating an event", async () => {
    const project = await h.project();
    const keys = [await h.key(project.id), await h.key(project.id), await h.key(project.id)];
    const first = await open();
    const reading = readEvents(first, 1);
    await h.api("POST", `/v1/keys/${keys[0]?.id}/revoke`);
    const [seen] = await reading;
    // Changes made while no one listens…
    await h.api("POST", `/v1/keys/${keys[1]?.id}/revoke`);
    await h.api("POST", `/v1/keys/${keys[2]?.id}/revoke`);
    // …arrive on reconnect, after the last id the client saw.
    const resumed = await readEvents(await open({ "last-event-id": seen?.id ?? "" }), 2);
    expect(resumed.map((e) => e.data.keyId)).toEqual([keys[1]?.id, keys[2]?.id]);
    const bySince = await readEvents(await open({}, `?since=${seen?.id}`), 2);
    expect(bySince.map((e) => e.id)).toEqual(resumed.map((e) => e.id));
  });

  it("shows a bound root key only its project's changes and needs keys:verify", async () => {
    const mine = await h.project();
    const theirs = await h.project();
    const bound = (await h.api("POST", "/v1/root-keys", { projectId: mine.id, scopes: ["keys:verify"] })).body
      .key;
    const reader = (await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"] })).body.key;
    const denied = await fetch(`${url}/v1/keys/changes`, { headers: { authorization: `Bearer ${reader}` } });
    expect(denied.status).toBe(403);
    const theirKey = await h.key(theirs.id);
    const myKey = await h.key(mine.id);
    const stream = await fetch(`${url}/v1/keys/changes`, { headers: { authorization: `Bearer ${bound}` } });
    const reading = readEvents(stream, 1);
    await h.api("POST", `/v1/keys/${theirKey.id}/revoke`);
    await h.api("POST", `/v1/keys/${myKey.id}/revoke`);
    const [event] = await reading;
    expect(event?.data.keyId).toBe(myKey.id);
  });
});
