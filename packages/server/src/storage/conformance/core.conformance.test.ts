import { describe, expect, it, vi } from "vitest";
import { AuditRepository } from "../repositories/audit.js";
import { ChangeLogRepository } from "../repositories/changes.js";
import { KeyRepository } from "../repositories/keys.js";
import { MetaRepository } from "../repositories/meta.js";
import { ProjectRepository } from "../repositories/projects.js";
import { RootKeyRepository } from "../repositories/root-keys.js";
import { UsageRepository } from "../repositories/usage.js";
import {
  auditChecks,
  changeLogChecks,
  keyChecks,
  metaChecks,
  projectChecks,
  rootKeyChecks,
  unitOfWorkChecks,
  usageChecks,
} from "./core-checks.js";
import { type Area, breakEachMethod, conformance, failingChecks, repositoryContext } from "./harness.js";

conformance("projects", projectChecks);
conformance("keys", keyChecks);
conformance("root keys", rootKeyChecks);
conformance("audit log", auditChecks);
conformance("change log", changeLogChecks);
conformance("usage", usageChecks);
conformance("meta", metaChecks);
conformance("unit of work", unitOfWorkChecks);

// The suites are only worth something if they fail when a repository is wrong: break each
// method in turn (it does nothing and answers nothing) and the area's suite must notice.
const AREAS: Area[] = [
  ["projects", ProjectRepository, projectChecks],
  ["keys", KeyRepository, keyChecks],
  ["root keys", RootKeyRepository, rootKeyChecks],
  ["audit log", AuditRepository, auditChecks],
  ["change log", ChangeLogRepository, [...changeLogChecks, ...unitOfWorkChecks]],
  ["usage", UsageRepository, usageChecks],
  ["meta", MetaRepository, metaChecks],
];

describe("the conformance suites catch a broken repository method", () => {
  const db = repositoryContext("sqlite");
  breakEachMethod(AREAS, db.fresh);

  it("keys: a list that ignores its cursor", async () => {
    const list = KeyRepository.prototype.list;
    vi.spyOn(KeyRepository.prototype, "list").mockImplementation(function (
      this: KeyRepository,
      filter,
      _after,
      limit,
    ) {
      return list.call(this, filter, null, limit);
    });
    expect(await failingChecks(keyChecks, db.fresh)).toEqual([
      "lists newest first in pages, filtered by project, owner, environment, type and status",
    ]);
  });
});
