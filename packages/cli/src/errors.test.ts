import { describe, expect, it } from "vitest";
import { ApiError, NetworkError } from "./client.js";
import { describeError, errorJson, flagFor } from "./errors.js";
import { CliError } from "./io.js";
import { captureIo } from "./test-support/cli.js";

const keysCreate = {
  flags: ["--project", "--owner", "--expires-at", "--expires-in", "--ratelimit", "--json"],
  args: [],
};

describe("errors in the CLI's words", () => {
  it("maps an API field to the flag the command has, or its argument", () => {
    expect(flagFor("projectId", keysCreate)).toBe("--project");
    expect(flagFor("ownerId", keysCreate)).toBe("--owner");
    expect(flagFor("expiresAt", keysCreate)).toBe("--expires-at");
    expect(flagFor("ratelimits", keysCreate)).toBe("--ratelimit");
    expect(flagFor("externalId", { flags: ["--external-id"], args: [] })).toBe("--external-id");
    expect(flagFor("name", { flags: [], args: ["name"] })).toBe("<name>");
    // A field the command has no flag for stays the API's word.
    expect(flagFor("gracePeriod", keysCreate)).toBeNull();
  });

  it("renames fields in the server's message and keeps the code and request id", () => {
    const io = captureIo().io;
    const expired = new ApiError(422, {
      code: "UNPROCESSABLE",
      message: "expiresAt must be in the future.",
      requestId: "req_1",
    });
    expect(describeError(expired, io, keysCreate)).toBe(
      "--expires-at must be in the future. (UNPROCESSABLE, request req_1)",
    );
    const invalid = new ApiError(400, {
      code: "VALIDATION_ERROR",
      message: "Invalid request: body/ownerId must NOT have more than 128 characters",
      requestId: "req_2",
      details: [{ path: "body/ownerId", message: "must NOT have more than 128 characters" }],
    });
    expect(describeError(invalid, io, keysCreate)).toBe(
      "--owner: must NOT have more than 128 characters (VALIDATION_ERROR, request req_2)",
    );
    // Without a flag to name, the server's message as it came.
    expect(describeError(invalid, io, { flags: [], args: [] })).toBe(
      "Invalid request: body/ownerId must NOT have more than 128 characters (VALIDATION_ERROR, request req_2)",
    );
  });

  it("gives --json an error object only for errors with a stable code", () => {
    const io = captureIo().io;
    const coded = new CliError("the environment is unknown", 2, { code: "UNKNOWN_ENVIRONMENT" });
    expect(errorJson(coded, io)).toEqual({
      error: { code: "UNKNOWN_ENVIRONMENT", message: "the environment is unknown" },
    });
    expect(describeError(coded, io)).toBe("the environment is unknown (UNKNOWN_ENVIRONMENT)");
    expect(errorJson(new CliError("plain"), io)).toBeNull();
    expect(errorJson(new NetworkError("cannot reach keysmith"), io)).toBeNull();
  });
});
