#!/usr/bin/env node
/**
 * Writes the rule fixture corpus: fixtures/<rule-id>/ng.<ext> (every marked secret must be found),
 * ok.<ext> (near misses and placeholders: nothing may be found) and expected.json (rule, line and
 * column of each finding, computed here from where the secrets were placed — not by the scanner).
 *
 * Every secret is fake: bodies come from a seeded PRNG, with valid checksums where the format has
 * one, so the scanner's checksum checks are exercised. Run: node scripts/make-fixtures.mjs
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { crc32 } from "node:zlib";

const OUT = new URL("../fixtures/", import.meta.url);
const B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const B64URL = `${B62}_-`;
const B64 = `${B62}+/`;
const HEX = "0123456789abcdef";
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

let seed = 0x5eed;
function rand() {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 4294967296;
}
const chars = (alphabet, n) =>
  Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
const base62 = (value, width) => {
  let out = "";
  let n = value;
  do {
    out = B62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, "0");
};
const crc = (text) => base62(crc32(Buffer.from(text)), 6);
// Changes the last character, so a checksum no longer matches.
const breakLast = (s) => s.slice(0, -1) + (s.endsWith("A") ? "B" : "A");

const keysmith = (prefix, type, env) => {
  const head = `${prefix}_${type}_${env}_${chars(B62, 30)}`;
  return head + crc(head);
};
const ghStyle = (prefix) => {
  const random = chars(B62, 30);
  return `${prefix}_${random}${crc(random)}`;
};
const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString("base64url");
const jwt = (header, claims) => `${b64url(header)}.${b64url(claims)}.${chars(B64URL, 43)}`;
const pemBody = (bytes) => {
  const b64 = Buffer.from(Array.from({ length: bytes }, () => Math.floor(rand() * 256))).toString("base64");
  return b64.match(/.{1,64}/g);
};
const pem = (label, bytes) =>
  [`-----BEGIN ${label}-----`, ...pemBody(bytes), `-----END ${label}-----`].join("\n");

/** A secret to place, and the rule that must report it. */
const hit = (rule, secret) => ({ rule, secret });

// Each rule: file extension, lines that must produce exactly the marked findings (ng), and
// near-miss lines that must produce none (ok). A line is a string or an array of strings and hits.
const FIXTURES = {
  "keysmith-secret-key": {
    ext: "ts",
    ng: () => [
      "// Billing worker configuration.",
      ['const key = "', hit("keysmith-secret-key", keysmith("acme", "sk", "live")), '";'],
      ["export KEYSMITH_ROOT_KEY=", hit("keysmith-secret-key", keysmith("ks", "root", "test"))],
      [
        'curl -H "Authorization: Bearer ',
        hit("keysmith-secret-key", keysmith("shop2", "rk", "test")),
        '" localhost:8080/v1/keys',
      ],
    ],
    ok: () => [
      "// Lookalikes: wrong checksum, reserved prefix, short body, upper-case prefix.",
      `const key = "${breakLast(keysmith("acme", "sk", "live"))}";`,
      `const rootish = "${keysmith("ks", "sk", "live")}";`,
      `const short = "${keysmith("acme", "sk", "test").slice(0, -1)}";`,
      `// see ACME${keysmith("x", "sk", "live").slice(1)} in the docs`,
    ],
  },
  "keysmith-publishable-key": {
    ext: "js",
    ng: () => [
      ['const publishable = "', hit("keysmith-publishable-key", keysmith("acme", "pk", "live")), '";'],
      ['window.KEYSMITH = { key: "', hit("keysmith-publishable-key", keysmith("demo", "pk", "test")), '" };'],
    ],
    ok: () => [
      `const publishable = "${breakLast(keysmith("acme", "pk", "live"))}";`,
      `const tooLongPrefix = "${keysmith("averylongprefix", "pk", "test")}";`,
    ],
  },
  "openai-api-key": {
    ext: "py",
    ng: () => [
      "import openai",
      [
        'client = openai.OpenAI(api_key="',
        hit("openai-api-key", `sk-proj-${chars(B64URL, 74)}T3BlbkFJ${chars(B64URL, 74)}`),
        '")',
      ],
      [
        'SERVICE = "',
        hit("openai-api-key", `sk-svcacct-${chars(B64URL, 74)}T3BlbkFJ${chars(B64URL, 74)}`),
        '"',
      ],
      ["ADMIN = '", hit("openai-api-key", `sk-admin-${chars(B64URL, 74)}T3BlbkFJ${chars(B64URL, 74)}`), "'"],
      ['legacy = "', hit("openai-api-key", `sk-${chars(B62, 20)}T3BlbkFJ${chars(B62, 20)}`), '"'],
    ],
    ok: () => [
      'client = openai.OpenAI(api_key="sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")',
      'client = openai.OpenAI(api_key="sk-proj-abc123")',
      `legacy = "sk-${chars(B62, 48)}"`,
      "# Set OPENAI_API_KEY=sk-... in your shell",
    ],
  },
  "anthropic-api-key": {
    ext: "ts",
    ng: () => [
      [
        'const anthropic = new Anthropic({ apiKey: "',
        hit("anthropic-api-key", `sk-ant-api03-${chars(B64URL, 93)}AA`),
        '" });',
      ],
      ["ANTHROPIC_ADMIN_KEY=", hit("anthropic-api-key", `sk-ant-admin01-${chars(B64URL, 93)}AA`)],
    ],
    ok: () => [
      `const short = "sk-ant-api03-${chars(B64URL, 92)}AA";`,
      `const noSuffix = "sk-ant-api03-${chars(B64URL, 95)}";`,
      'const placeholder = "sk-ant-api03-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXAA";',
    ],
  },
  "stripe-secret-key": {
    ext: "rb",
    ng: () => [
      ["Stripe.api_key = '", hit("stripe-secret-key", `sk_live_${chars(B62, 99)}`), "'"],
      ['RESTRICTED = "', hit("stripe-secret-key", `rk_test_${chars(B62, 24)}`), '"'],
      ["STRIPE_SECRET_KEY=", hit("stripe-secret-key", `sk_test_${chars(B62, 24)}`)],
    ],
    ok: () => [
      "Stripe.api_key = 'sk_test_1234'",
      "Stripe.api_key = 'sk_live_xxxxxxxxxxxxxxxxxxxxxxxx'",
      "Stripe.api_key = ENV['sk_test_your_key_here']",
      `prefixed = "my_sk_live_${chars(B62, 24)}_suffix"`,
    ],
  },
  "stripe-publishable-key": {
    ext: "html",
    ng: () => [
      [
        "<script>const stripe = Stripe('",
        hit("stripe-publishable-key", `pk_live_${chars(B62, 99)}`),
        "');</script>",
      ],
      ['<div data-key="', hit("stripe-publishable-key", `pk_test_${chars(B62, 24)}`), '"></div>'],
    ],
    ok: () => [
      "<script>const stripe = Stripe('pk_test_xxxxxxxxxxxxxxxxxxxxxxxx');</script>",
      '<div data-key="pk_live_short"></div>',
      `<div data-key="mypk_live_${chars(B62, 24)}"></div>`,
    ],
  },
  "stripe-webhook-secret": {
    ext: "env",
    ng: () => [
      ["STRIPE_WEBHOOK_SIGNING=", hit("stripe-webhook-secret", `whsec_${chars(B62, 32)}`)],
      ["endpoint_secret: ", hit("stripe-webhook-secret", `whsec_${chars(B64, 44)}`)],
    ],
    ok: () => [
      "STRIPE_WEBHOOK_SIGNING=whsec_1234",
      "STRIPE_WEBHOOK_SIGNING=whsec_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ],
  },
  "aws-access-key-id": {
    ext: "tf",
    ng: () => [
      'provider "aws" {',
      ['  access_key = "', hit("aws-access-key-id", `AKIA${chars(BASE32, 16)}`), '"'],
      "}",
      ["# temporary: ", hit("aws-access-key-id", `ASIA${chars(BASE32, 16)}`)],
    ],
    ok: () => [
      '  access_key = "AKIAIOSFODNN7EXAMPLE"',
      `  access_key = "AKIA${chars(BASE32, 15)}"`,
      `  key_name = "akia${chars(BASE32, 16).toLowerCase()}"`,
      '  access_key = "AKIAXXXXXXXXXXXXXXXX"',
    ],
  },
  "aws-secret-access-key": {
    ext: "ini",
    ng: () => {
      const secret = () => `${chars(B62, 12)}/${chars(B62, 13)}+${chars(B62, 13)}`;
      return [
        "[default]",
        ["aws_access_key_id = ", hit("aws-access-key-id", `AKIA${chars(BASE32, 16)}`)],
        ["aws_secret_access_key = ", hit("aws-secret-access-key", secret())],
        "",
        "; credentials.csv exported from the console",
        [
          "deploy-bot,",
          hit("aws-access-key-id", `AKIA${chars(BASE32, 16)}`),
          ",",
          hit("aws-secret-access-key", secret()),
        ],
      ];
    },
    ok: () => [
      "[default]",
      "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "",
      `checksum = ${chars(B62, 20)}/${chars(B62, 19)}`,
      `commit = ${chars(HEX, 40)}`,
    ],
  },
  "github-token": {
    ext: "yml",
    ng: () => [
      "env:",
      ["  GH_TOKEN: ", hit("github-token", ghStyle("ghp"))],
      ["  OAUTH: ", hit("github-token", ghStyle("gho"))],
      ["  APP_INSTALLATION: ", hit("github-token", ghStyle("ghs"))],
    ],
    ok: () => [
      "env:",
      `  GH_TOKEN: ${breakLast(ghStyle("ghp"))}`,
      `  SHORT: ghp_${chars(B62, 35)}`,
      "  PLACEHOLDER: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      `  OTHER: ghx_${chars(B62, 36)}`,
    ],
  },
  "github-fine-grained-pat": {
    ext: "sh",
    ng: () => [
      [
        "export GITHUB_PAT=",
        hit("github-fine-grained-pat", `github_pat_${chars(B62, 22)}_${chars(B62, 59)}`),
      ],
      [
        "gh auth login --with-token <<< ",
        hit("github-fine-grained-pat", `github_pat_${chars(B62, 22)}_${chars(B62, 59)}`),
      ],
    ],
    ok: () => [
      `# github_pat_${chars(B62, 22)}_${chars(B62, 40)} (truncated in the docs)`,
      "# github_pat_xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ],
  },
  "gitlab-pat": {
    ext: "toml",
    ng: () => [
      ['token = "', hit("gitlab-pat", `glpat-${chars(B64URL, 20)}`), '"'],
      ["# ci: ", hit("gitlab-pat", `glpat-${chars(B62, 20)}`)],
    ],
    ok: () => [
      'token = "glpat-12345"',
      'token = "glpat-xxxxxxxxxxxxxxxxxxxx"',
      'token = "glpat-<your-token>"',
    ],
  },
  "google-api-key": {
    ext: "xml",
    ng: () => [
      [
        '<meta-data android:name="com.google.android.geo.API_KEY" android:value="',
        hit("google-api-key", `AIza${chars(B64URL, 35)}`),
        '"/>',
      ],
      ['<string name="firebase">', hit("google-api-key", `AIza${chars(B64URL, 35)}`), "</string>"],
    ],
    ok: () => [
      `<string name="short">AIza${chars(B64URL, 34)}</string>`,
      '<string name="docs">AIzaSyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX</string>',
      `<string name="embedded">xAIza${chars(B64URL, 35)}</string>`,
    ],
  },
  "slack-token": {
    ext: "js",
    ng: () => [
      [
        'const bot = new WebClient("',
        hit("slack-token", `xoxb-${chars("123456789", 12)}-${chars("123456789", 13)}-${chars(B62, 24)}`),
        '");',
      ],
      [
        'const user = "',
        hit(
          "slack-token",
          `xoxp-${chars("123456789", 12)}-${chars("123456789", 12)}-${chars("123456789", 13)}-${chars(HEX, 32)}`,
        ),
        '";',
      ],
      [
        'const app = "',
        hit("slack-token", `xapp-1-A${chars(BASE32, 10)}-${chars("123456789", 13)}-${chars(HEX, 64)}`),
        '";',
      ],
    ],
    ok: () => [
      'const bot = new WebClient("xoxb-your-token-here");',
      'const bot2 = new WebClient("xoxb-123456789012-1234567890123-xxxxxxxxxxxxxxxxxxxxxxxx");',
      `const other = "xoxz-${chars("123456789", 12)}-${chars(B62, 24)}";`,
    ],
  },
  "slack-webhook-url": {
    ext: "json",
    ng: () => [
      "{",
      [
        '  "alerts": "https://',
        hit(
          "slack-webhook-url",
          `hooks.slack.com/services/T${chars(BASE32, 10)}/B${chars(BASE32, 10)}/${chars(B62, 24)}`,
        ),
        '",',
      ],
      [
        '  "deploys": "https://',
        hit(
          "slack-webhook-url",
          `hooks.slack.com/services/T${chars(BASE32, 8)}/B${chars(BASE32, 8)}/${chars(B62, 24)}`,
        ),
        '"',
      ],
      "}",
    ],
    ok: () => [
      "{",
      '  "docs": "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",',
      '  "template": "https://hooks.slack.com/services/YOUR/WEBHOOK/URL"',
      "}",
    ],
  },
  "twilio-api-key": {
    ext: "cs",
    ng: () => [
      ['var apiKey = "', hit("twilio-api-key", `SK${chars(HEX, 32)}`), '";'],
      ['TwilioClient.Init("', hit("twilio-api-key", `SK${chars(HEX, 32)}`), '", secret);'],
    ],
    ok: () => [
      `var sid = "SK${chars(HEX, 31)}";`,
      'var apiKey = "SKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";',
      `var desk = "DESK${chars(HEX, 32)}";`,
    ],
  },
  "twilio-account-sid": {
    ext: "cs",
    ng: () => [
      ['var accountSid = "', hit("twilio-account-sid", `AC${chars(HEX, 32)}`), '";'],
      ["// account ", hit("twilio-account-sid", `AC${chars(HEX, 32)}`)],
    ],
    ok: () => [
      'var accountSid = "ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";',
      'var accountSid = "AC00000000000000000000000000000000";',
      `var x = "TRAC${chars(HEX, 32)}";`,
    ],
  },
  "sendgrid-api-key": {
    ext: "php",
    ng: () => [
      [
        "$sendgrid = new \\SendGrid('",
        hit("sendgrid-api-key", `SG.${chars(B64URL, 22)}.${chars(B64URL, 43)}`),
        "');",
      ],
      ["putenv('SENDGRID=", hit("sendgrid-api-key", `SG.${chars(B64URL, 22)}.${chars(B64URL, 43)}`), "');"],
    ],
    ok: () => [
      "$sendgrid = new \\SendGrid('SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');",
      `$short = 'SG.${chars(B64URL, 21)}.${chars(B64URL, 43)}';`,
      "$html = $MSG.render();",
    ],
  },
  "huggingface-token": {
    ext: "py",
    ng: () => [
      "from huggingface_hub import login",
      ['login(token="', hit("huggingface-token", `hf_${chars(LETTERS, 34)}`), '")'],
      ["HF = '", hit("huggingface-token", `hf_${chars(LETTERS, 34)}`), "'"],
    ],
    ok: () => [
      `print("hf_${chars(LETTERS, 33)}")`,
      'login(token="hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")',
      `model = "xhf_${chars(LETTERS, 34)}"`,
    ],
  },
  "npm-token": {
    ext: "npmrc",
    ng: () => [
      ["//registry.npmjs.org/:_authToken=", hit("npm-token", ghStyle("npm"))],
      ["//npm.pkg.example.org/:_authToken=", hit("npm-token", ghStyle("npm"))],
    ],
    ok: () => [
      `//registry.npmjs.org/:_authToken=${breakLast(ghStyle("npm"))}`,
      `//registry.npmjs.org/:_authToken=npm_${chars(B62, 35)}`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} placeholder is the near miss
      "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
    ],
  },
  "private-key": {
    ext: "txt",
    ng: () => [
      "Deploy key (do not share):",
      [hit("private-key", pem("RSA PRIVATE KEY", 1190))],
      "",
      [hit("private-key", pem("OPENSSH PRIVATE KEY", 400))],
      "",
      [
        '{"type": "service_account", "private_key": "',
        hit("private-key", pem("PRIVATE KEY", 1216).replaceAll("\n", "\\n")),
        '\\n"}',
      ],
    ],
    ok: () => [
      pem("PUBLIC KEY", 294),
      "",
      "-----BEGIN RSA PRIVATE KEY-----",
      "...",
      "-----END RSA PRIVATE KEY-----",
      "",
      "-----BEGIN PRIVATE KEY-----",
      "<your private key here>",
      "-----END PRIVATE KEY-----",
      "Keep the PRIVATE KEY file out of the repository.",
    ],
  },
  jwt: {
    ext: "http",
    ng: () => [
      "GET /v1/me",
      [
        "Authorization: Bearer ",
        hit(
          "jwt",
          jwt(
            { alg: "HS256", typ: "JWT" },
            { sub: `user_${chars(B62, 12)}`, iat: 1750000000, exp: 1950000000 },
          ),
        ),
      ],
      "",
      [
        "session=",
        hit(
          "jwt",
          jwt(
            { alg: "RS256", kid: chars(HEX, 16) },
            { iss: "https://auth.acme.io", aud: "api", sub: chars(HEX, 24) },
          ),
        ),
      ],
    ],
    ok: () => [
      "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
      `Authorization: Bearer ${jwt({ typ: "JWT" }, { sub: chars(HEX, 24) })}`,
      `Authorization: Bearer ${b64url({ alg: "none" })}.${b64url({ sub: chars(HEX, 8) })}.`,
      `x-trace: eyJ${chars(B64URL, 30)}.${chars(B64URL, 20)}.${chars(B64URL, 20)}`,
    ],
  },
  "generic-secret": {
    ext: "env",
    ng: () => [
      ["DB_PASSWORD=", hit("generic-secret", `${chars(B62, 10)}!${chars(B62, 8)}`)],
      ["export API_KEY=", hit("generic-secret", chars(B62, 32))],
      ['app.secret_key = "', hit("generic-secret", chars(HEX, 48)), '"'],
      ['  "client_secret": "', hit("generic-secret", `${chars(B64URL, 24)}`), '",'],
      ["password: ", hit("generic-secret", `${chars(LETTERS, 6)}-${chars(B62, 6)}-${chars(B62, 4)}`)],
    ],
    ok: () => [
      'password = "changeme"',
      'api_key = os.environ["API_KEY"]',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} placeholder is the near miss
      'token = "${TOKEN}"',
      `public_key = "${chars(B62, 40)}"`,
      'token_url = "https://auth.acme.io/oauth/token"',
      'secret = "short"',
      "apiKey: getApiKey()",
      'monkey = "banana_split_2000"',
      `password_hash = "${chars(HEX, 40)}"`,
      "SECRET_KEY=your_secret_key_here",
      'cache_key = "user:1234:profile"',
    ],
  },
};

/** Renders lines, recording where each hit starts (1-based line and UTF-16 column). */
function render(lines) {
  let text = "";
  let line = 1;
  let column = 1;
  const expected = [];
  const append = (s) => {
    text += s;
    const parts = s.split("\n");
    if (parts.length > 1) {
      line += parts.length - 1;
      column = parts[parts.length - 1].length + 1;
    } else {
      column += s.length;
    }
  };
  for (const entry of lines) {
    for (const segment of Array.isArray(entry) ? entry : [entry]) {
      if (typeof segment === "string") append(segment);
      else {
        expected.push({ ruleId: segment.rule, line, column });
        append(segment.secret);
      }
    }
    append("\n");
  }
  return { text, expected };
}

rmSync(OUT, { recursive: true, force: true });
for (const [ruleId, fixture] of Object.entries(FIXTURES)) {
  const dir = new URL(`${ruleId}/`, OUT);
  mkdirSync(dir, { recursive: true });
  const okLines = fixture.ok();
  const ng = render(fixture.ng());
  const ok = render(okLines);
  if (ok.expected.length > 0) throw new Error(`${ruleId}: ok lines must not contain hits`);
  const hits = ng.expected.filter((e) => e.ruleId === ruleId).length;
  const nearMisses = okLines.filter((l) => typeof l === "string" && l.trim() !== "").length;
  if (hits < 2 || nearMisses < 2) throw new Error(`${ruleId}: needs 2+ true positives and 2+ near misses`);
  writeFileSync(new URL(`ng.${fixture.ext}`, dir), ng.text);
  writeFileSync(new URL(`ok.${fixture.ext}`, dir), ok.text);
  const expected = { [`ng.${fixture.ext}`]: ng.expected, [`ok.${fixture.ext}`]: [] };
  writeFileSync(new URL("expected.json", dir), `${JSON.stringify(expected, null, 2)}\n`);
}
console.log(`wrote ${Object.keys(FIXTURES).length} fixture folders to ${OUT.pathname}`);
