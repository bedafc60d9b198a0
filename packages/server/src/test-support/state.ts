import type { Harness } from "./harness.js";

/**
 * A snapshot of everything a refused request could have changed, read through the API: keys,
 * projects, root keys and the audit log's head (every change the API makes appends to it).
 */
export async function apiState(h: Harness): Promise<string> {
  const keys = await h.api("GET", "/v1/keys?limit=500");
  const projects = await h.api("GET", "/v1/projects?limit=500");
  const roots = await h.api("GET", "/v1/root-keys?limit=500");
  const audit = await h.api("GET", "/v1/audit?limit=1");
  return JSON.stringify([keys.body, projects.body, roots.body, audit.body.data[0]?.hash]);
}
