/**
 * Setting keysmith up for a benchmark through its own HTTP API (`app.inject`, no network):
 * a project and N keys, created with the bootstrap root key exactly as a client would.
 * Plaintext keys stay in memory; nothing here prints them.
 */

export async function injectJson(app, authorization, method, url, payload) {
  const response = await app.inject({ method, url, headers: { authorization }, payload });
  if (response.statusCode >= 300) {
    // The body is an error envelope ({ error: { code, message } }), never a key.
    throw new Error(`${method} ${url} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
  }
  return response.json();
}

/**
 * Creates a project and `count` keys; returns `{ projectId, keys }`. Requests run a few at a
 * time: key creation is a write with an audit entry, ≈ 1 ms each.
 */
export async function createKeys(app, rootKey, { count, concurrency = 32, prefix = "bench" }) {
  const authorization = `Bearer ${rootKey}`;
  const project = await injectJson(app, authorization, "POST", "/v1/projects", {
    name: `bench ${Date.now()}`,
    prefix,
  });
  const keys = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const created = await injectJson(app, authorization, "POST", "/v1/keys", { projectId: project.id });
      keys[i] = created.key;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { projectId: project.id, keys };
}
