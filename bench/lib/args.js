/**
 * Command-line options of `npm run bench`. Unknown options are an error, so a typo does not
 * silently run the default benchmark.
 */

const HELP = `Usage: npm run bench -- [options]

  --only NAME[,NAME]   run only these scenarios (e.g. inprocess, http)
  --duration TIME      measured load per HTTP target and round, e.g. 10s, 5000ms (default 10s)
  --rounds N           HTTP rounds, alternating target order; median reported (default 1)
  --connections N      HTTP connections (default 64)
  --keys N             cached keys cycled in the in-process scenario (default 10000)
  --tool wrk|autocannon  force the HTTP load generator (default: wrk if installed)
  --wait-quiet TIME    before each scenario, wait up to TIME for the machine to be idle
  --profile            run server children with --cpu-prof (profiles in bench/results/profiles)
  --help               this text`;

/** Parses "10s", "1.5s", "500ms", "1m" or a bare number of seconds into milliseconds. */
export function parseDuration(text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(text).trim());
  if (!match) throw new Error(`invalid duration ${JSON.stringify(text)}: use e.g. 10s or 500ms`);
  const value = Number(match[1]);
  const unit = match[2] ?? "s";
  const ms = unit === "ms" ? value : unit === "m" ? value * 60_000 : value * 1000;
  if (ms < 1000) throw new Error(`duration ${text} is too short: at least 1s`);
  return Math.round(ms);
}

function positiveInteger(name, text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} needs a positive integer`);
  return value;
}

export function parseArgs(argv) {
  const options = {
    only: null,
    durationMs: 10_000,
    rounds: 1,
    connections: 64,
    keys: 10_000,
    tool: null,
    profile: false,
    waitQuietMs: 0,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (eq > 0) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--only":
        options.only = value()
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case "--duration":
        options.durationMs = parseDuration(value());
        break;
      case "--rounds":
        options.rounds = positiveInteger("rounds", value());
        break;
      case "--connections":
        options.connections = positiveInteger("connections", value());
        break;
      case "--keys":
        options.keys = positiveInteger("keys", value());
        break;
      case "--tool": {
        const tool = value();
        if (tool !== "wrk" && tool !== "autocannon") throw new Error("--tool is wrk or autocannon");
        options.tool = tool;
        break;
      }
      case "--wait-quiet":
        options.waitQuietMs = parseDuration(value());
        break;
      case "--profile":
        options.profile = true;
        break;
      case "--help":
      case "-h":
        options.help = true;
        break;
      default:
        throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  return options;
}

export { HELP };
