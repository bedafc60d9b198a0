/** What a CLI's `keysmith scan --staged` does, for the hook tests: scan the index, print, exit 1 on findings. */
import { formatText } from "../format/text.js";
import { scanStaged } from "../scan-git.js";

const result = await scanStaged(process.cwd());
process.stdout.write(formatText(result.findings));
process.exitCode = result.findings.length > 0 ? 1 : 0;
