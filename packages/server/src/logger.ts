import pino, { type Logger } from "pino";

/**
 * The server's logger. Anything that could carry a key is redacted at the source, though no
 * code path logs one: defence in depth for what a future change might add.
 */
export function createLogger(
  level: string,
  options: { pretty?: boolean; destination?: pino.DestinationStream } = {},
): Logger {
  const base: pino.LoggerOptions = {
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        'req.headers["x-csrf-token"]',
        "key",
        "*.key",
        "rootKey",
        "*.rootKey",
      ],
      censor: "[redacted]",
    },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({
      ...base,
      transport: {
        target: "pino-pretty",
        options: { translateTime: "SYS:standard", ignore: "pid,hostname" },
      },
    });
  }
  return pino(base);
}
