import type { FastifyBaseLogger } from "fastify";
import { describe, expect, it } from "vitest";
import { replyBatching } from "./reply-batching.js";

function recordingLogger(): { logger: FastifyBaseLogger; errors: unknown[] } {
  const errors: unknown[] = [];
  const logger = { error: (...args: unknown[]) => errors.push(args) } as unknown as FastifyBaseLogger;
  return { logger, errors };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("reply batching", () => {
  it("holds the answers of one turn and lets them all go, in order, at its end", async () => {
    const { logger } = recordingLogger();
    const hold = replyBatching(logger);
    const released: unknown[] = [];
    for (const payload of ["a", "b", "c"]) hold((err, p) => released.push([err, p]), payload);
    await Promise.resolve();
    expect(released).toEqual([]);
    await nextTurn();
    expect(released).toEqual([
      [null, "a"],
      [null, "b"],
      [null, "c"],
    ]);
    hold((err, p) => released.push([err, p]), "d");
    await nextTurn();
    expect(released.at(-1)).toEqual([null, "d"]);
  });

  it("still sends the rest of a batch when sending one answer throws, and logs it", async () => {
    const { logger, errors } = recordingLogger();
    const hold = replyBatching(logger);
    const released: unknown[] = [];
    hold(() => {
      throw new Error("socket gone");
    }, "a");
    hold((_err, p) => released.push(p), "b");
    await nextTurn();
    expect(released).toEqual(["b"]);
    expect(errors).toHaveLength(1);
  });
});
