import type { Rule } from "../types.js";
import { rules as anthropic } from "./anthropic.js";
import { rules as aws } from "./aws.js";
import { rules as generic } from "./generic.js";
import { rules as github } from "./github.js";
import { rules as gitlab } from "./gitlab.js";
import { rules as google } from "./google.js";
import { rules as huggingface } from "./huggingface.js";
import { rules as jwt } from "./jwt.js";
import { rules as keysmith } from "./keysmith.js";
import { rules as npm } from "./npm.js";
import { rules as openai } from "./openai.js";
import { rules as privateKey } from "./private-key.js";
import { rules as providers } from "./providers.js";
import { rules as sendgrid } from "./sendgrid.js";
import { rules as slack } from "./slack.js";
import { rules as stripe } from "./stripe.js";
import { rules as twilio } from "./twilio.js";

/** Every built-in rule, specific ones first and the generic assignment rule last. */
export const builtinRules: readonly Rule[] = [
  ...keysmith,
  ...openai,
  ...anthropic,
  ...stripe,
  ...aws,
  ...github,
  ...gitlab,
  ...google,
  ...slack,
  ...twilio,
  ...sendgrid,
  ...huggingface,
  ...npm,
  ...privateKey,
  ...jwt,
  ...providers,
  ...generic,
];
