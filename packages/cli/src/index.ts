export type { Page } from "@keysmith/sdk";
export { ApiClient, ApiError, type ClientOptions, NetworkError } from "./client.js";
export { CliError, EXIT, type ExitCode, type Io } from "./io.js";
export { run } from "./run.js";
