import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, useTempDir } from "../test-support/cli.js";

const dir = useTempDir("all");

/** Whether a shell is on PATH (zsh and fish often are not; their syntax check is skipped then). */
function has(shell: string): boolean {
  return spawnSync(shell, ["-c", "exit 0"], { stdio: "ignore" }).status === 0;
}

/** The shell's own syntax check of a script: bash -n, zsh -n, fish --no-execute. */
function syntaxCheck(shell: string, script: string): { status: number | null; stderr: string } {
  const file = join(dir.path, `keysmith.${shell}`);
  writeFileSync(file, script);
  const flag = shell === "fish" ? "--no-execute" : "-n";
  const result = spawnSync(shell, [flag, file], { encoding: "utf8" });
  return { status: result.status, stderr: result.stderr };
}

describe("keysmith completion", () => {
  for (const shell of ["bash", "zsh", "fish"]) {
    it(`prints a ${shell} script with the commands, subcommands and options of the program`, async () => {
      const result = await cli(["completion", shell]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      const script = result.stdout;
      for (const word of [
        "serve",
        "secrets",
        "export",
        "rotate-master",
        "link",
        "completion",
        "--allow-empty",
        "--env-file",
        "--rotate-every",
        "--json",
      ]) {
        expect(script, word).toContain(
          shell === "fish" && word.startsWith("--") ? `-l '${word.slice(2)}'` : word,
        );
      }
      // An option's choices complete as its values.
      expect(script).toMatch(/text json sarif|'text' 'json' 'sarif'/);
      if (has(shell)) expect(syntaxCheck(shell, script)).toEqual({ status: 0, stderr: "" });
    });
  }

  it("completes subcommands and options in bash", async () => {
    if (!has("bash")) return;
    const script = (await cli(["completion", "bash"])).stdout;
    const file = join(dir.path, "complete.bash");
    writeFileSync(file, script);
    const complete = (line: string): string[] => {
      const words = line.split(" ");
      const probe = [
        `source ${JSON.stringify(file)}`,
        `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(" ")})`,
        `COMP_CWORD=${words.length - 1}`,
        "_keysmith",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion, not a template
        'printf "%s\\n" "${COMPREPLY[@]}"',
      ].join("\n");
      return spawnSync("bash", ["-c", probe], { encoding: "utf8", cwd: dir.path }).stdout.trim().split("\n");
    };
    expect(complete("keysmith sec")).toEqual(["secrets"]);
    expect(complete("keysmith secrets ex")).toEqual(["export"]);
    expect(complete("keysmith secrets export --for")).toEqual(["--format"]);
    expect(complete("keysmith secrets export --format ")).toEqual(["dotenv", "json"]);
    expect(complete("keysmith run --allow")).toEqual(["--allow-empty"]);
  });

  it("refuses a shell it does not know", async () => {
    const result = await cli(["completion", "powershell"]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: 'keysmith: no completion for "powershell": use bash, zsh or fish\n',
    });
  });
});
