/** A change that affects how keys verify. Caches drop what it names. */
export type KeyChange =
  | { type: "key.updated" | "key.revoked" | "key.rolled"; keyId: string; projectId: string }
  | { type: "project.updated"; projectId: string }
  | { type: "keys.imported"; projectId: string }
  /** A role or identity changed: the project's cached keys resolve their roles and identity again. */
  | { type: ProjectWideChange; projectId: string }
  | { type: "root_key.revoked"; rootKeyId: string }
  /** A standalone rate-limit namespace's overrides changed: nodes drop their cached copy. */
  | { type: "ratelimit.override_changed"; namespace: string };

/** Changes to what a project's keys draw on (roles, identities), announced per project. */
export type ProjectWideChange =
  | "role.updated"
  | "role.deleted"
  | "identity.created"
  | "identity.updated"
  | "identity.deleted";

/** What an audited action is done to. */
export interface AuditTarget {
  type: string;
  id: string;
  projectId: string | null;
}

/**
 * The audited actions that change how keys verify, and the change each one announces. The
 * write path derives the change from the audit entry, so an action cannot be audited without
 * its change reaching every cache, nor announced without being audited.
 */
const CHANGE_OF_ACTION: Readonly<Record<string, KeyChange["type"]>> = {
  "key.update": "key.updated",
  "key.revoke": "key.revoked",
  "key.roll": "key.rolled",
  // A key that gains a credit limit must stop verifying from a cached record without one.
  "key.credits": "key.updated",
  "project.update": "project.updated",
  "key.import": "keys.imported",
  "root_key.revoke": "root_key.revoked",
  // Audited with the namespace as the target (`type: "ratelimit_namespace"`).
  "ratelimit.override_set": "ratelimit.override_changed",
  "ratelimit.override_delete": "ratelimit.override_changed",
  // A role is resolved into each key's scopes, an identity into its limits, when the key is
  // cached; a new identity adopts cached keys that already carry its externalId.
  "role.update": "role.updated",
  "role.delete": "role.deleted",
  "identity.create": "identity.created",
  "identity.update": "identity.updated",
  "identity.delete": "identity.deleted",
};

/** The change an audited action announces, or null when verification does not depend on it. */
export function changeOf(action: string, target: AuditTarget): KeyChange | null {
  const type = CHANGE_OF_ACTION[action];
  switch (type) {
    case undefined:
      return null;
    case "project.updated":
      return { type, projectId: target.id };
    case "keys.imported":
      return { type, projectId: target.projectId as string };
    case "root_key.revoked":
      return { type, rootKeyId: target.id };
    case "ratelimit.override_changed":
      return { type, namespace: target.id };
    case "role.updated":
    case "role.deleted":
    case "identity.created":
    case "identity.updated":
    case "identity.deleted":
      return { type, projectId: target.projectId as string };
    default:
      return { type, keyId: target.id, projectId: target.projectId as string };
  }
}
