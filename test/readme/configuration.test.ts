/** README.md's Configuration table lists every setting the server reads, with its default. */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CONFIG_VARIABLES } from "@keysmith/server";
import { expect, it } from "vitest";

const README = readFileSync(join(resolve(import.meta.dirname, "../.."), "README.md"), "utf8");

it("README's Configuration table has every KEYSMITH_* setting with its real default", () => {
  const section = README.slice(
    README.indexOf("## Configuration"),
    README.indexOf("## Running more than one node"),
  );
  const documented: Record<string, string> = {};
  for (const row of section.matchAll(/^\| `(KEYSMITH_[A-Z_]+)` \|[^|]*\|([^|]*)\|/gm)) {
    const cell = (row[2] ?? "").trim();
    documented[row[1] ?? ""] = cell === "(none)" || cell === "" ? "" : cell.replace(/^`|`$/g, "");
  }
  const actual = Object.fromEntries(Object.values(CONFIG_VARIABLES).map((v) => [v.env, v.default]));
  expect(documented).toEqual(actual);
});
