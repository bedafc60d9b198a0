import type { VerifyResponse } from "@keysmith/sdk";
import { type Command, Option } from "commander";
import { type ClientFlags, type Context, clientCommand, clientFor, print } from "../context.js";
import { fields } from "../format.js";
import { CliError, EXIT, type Io } from "../io.js";
import { list, nonNegativeNumber } from "../options.js";

interface VerifyFlags extends ClientFlags {
  scopes?: string[];
  permissions?: string;
  env?: string;
  origin?: string;
  ip?: string;
  cost?: number;
}

/** `keysmith keys verify`: exit 0 when the key is valid, 1 when not, 2 when it cannot tell. */
export function keysVerifyCommand(keys: Command, { io, act }: Context): void {
  clientCommand(
    keys
      .command("verify")
      .description("verify a key read from stdin (first line) or KEYSMITH_VERIFY_KEY; exit 0 valid, 1 not")
      .option("--scopes <scopes>", "scopes the key must hold, comma-separated", list)
      .option(
        "--permissions <query>",
        'a query the key\'s scopes must satisfy: "a:read AND (b:write OR c:*)" (quote it)',
      )
      .addOption(
        new Option("--env <env>", "the environment the key must belong to").choices(["live", "test"]),
      )
      .option("--origin <origin>", "the request's Origin, for publishable keys")
      .option("--ip <ip>", "the caller's IP, for keys with allowed IPs")
      .option("--cost <n>", "what this call costs against the key's budget", nonNegativeNumber)
      .addHelpText(
        "after",
        "\nThe key is never taken from the command line (it would land in shell history and ps):\n" +
          "  printf '%s\\n' \"$KEY\" | keysmith keys verify --scopes invoices:read\n" +
          "  printf '%s\\n' \"$KEY\" | keysmith keys verify --permissions 'invoices:read AND (refunds:write OR billing:*)'\n" +
          "  KEYSMITH_VERIFY_KEY=… keysmith keys verify",
      ),
  ).action(
    act(async (flags: VerifyFlags) => {
      const client = clientFor(io, flags);
      const key = await keyToVerify(io);
      const answer = await client.post<VerifyResponse>("/v1/keys/verify", {
        key,
        ...(flags.scopes ? { scopes: flags.scopes } : {}),
        ...(flags.permissions === undefined ? {} : { permissions: flags.permissions }),
        ...(flags.env ? { environment: flags.env } : {}),
        ...(flags.origin ? { origin: flags.origin } : {}),
        ...(flags.ip ? { ip: flags.ip } : {}),
        ...(flags.cost === undefined ? {} : { cost: flags.cost }),
      });
      print(io, flags, answer, () => verifyFields(answer));
      return answer.valid ? EXIT.OK : EXIT.NEGATIVE;
    }),
  );
}

/** The key to verify: `KEYSMITH_VERIFY_KEY`, else the first line of stdin. Never argv. */
async function keyToVerify(io: Io): Promise<string> {
  const fromEnv = io.env.KEYSMITH_VERIFY_KEY?.trim();
  const key = fromEnv || (await io.stdin()).split(/\r?\n/, 1)[0]?.trim();
  if (!key) {
    throw new CliError(
      "no key to verify: pipe it on stdin or set KEYSMITH_VERIFY_KEY (never pass it as an argument)",
    );
  }
  return key;
}

function verifyFields(answer: VerifyResponse): string {
  const entries: [string, string | boolean | null | string[]][] = [
    ["valid", answer.valid],
    ["code", answer.code],
  ];
  if (answer.keyId !== null) {
    entries.push(
      ["key", answer.keyId],
      ["owner", answer.ownerId],
      ["project", answer.projectId],
      ["type", answer.type],
      ["environment", answer.environment],
      ["scopes", answer.scopes],
      ["expires", answer.expiresAt],
    );
  }
  for (const limit of answer.ratelimits) {
    entries.push([
      `ratelimit ${limit.name}`,
      `${limit.remaining}/${limit.limit} left, resets ${limit.reset}`,
    ]);
  }
  if (answer.credits) entries.push(["credits left", String(answer.credits.remaining)]);
  if (answer.budget) {
    const { spent, limit, period, resetAt } = answer.budget;
    entries.push(["budget", `${spent} of ${limit} this ${period}, resets ${resetAt}`]);
  }
  return fields(entries);
}
