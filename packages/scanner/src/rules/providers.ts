/**
 * Token formats of further providers (issue #15), each written from the provider's documented
 * format: a fixed prefix and a body of known alphabet and length where the provider has one
 * (checked with an entropy floor), or — for providers whose keys are bare UUIDs or hex — the
 * value assigned to a name that carries the provider's name (`HEROKU_API_KEY = "…"`).
 * Every quantifier is bounded (rules/linear.test.ts).
 */
import type { Rule, Severity } from "../types.js";
import { jwt } from "./jwt.js";
import { isPlaceholder, looksRandom, shannonEntropy, startsWord } from "./validators.js";

interface TokenSpec {
  id: string;
  title: string;
  description: string;
  keywords: string[];
  regex: RegExp;
  /** Bits per character the random part must reach (default 3). */
  entropy?: number;
  /** The random part of the secret, for the entropy test (default: the whole secret). */
  body?: (secret: string) => string;
  severity?: Severity;
  /** A byte-level test at the keyword hit (default: `startsWord` unless `prefix` is false). */
  quickCheck?: Rule["quickCheck"];
  /** Extra test after the entropy and placeholder ones. */
  check?: (secret: string, match: RegExpExecArray) => boolean;
  /** Keywords start the token: skip hits inside a word. */
  prefix?: boolean;
  keywordCase?: "variants";
  reach?: Rule["reach"];
  window?: Rule["window"];
  /** A catch-all: a specific rule's finding on the same span wins. */
  generic?: boolean;
}

function token(spec: TokenSpec): Rule {
  const body = spec.body ?? ((s: string) => s);
  const entropy = spec.entropy ?? 3;
  return {
    id: spec.id,
    title: spec.title,
    severity: spec.severity ?? "error",
    description: spec.description,
    keywords: spec.keywords,
    ...(spec.keywordCase ? { keywordCase: spec.keywordCase } : {}),
    ...(spec.reach ? { reach: spec.reach } : {}),
    ...(spec.window ? { window: spec.window } : {}),
    ...(spec.generic ? { generic: true } : {}),
    regex: spec.regex,
    ...(spec.quickCheck
      ? { quickCheck: spec.quickCheck }
      : spec.prefix === false
        ? {}
        : { quickCheck: startsWord }),
    validate: (secret, match) =>
      looksRandom(body(secret), entropy) && (spec.check ? spec.check(secret, match) : true),
  };
}

/**
 * At a `scheme://` hit: is there a `user:password@` before the first `/`, space or quote? Most
 * URLs have none, so their lines are not decoded.
 */
function credentialsFollow(bytes: Uint8Array, _start: number, end: number): boolean {
  const limit = Math.min(bytes.length, end + 200);
  let colon = false;
  for (let i = end; i < limit; i++) {
    const b = bytes[i] as number;
    if (b === 64 /* @ */) return colon;
    if (b === 58 /* : */) colon = true;
    else if (b <= 32 || b === 47 || b === 34 || b === 39 || b === 96 || b === 60 || b === 62) return false;
  }
  return false;
}

/** A lower-case alphanumeric key, not a word: random ones of 20+ characters almost always mix both. */
const lettersAndDigits = (s: string): boolean => /[0-9]/.test(s) && /[a-z]/i.test(s);
const after = (prefix: string) => (s: string) => s.slice(s.indexOf(prefix) + prefix.length);
const ASSIGN = `[A-Za-z0-9_.-]{0,32}["'\`]?[ \\t]{0,8}(?::=|=>|=|:)[ \\t]{0,8}["'\`]?`;
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/**
 * A provider whose keys have no prefix: the value assigned to a name containing one of `names`
 * (any case), e.g. `heroku_api_key: "<uuid>"`.
 */
function named(
  spec: Omit<TokenSpec, "regex" | "keywords" | "prefix" | "keywordCase"> & { names: string[]; value: string },
): Rule {
  return token({
    ...spec,
    keywords: spec.names,
    keywordCase: "variants",
    prefix: false,
    regex: new RegExp(`(?:${spec.names.join("|")})${ASSIGN}(?<secret>${spec.value})(?![A-Za-z0-9_-])`, "gi"),
  });
}

const WORDS = /password|passwd|secret|changeme|example|sample|username|your|user:pass|^pass$|\*\*\*/i;
const WEAK = new Set(
  "pass password postgres root admin secret test guest mysql redis rabbitmq mongo user changeme example letmein 1234 12345 123456".split(
    " ",
  ),
);

/** A password found in a URL or command: not a placeholder, a variable or a well-known default. */
function realPassword(password: string): boolean {
  if (password.length < 6 || WEAK.has(password.toLowerCase()) || WORDS.test(password)) return false;
  if (/^[$%{<[(]|^\*+$|^x+$/i.test(password) || password.includes("${") || password.includes("{{"))
    return false;
  if (isPlaceholder(password)) return false;
  return shannonEntropy(password) >= 2.5;
}

export const rules: readonly Rule[] = [
  token({
    id: "database-url-password",
    title: "Database URL with a password",
    description:
      "A database or broker connection URL (PostgreSQL, MySQL, MongoDB, Redis, AMQP, SQL Server) that carries a password. Change the password and read the URL from the environment.",
    keywords: [
      "postgres://",
      "postgresql://",
      "mysql://",
      "mariadb://",
      "mongodb://",
      "mongodb+srv://",
      "redis://",
      "rediss://",
      "amqp://",
      "amqps://",
      "sqlserver://",
      "mssql://",
    ],
    prefix: false,
    quickCheck: credentialsFollow,
    regex:
      /(?<![A-Za-z0-9+])(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|sqlserver|mssql):\/\/[^\s:@/"'`]{0,64}:(?<secret>[^\s:@/"'`]{1,128})@[A-Za-z0-9_.-]{1,253}/g,
    entropy: 0,
    check: (secret) => realPassword(secret),
  }),
  token({
    id: "url-basic-auth",
    title: "Password in a URL",
    description:
      "An http(s) or ftp URL with user:password@ credentials. Change the password; pass credentials in a header or from a secret store.",
    keywords: ["http://", "https://", "ftp://", "ftps://"],
    prefix: false,
    quickCheck: credentialsFollow,
    regex:
      /(?<![A-Za-z0-9+.-])(?:https?|ftps?):\/\/(?<user>[A-Za-z0-9._~%!$&'()*+,;=-]{1,64}):(?<secret>[A-Za-z0-9._~%!$&()*+,;=-]{1,128})@(?<host>[A-Za-z0-9.-]{1,253})/g,
    entropy: 0,
    check: (secret, match) =>
      realPassword(secret) && !isPlaceholder(match.groups?.host ?? "") && !/^[0-9]+$/.test(secret),
  }),
  token({
    id: "curl-credentials",
    title: "Credentials on a curl command line",
    description:
      "A curl command with -u user:password or an Authorization / API-key header. Rotate the credential and pass it from an environment variable.",
    keywords: ["curl "],
    prefix: false,
    generic: true,
    regex:
      /curl[ \t][^\n]{0,400}?(?:(?:-u|--user)[ \t=]{1,3}["']?[^\s:"']{1,64}:(?<secret>[^\s"']{6,128})|-H[ \t]{1,3}["'](?:Authorization:[ \t]{0,4}(?:Bearer|Basic|Token|token)[ \t]{1,4}|(?:X-API-Key|X-Api-Key|x-api-key|Api-Key|api-key|X-Auth-Token|PRIVATE-TOKEN|Private-Token):[ \t]{0,4})(?<secret2>[A-Za-z0-9._~+/=-]{16,500}))/g,
    entropy: 3,
    check: (secret) => realPassword(secret),
  }),
  token({
    id: "docker-config-auth",
    title: "Docker registry credentials",
    description:
      'A Docker config.json "auth" entry: base64 of user:password for a registry. Change the password or token and log in again.',
    keywords: ['"auth"'],
    prefix: false,
    regex: /"auth"[ \t]{0,4}:[ \t]{0,4}"(?<secret>[A-Za-z0-9+/]{8,400}={0,2})"/g,
    entropy: 0,
    check: (secret) => {
      const decoded = Buffer.from(secret, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon < 1 || !/^[\x20-\x7e]+$/.test(decoded)) return false;
      return realPassword(decoded.slice(colon + 1));
    },
  }),
  token({
    id: "azure-storage-account-key",
    title: "Azure storage account key",
    description:
      "An Azure Storage account key (AccountKey= in a connection string). Rotate the key in the storage account's Access keys.",
    keywords: ["AccountKey=", "accountkey=", "ACCOUNTKEY="],
    prefix: false,
    regex: /AccountKey=(?<secret>[A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])/gi,
    entropy: 4.5,
  }),
  token({
    id: "azure-ad-client-secret",
    title: "Azure AD (Entra ID) client secret",
    description:
      "A Microsoft Entra ID application client secret (the xxxNQ~ format). Delete it under the app registration's Certificates & secrets.",
    keywords: ["Q~"],
    prefix: false,
    regex: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
    entropy: 3.5,
  }),
  token({
    id: "mailgun-api-key",
    title: "Mailgun API key",
    description: "A Mailgun private API key (key-…). Regenerate it in the Mailgun control panel.",
    keywords: ["key-"],
    regex: /(?<![A-Za-z0-9_-])key-[0-9a-f]{32}(?![A-Za-z0-9_-])/g,
    body: after("key-"),
  }),
  token({
    id: "telegram-bot-token",
    title: "Telegram bot token",
    description: "A Telegram Bot API token (bot id and secret). Revoke it with @BotFather (/revoke).",
    keywords: [":AA"],
    prefix: false,
    regex: /(?<![0-9:])[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/g,
    body: after(":"),
    entropy: 3.5,
  }),
  token({
    id: "heroku-api-key",
    title: "Heroku API key",
    description: "A Heroku platform API key (HRKU-). Regenerate it in the Heroku account settings.",
    keywords: ["HRKU-"],
    regex: /(?<![A-Za-z0-9_-])HRKU-[A-Za-z0-9_-]{60}(?![A-Za-z0-9_-])/g,
    body: after("HRKU-"),
  }),
  named({
    id: "heroku-legacy-api-key",
    title: "Heroku API key (UUID)",
    description:
      "A Heroku API key in its older UUID form, assigned to a Heroku-named setting. Regenerate it.",
    names: ["heroku"],
    value: UUID,
  }),
  token({
    id: "1password-service-account-token",
    title: "1Password service account token",
    description: "A 1Password service account token (ops_…). Revoke it in the 1Password admin console.",
    keywords: ["ops_eyJ"],
    regex: /(?<![A-Za-z0-9+/_-])ops_eyJ[A-Za-z0-9+/_-]{250,1200}={0,2}(?![A-Za-z0-9+/=_-])/g,
    body: after("ops_"),
    entropy: 4,
    reach: { before: 16, after: 1300 },
  }),
  token({
    id: "1password-secret-key",
    title: "1Password account secret key",
    description: "A 1Password account Secret Key (A3-…). Generate a new one in the account's settings.",
    keywords: ["A3-"],
    regex:
      /(?<![A-Za-z0-9_-])A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(3).replaceAll("-", ""),
    entropy: 3.5,
  }),
  token({
    id: "facebook-access-token",
    title: "Facebook access token",
    description: "A Facebook / Meta Graph API access token (EAA…). Invalidate it and create a new one.",
    keywords: ["EAAB", "EAAC", "EAAG", "EAAI", "EAAJ", "EAAM", "EAAN"],
    regex: /(?<![A-Za-z0-9_])EAA[BCGIJMN][A-Za-z0-9]{96,400}(?![A-Za-z0-9_])/g,
    entropy: 4,
  }),
  named({
    id: "facebook-app-secret",
    title: "Facebook app secret",
    description:
      "A Facebook / Meta app secret assigned to a Facebook-named setting. Reset it in the app dashboard.",
    names: ["facebook", "fb_app_secret", "fb_secret"],
    value: "[0-9a-f]{32}",
  }),
  token({
    id: "flyio-access-token",
    title: "Fly.io access token",
    description: "A Fly.io access or macaroon token. Revoke it with fly tokens revoke.",
    keywords: ["fo1_", "fm1r_", "fm1a_", "fm2_"],
    regex:
      /(?<![A-Za-z0-9+/_-])(?:fo1_[A-Za-z0-9_-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,2000}={0,3})(?![A-Za-z0-9+/=_-])/g,
    body: after("_"),
    entropy: 4,
    reach: { before: 16, after: 2100 },
  }),
  token({
    id: "grafana-token",
    title: "Grafana token",
    description:
      "A Grafana API key, Grafana Cloud token (glc_) or service account token (glsa_). Delete it in Grafana.",
    keywords: ["eyJrIjoi", "glc_", "glsa_"],
    regex:
      /(?<![A-Za-z0-9+/_])(?:eyJrIjoi[A-Za-z0-9]{70,400}={0,2}|glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})(?![A-Za-z0-9+/=_])/g,
    entropy: 3.5,
  }),
  token({
    id: "vault-token",
    title: "HashiCorp Vault token",
    description:
      "A HashiCorp Vault service, batch or recovery token (hvs., hvb., hvr.). Revoke it with vault token revoke.",
    keywords: ["hvs.", "hvb.", "hvr."],
    regex: /(?<![A-Za-z0-9_.])hv[sbr]\.[A-Za-z0-9_-]{90,300}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(4),
    entropy: 4,
  }),
  token({
    id: "huggingface-org-token",
    title: "Hugging Face organization token",
    description:
      "A Hugging Face organization API token (api_org_). Invalidate it in the organization's settings.",
    keywords: ["api_org_"],
    regex: /(?<![A-Za-z0-9_])api_org_[A-Za-z]{34}(?![A-Za-z0-9_])/g,
    body: after("api_org_"),
    entropy: 3.5,
  }),
  token({
    id: "notion-token",
    title: "Notion integration token",
    description:
      "A Notion integration token (ntn_ or the older secret_). Refresh it in the integration's settings.",
    keywords: ["ntn_", "secret_"],
    regex: /(?<![A-Za-z0-9_])(?:ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})(?![A-Za-z0-9_])/g,
    body: after("_"),
    entropy: 4,
    check: (s) => /[0-9]/.test(s.slice(4)) && /[A-Z]/.test(s) && /[a-z]/.test(s.slice(4)),
  }),
  token({
    id: "sentry-token",
    title: "Sentry auth token",
    description:
      "A Sentry organization (sntrys_) or user (sntryu_) auth token. Revoke it in Sentry's settings.",
    keywords: ["sntrys_", "sntryu_"],
    regex:
      /(?<![A-Za-z0-9+/_-])(?:sntrys_eyJ[A-Za-z0-9+/_-]{80,800}={0,2}|sntryu_[a-f0-9]{64})(?![A-Za-z0-9+/=_-])/g,
    body: after("_"),
    entropy: 3.5,
  }),
  named({
    id: "sidekiq-credentials",
    title: "Sidekiq Pro / Enterprise credentials",
    description:
      "Sidekiq Pro or Enterprise gem server credentials (BUNDLE_…CONTRIBSYS__COM). Ask Contributed Systems to rotate them.",
    names: ["contribsys__com"],
    value: "[0-9a-f]{8}:[0-9a-f]{8}",
    entropy: 2.5,
  }),
  token({
    id: "slack-config-token",
    title: "Slack configuration token",
    description:
      "A Slack app configuration access or refresh token (xoxe). Revoke it with tooling.tokens.rotate or auth.revoke.",
    keywords: ["xoxe.xoxp-", "xoxe.xoxb-", "xoxe-"],
    regex: /(?<![A-Za-z0-9_.-])xoxe(?:\.xox[bp])?-[0-9]-[A-Za-z0-9]{140,170}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(s.lastIndexOf("-") + 1),
    entropy: 4,
  }),
  token({
    id: "slack-legacy-token",
    title: "Slack legacy token",
    description:
      "A Slack legacy or workspace token (xoxs-, xoxo-). Revoke it; legacy tokens cannot be scoped.",
    keywords: ["xoxs-", "xoxo-"],
    regex:
      /(?<![A-Za-z0-9_-])xox[os]-[0-9]{6,16}-[0-9]{6,16}(?:-[0-9]{6,16})?-[0-9a-f]{32,64}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(s.lastIndexOf("-") + 1),
  }),
  named({
    id: "snyk-api-token",
    title: "Snyk API token",
    description: "A Snyk API token assigned to a Snyk-named setting. Revoke it in the Snyk account settings.",
    names: ["snyk"],
    value: UUID,
  }),
  token({
    id: "sonar-token",
    title: "SonarQube / SonarCloud token",
    description:
      "A SonarQube user, global analysis or project analysis token (squ_, sqa_, sqp_). Revoke it in Security settings.",
    keywords: ["squ_", "sqa_", "sqp_"],
    regex: /(?<![A-Za-z0-9_])sq[uap]_[a-f0-9]{40}(?![A-Za-z0-9_])/g,
    body: after("_"),
  }),
  named({
    id: "sonar-token-legacy",
    title: "SonarQube token (older format)",
    description: "A 40-hex SonarQube / SonarCloud token assigned to a Sonar-named setting. Revoke it.",
    names: ["sonar"],
    value: "[0-9a-f]{40}",
  }),
  token({
    id: "sourcegraph-token",
    title: "Sourcegraph access token",
    description: "A Sourcegraph access token (sgp_). Delete it in the user's access tokens settings.",
    keywords: ["sgp_"],
    regex: /(?<![A-Za-z0-9_])sgp_(?:[a-f0-9]{16}_)?[a-f0-9]{40}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(s.lastIndexOf("_") + 1),
  }),
  token({
    id: "square-token",
    title: "Square access token or secret",
    description:
      "A Square production access token (EAAA…), sandbox access token or OAuth secret. Revoke it in the Developer Dashboard.",
    keywords: ["EAAA", "sq0atp-", "sq0csp-", "sq0idp-"],
    regex:
      /(?<![A-Za-z0-9_-])(?:EAAA[A-Za-z0-9_-]{60}|sq0atp-[A-Za-z0-9_-]{22}|sq0csp-[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g,
    body: (s) => (s.startsWith("EAAA") ? s.slice(4) : s.slice(7)),
    entropy: 3.5,
  }),
  named({
    id: "sumologic-access-key",
    title: "Sumo Logic access key",
    description:
      "A Sumo Logic access key assigned to a Sumo-named setting. Delete it under Preferences, Access Keys.",
    names: ["sumo"],
    value: "[A-Za-z0-9]{64}",
    entropy: 4,
  }),
  token({
    id: "figma-token",
    title: "Figma personal access token",
    description: "A Figma personal access token (figd_). Revoke it in the Figma account settings.",
    keywords: ["figd_"],
    regex: /(?<![A-Za-z0-9_])figd_[A-Za-z0-9_-]{40}(?![A-Za-z0-9_-])/g,
    body: after("figd_"),
    entropy: 3.5,
  }),
  token({
    id: "linear-api-key",
    title: "Linear API key",
    description:
      "A Linear personal API key (lin_api_) or OAuth token (lin_oauth_). Revoke it in Linear's API settings.",
    keywords: ["lin_api_", "lin_oauth_"],
    regex: /(?<![A-Za-z0-9_])(?:lin_api_[A-Za-z0-9]{40}|lin_oauth_[a-f0-9]{64})(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(s.lastIndexOf("_") + 1),
  }),
  token({
    id: "databricks-token",
    title: "Databricks personal access token",
    description:
      "A Databricks personal access token (dapi…). Revoke it in the workspace's User Settings, Access tokens.",
    keywords: ["dapi"],
    regex: /(?<![A-Za-z0-9_])dapi[a-f0-9]{32}(?:-[0-9])?(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(4, 36),
  }),
  token({
    id: "cloudflare-origin-ca-key",
    title: "Cloudflare Origin CA key",
    description: "A Cloudflare Origin CA key (v1.0-…). Revoke it in the Cloudflare dashboard.",
    keywords: ["v1.0-"],
    regex: /(?<![A-Za-z0-9_.-])v1\.0-[a-f0-9]{24}-[a-f0-9]{146}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(5),
  }),
  named({
    id: "cloudflare-api-token",
    title: "Cloudflare API token or key",
    description:
      "A Cloudflare API token (40 characters) or global API key (37 hex) assigned to a Cloudflare-named setting. Roll it in the dashboard.",
    names: ["cloudflare", "cf_api"],
    value: "[A-Za-z0-9_-]{40}|[0-9a-f]{37}",
    entropy: 3.5,
  }),
  // gitleaks' default providers with a fixed prefix (written from each provider's format).
  token({
    id: "shopify-token",
    title: "Shopify access token or secret",
    description:
      "A Shopify access token or shared secret (shpat_, shpca_, shppa_, shpss_). Rotate it in the app's settings.",
    keywords: ["shpat_", "shpca_", "shppa_", "shpss_"],
    regex: /(?<![A-Za-z0-9_])shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}(?![A-Za-z0-9_])/g,
    body: after("_"),
  }),
  token({
    id: "digitalocean-token",
    title: "DigitalOcean token",
    description:
      "A DigitalOcean personal access, OAuth or refresh token (dop_v1_, doo_v1_, dor_v1_). Revoke it in the control panel.",
    keywords: ["dop_v1_", "doo_v1_", "dor_v1_"],
    regex: /(?<![A-Za-z0-9_])do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(7),
  }),
  token({
    id: "doppler-token",
    title: "Doppler token",
    description: "A Doppler personal, service or CLI token (dp.pt., dp.st., dp.ct.). Revoke it in Doppler.",
    keywords: ["dp.pt.", "dp.st.", "dp.ct.", "dp.sa.", "dp.scim."],
    regex: /(?<![A-Za-z0-9_.])dp\.(?:pt|st|ct|sa|scim)\.[A-Za-z0-9_.-]{40,100}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(6),
    entropy: 3.5,
  }),
  token({
    id: "dynatrace-token",
    title: "Dynatrace API token",
    description: "A Dynatrace API token (dt0c01.). Revoke it in Access tokens.",
    keywords: ["dt0c01."],
    regex: /(?<![A-Za-z0-9_.])dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(7),
  }),
  token({
    id: "pypi-token",
    title: "PyPI upload token",
    description: "A PyPI API token (pypi-AgEIcHlwaS5vcmc…). Remove it in the PyPI account settings.",
    keywords: ["pypi-AgEIcHlwaS5vcmc"],
    regex: /(?<![A-Za-z0-9_])pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,300}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(24),
    entropy: 4,
  }),
  token({
    id: "rubygems-api-key",
    title: "RubyGems API key",
    description: "A RubyGems.org API key (rubygems_). Delete it in the RubyGems account settings.",
    keywords: ["rubygems_"],
    regex: /(?<![A-Za-z0-9_])rubygems_[a-f0-9]{48}(?![A-Za-z0-9_])/g,
    body: after("rubygems_"),
  }),
  token({
    id: "postman-api-key",
    title: "Postman API key",
    description: "A Postman API key (PMAK-). Revoke it in the Postman account settings.",
    keywords: ["PMAK-"],
    regex: /(?<![A-Za-z0-9_-])PMAK-[a-f0-9]{24}-[a-f0-9]{34}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(5),
  }),
  token({
    id: "pulumi-token",
    title: "Pulumi access token",
    description: "A Pulumi access token (pul-). Delete it in the Pulumi Cloud settings.",
    keywords: ["pul-"],
    regex: /(?<![A-Za-z0-9_-])pul-[a-f0-9]{40}(?![A-Za-z0-9_-])/g,
    body: after("pul-"),
  }),
  token({
    id: "age-secret-key",
    title: "age secret key",
    description:
      "An age encryption secret key (AGE-SECRET-KEY-1…). Re-encrypt what it protects under a new key.",
    keywords: ["AGE-SECRET-KEY-1"],
    regex: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}(?![A-Za-z0-9])/g,
    body: (s) => s.slice(16),
    entropy: 3.5,
  }),
  token({
    id: "alibaba-access-key-id",
    title: "Alibaba Cloud AccessKey ID",
    description:
      "An Alibaba Cloud AccessKey ID (LTAI…); its secret is likely nearby. Disable the AccessKey pair in RAM.",
    keywords: ["LTAI"],
    regex: /(?<![A-Za-z0-9_])LTAI[A-Za-z0-9]{20}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(4),
  }),
  token({
    id: "planetscale-token",
    title: "PlanetScale token or password",
    description:
      "A PlanetScale service token, OAuth token or database password (pscale_). Revoke it in PlanetScale.",
    keywords: ["pscale_tkn_", "pscale_pw_", "pscale_oauth_"],
    regex: /(?<![A-Za-z0-9_.-])pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64}(?![A-Za-z0-9_.=-])/g,
    body: (s) => s.slice(s.indexOf("_", 7) + 1),
    entropy: 3.5,
  }),
  token({
    id: "prefect-api-key",
    title: "Prefect API key",
    description: "A Prefect Cloud API key (pnu_). Delete it in the Prefect Cloud profile.",
    keywords: ["pnu_"],
    regex: /(?<![A-Za-z0-9_])pnu_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g,
    body: after("pnu_"),
    entropy: 3.5,
  }),
  token({
    id: "newrelic-key",
    title: "New Relic key",
    description:
      "A New Relic user API key (NRAK-), insert key (NRII-) or browser key (NRJS-). Delete it in API keys.",
    keywords: ["NRAK-", "NRII-", "NRJS-"],
    regex:
      /(?<![A-Za-z0-9_-])(?:NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9_-]{32}|NRJS-[a-f0-9]{19})(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(5),
  }),
  token({
    id: "mapbox-secret-token",
    title: "Mapbox secret token",
    description: "A Mapbox secret access token (sk.eyJ…). Delete it on the Mapbox account's Tokens page.",
    keywords: ["sk.eyJ"],
    regex: /(?<![A-Za-z0-9_.])sk\.eyJ[A-Za-z0-9_-]{40,300}\.[A-Za-z0-9_-]{20,100}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(s.lastIndexOf(".") + 1),
    entropy: 3.5,
  }),
  token({
    id: "gitlab-token",
    title: "GitLab token (runner, deploy, trigger, feed, agent)",
    description:
      "A GitLab runner, deploy, pipeline trigger, feed, CI build, incoming mail or agent token. Revoke or reset it in GitLab.",
    keywords: ["glrt-", "gldt-", "glptt-", "glft-", "glcbt-", "glimt-", "glagent-", "glsoat-", "glffct-"],
    regex:
      /(?<![A-Za-z0-9_-])(?:glrt-|gldt-|glft-|glcbt-|glimt-|glsoat-|glffct-)[A-Za-z0-9_-]{20,64}(?![A-Za-z0-9_-])|(?<![A-Za-z0-9_-])(?:glptt-[a-f0-9]{40}|glagent-[A-Za-z0-9_-]{50,64})(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(s.indexOf("-") + 1),
    entropy: 3.5,
  }),
  token({
    id: "discord-webhook-url",
    title: "Discord webhook URL",
    description:
      "A Discord webhook URL: anyone holding it can post to the channel. Delete the webhook in the channel settings.",
    keywords: ["discord.com/api/webhooks/", "discordapp.com/api/webhooks/"],
    prefix: false,
    regex: /discord(?:app)?\.com\/api\/webhooks\/[0-9]{17,20}\/[A-Za-z0-9_-]{60,68}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(s.lastIndexOf("/") + 1),
    entropy: 4,
  }),
  token({
    id: "teams-webhook-url",
    title: "Microsoft Teams incoming webhook URL",
    description:
      "A Microsoft Teams incoming webhook URL. Remove the connector or workflow and create a new one.",
    keywords: [".webhook.office.com/webhookb2/"],
    prefix: false,
    regex:
      /(?<![a-z0-9-])[a-z0-9-]{1,64}\.webhook\.office\.com\/webhookb2\/[0-9a-f-]{36}@[0-9a-f-]{36}\/IncomingWebhook\/[0-9a-f]{32}\/[0-9a-f-]{36}(?:\/[A-Za-z0-9_-]{1,80})?/g,
    body: (s) => s.split("/IncomingWebhook/")[1] ?? "",
    entropy: 3,
  }),
  token({
    id: "dropbox-token",
    title: "Dropbox access token",
    description: "A Dropbox short-lived access token (sl.). Revoke it in the App Console.",
    keywords: ["sl.u.", "sl.B"],
    regex: /(?<![A-Za-z0-9_.])sl\.(?:u\.)?[A-Za-z0-9_-]{130,1400}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(3),
    entropy: 4,
    reach: { before: 16, after: 1500 },
  }),
  token({
    id: "mailchimp-api-key",
    title: "Mailchimp API key",
    description:
      "A Mailchimp Marketing API key (32 hex and a data-center suffix). Disable it in the account's API keys.",
    keywords: ["-us"],
    prefix: false,
    regex: /(?<![A-Za-z0-9_])[0-9a-f]{32}-us[0-9]{1,2}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(0, 32),
  }),
  token({
    id: "artifactory-api-key",
    title: "JFrog Artifactory API key or reference token",
    description:
      "A JFrog Artifactory API key (AKCp…) or reference token (cmVmdGtu…). Revoke it in the user profile.",
    keywords: ["AKCp", "cmVmdGtu"],
    regex: /(?<![A-Za-z0-9_])(?:AKCp[A-Za-z0-9]{69}|cmVmdGtu[A-Za-z0-9]{56})(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(4),
    entropy: 3.5,
  }),
  token({
    id: "octopus-deploy-api-key",
    title: "Octopus Deploy API key",
    description: "An Octopus Deploy API key (API-…). Revoke it in the user's profile.",
    keywords: ["API-"],
    regex: /(?<![A-Za-z0-9_-])API-[A-Z0-9]{26}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(4),
    check: (s) => /[0-9]/.test(s.slice(4)),
  }),
  token({
    id: "typeform-token",
    title: "Typeform personal access token",
    description: "A Typeform personal access token (tfp_). Revoke it in the account settings.",
    keywords: ["tfp_"],
    regex: /(?<![A-Za-z0-9_.-])tfp_[A-Za-z0-9_.=-]{59}(?![A-Za-z0-9_.=-])/g,
    body: after("tfp_"),
    entropy: 3.5,
  }),
  token({
    id: "shippo-api-token",
    title: "Shippo API token",
    description: "A Shippo live or test API token. Regenerate it in the Shippo API settings.",
    keywords: ["shippo_live_", "shippo_test_"],
    regex: /(?<![A-Za-z0-9_])shippo_(?:live|test)_[a-f0-9]{40}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(12),
  }),
  token({
    id: "duffel-api-token",
    title: "Duffel API token",
    description: "A Duffel live or test API token. Revoke it in the Duffel dashboard.",
    keywords: ["duffel_live_", "duffel_test_"],
    regex: /(?<![A-Za-z0-9_])duffel_(?:live|test)_[A-Za-z0-9_=-]{43}(?![A-Za-z0-9_=-])/g,
    body: (s) => s.slice(12),
    entropy: 3.5,
  }),
  token({
    id: "flutterwave-secret-key",
    title: "Flutterwave secret key",
    description: "A Flutterwave secret or encryption key. Regenerate it in the dashboard's API settings.",
    keywords: ["FLWSECK_TEST-", "FLWSECK-", "FLWSECK_TEST", "FLWPUBK"],
    regex:
      /(?<![A-Za-z0-9_-])(?:FLWSECK_TEST-|FLWSECK-)[a-f0-9]{32}-X(?![A-Za-z0-9_-])|(?<![A-Za-z0-9_-])FLWSECK_TEST[a-f0-9]{12}(?![A-Za-z0-9_-])/g,
    body: (s) => s.replace(/^FLWSECK(?:_TEST)?-?/, "").replace(/-X$/, ""),
    entropy: 2.5,
  }),
  token({
    id: "infracost-api-key",
    title: "Infracost API key",
    description: "An Infracost API key (ico-). Rotate it in Infracost Cloud.",
    keywords: ["ico-"],
    regex: /(?<![A-Za-z0-9_-])ico-[A-Za-z0-9]{32}(?![A-Za-z0-9_-])/g,
    body: after("ico-"),
    entropy: 3.5,
  }),
  token({
    id: "readme-api-key",
    title: "ReadMe API key",
    description: "A ReadMe API key (rdme_). Revoke it in the project's API keys.",
    keywords: ["rdme_"],
    regex: /(?<![A-Za-z0-9_])rdme_[a-z0-9]{70}(?![A-Za-z0-9_])/g,
    body: after("rdme_"),
  }),
  token({
    id: "clojars-token",
    title: "Clojars deploy token",
    description: "A Clojars deploy token (CLOJARS_). Disable it in the Clojars dashboard.",
    keywords: ["CLOJARS_"],
    regex: /(?<![A-Za-z0-9_])CLOJARS_[a-z0-9]{60}(?![A-Za-z0-9_])/g,
    body: after("CLOJARS_"),
  }),
  token({
    id: "adobe-client-secret",
    title: "Adobe client secret",
    description: "An Adobe Developer Console client secret (p8e-). Rotate it in the project's credentials.",
    keywords: ["p8e-"],
    regex: /(?<![A-Za-z0-9_-])p8e-[A-Za-z0-9]{32}(?![A-Za-z0-9_-])/g,
    body: after("p8e-"),
    entropy: 3.5,
  }),
  token({
    id: "easypost-api-key",
    title: "EasyPost API key",
    description: "An EasyPost production or test API key (EZAK, EZTK). Rotate it in the EasyPost dashboard.",
    keywords: ["EZAK", "EZTK"],
    regex: /(?<![A-Za-z0-9_])EZ[AT]K[A-Za-z0-9]{54}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(4),
    entropy: 3.5,
  }),
  token({
    id: "scalingo-api-token",
    title: "Scalingo API token",
    description: "A Scalingo API token (tk-us-). Revoke it in the Scalingo dashboard.",
    keywords: ["tk-us-"],
    regex: /(?<![A-Za-z0-9_-])tk-us-[A-Za-z0-9_-]{48}(?![A-Za-z0-9_-])/g,
    body: after("tk-us-"),
    entropy: 3.5,
  }),
  token({
    id: "frameio-api-token",
    title: "Frame.io API token",
    description: "A Frame.io developer token (fio-u-). Delete it in the developer site.",
    keywords: ["fio-u-"],
    regex: /(?<![A-Za-z0-9_-])fio-u-[A-Za-z0-9_=-]{64}(?![A-Za-z0-9_=-])/g,
    body: after("fio-u-"),
    entropy: 3.5,
  }),
  token({
    id: "harness-api-key",
    title: "Harness API key",
    description: "A Harness personal access or service account token (pat., sat.). Delete it in Harness.",
    keywords: ["pat.", "sat."],
    regex:
      /(?<![A-Za-z0-9_.])(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[a-f0-9]{24}\.[A-Za-z0-9]{20}(?![A-Za-z0-9_.-])/g,
    body: (s) => s.slice(s.lastIndexOf(".") + 1),
  }),
  token({
    id: "atlassian-api-token",
    title: "Atlassian API token",
    description:
      "An Atlassian (Jira, Confluence) API token (ATATT…). Revoke it in the Atlassian account's security settings.",
    keywords: ["ATATT3"],
    regex: /(?<![A-Za-z0-9_])ATATT3[A-Za-z0-9_=-]{180,200}(?![A-Za-z0-9_=-])/g,
    body: (s) => s.slice(6),
    entropy: 4,
  }),
  // More of gitleaks' providers: AI platforms and SaaS tokens with a fixed prefix.
  token({
    id: "groq-api-key",
    title: "Groq API key",
    description: "A Groq API key (gsk_). Delete it in the Groq console.",
    keywords: ["gsk_"],
    regex: /(?<![A-Za-z0-9_])gsk_[A-Za-z0-9]{52}(?![A-Za-z0-9_])/g,
    body: after("gsk_"),
    entropy: 3.5,
  }),
  token({
    id: "perplexity-api-key",
    title: "Perplexity API key",
    description: "A Perplexity API key (pplx-). Revoke it in the API settings.",
    keywords: ["pplx-"],
    regex: /(?<![A-Za-z0-9_-])pplx-[A-Za-z0-9]{48}(?![A-Za-z0-9_-])/g,
    body: after("pplx-"),
    entropy: 3.5,
  }),
  token({
    id: "xai-api-key",
    title: "xAI API key",
    description: "An xAI (Grok) API key (xai-). Delete it in the xAI console.",
    keywords: ["xai-"],
    regex: /(?<![A-Za-z0-9_-])xai-[A-Za-z0-9]{80}(?![A-Za-z0-9_-])/g,
    body: after("xai-"),
    entropy: 3.5,
  }),
  token({
    id: "replicate-api-token",
    title: "Replicate API token",
    description: "A Replicate API token (r8_). Disable it in the account's API tokens.",
    keywords: ["r8_"],
    regex: /(?<![A-Za-z0-9_])r8_[A-Za-z0-9]{37}(?![A-Za-z0-9_])/g,
    body: after("r8_"),
    entropy: 3.5,
  }),
  token({
    id: "langsmith-api-key",
    title: "LangSmith API key",
    description:
      "A LangSmith personal or service key (lsv2_pt_, lsv2_sk_). Delete it in LangSmith's settings.",
    keywords: ["lsv2_pt_", "lsv2_sk_"],
    regex: /(?<![A-Za-z0-9_])lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(8),
  }),
  token({
    id: "supabase-token",
    title: "Supabase access token or secret key",
    description:
      "A Supabase personal access token (sbp_) or secret API key (sb_secret_). Revoke it in the dashboard.",
    keywords: ["sbp_", "sb_secret_"],
    regex: /(?<![A-Za-z0-9_])(?:sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{31,64})(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(s.startsWith("sbp_") ? 4 : 10),
  }),
  token({
    id: "render-api-key",
    title: "Render API key",
    description: "A Render API key (rnd_). Revoke it in the account settings.",
    keywords: ["rnd_"],
    regex: /(?<![A-Za-z0-9_])rnd_[A-Za-z0-9]{32}(?![A-Za-z0-9_])/g,
    body: after("rnd_"),
    entropy: 3.5,
  }),
  token({
    id: "netlify-token",
    title: "Netlify access token",
    description: "A Netlify personal access token (nfp_). Revoke it in the user settings' Applications.",
    keywords: ["nfp_"],
    regex: /(?<![A-Za-z0-9_])nfp_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g,
    body: after("nfp_"),
    entropy: 3.5,
  }),
  token({
    id: "resend-api-key",
    title: "Resend API key",
    description: "A Resend API key (re_). Delete it in the Resend dashboard.",
    keywords: ["re_"],
    regex: /(?<![A-Za-z0-9_])re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(3).replace("_", ""),
    entropy: 3.5,
  }),
  token({
    id: "brevo-api-key",
    title: "Brevo (Sendinblue) API key",
    description: "A Brevo / Sendinblue API key (xkeysib-). Delete it in the SMTP & API settings.",
    keywords: ["xkeysib-"],
    regex: /(?<![A-Za-z0-9_-])xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(8),
  }),
  token({
    id: "plaid-access-token",
    title: "Plaid access token",
    description:
      "A Plaid access token for an Item (access-production-, -development-, -sandbox-). Rotate it with /item/access_token/invalidate.",
    keywords: ["access-production-", "access-development-", "access-sandbox-"],
    regex: new RegExp(
      `(?<![A-Za-z0-9_-])access-(?:production|development|sandbox)-${UUID}(?![A-Za-z0-9_-])`,
      "g",
    ),
    body: (s) => s.slice(s.length - 36),
  }),
  token({
    id: "terraform-cloud-token",
    title: "Terraform Cloud / HCP Terraform token",
    description:
      "An HCP Terraform (Terraform Cloud) API token (….atlasv1.…). Revoke it in the user or team settings.",
    keywords: [".atlasv1."],
    prefix: false,
    regex: /(?<![A-Za-z0-9_])[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}(?![A-Za-z0-9_=-])/g,
    body: (s) => s.slice(23),
    entropy: 3.5,
  }),
  token({
    id: "openshift-token",
    title: "OpenShift user token",
    description: "An OpenShift OAuth access token (sha256~). Log out the session or delete the token.",
    keywords: ["sha256~"],
    regex: /(?<![A-Za-z0-9_])sha256~[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g,
    body: after("sha256~"),
    entropy: 3.5,
  }),
  token({
    id: "yandex-cloud-key",
    title: "Yandex Cloud API key",
    description: "A Yandex Cloud API key (AQVN…). Delete it for its service account.",
    keywords: ["AQVN"],
    regex: /(?<![A-Za-z0-9_-])AQVN[A-Za-z0-9_-]{35,38}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(4),
    entropy: 3.5,
  }),
  token({
    id: "defined-networking-api-token",
    title: "Defined Networking API token",
    description: "A Defined Networking (Nebula) API token (dnkey-). Delete it in the admin panel.",
    keywords: ["dnkey-"],
    regex: /(?<![A-Za-z0-9_-])dnkey-[a-z0-9=_-]{26}-[a-z0-9=_-]{52}(?![A-Za-z0-9_=-])/g,
    body: (s) => s.slice(6),
  }),
  token({
    id: "settlemint-token",
    title: "SettleMint token",
    description:
      "A SettleMint personal, application or service access token (sm_pat_, sm_aat_, sm_sat_). Revoke it.",
    keywords: ["sm_pat_", "sm_aat_", "sm_sat_"],
    regex: /(?<![A-Za-z0-9_])sm_(?:pat|aat|sat)_[A-Za-z0-9]{16}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(7),
  }),
  token({
    id: "airtable-pat",
    title: "Airtable personal access token",
    description: "An Airtable personal access token (pat….…). Delete it in the developer hub.",
    keywords: ["pat"],
    regex: /(?<![A-Za-z0-9_])pat[A-Za-z0-9]{14}\.[a-f0-9]{64}(?![A-Za-z0-9_])/g,
    quickCheck: (bytes, start, end) => startsWord(bytes, start) && bytes[end + 14] === 46,
    body: (s) => s.slice(18),
  }),
  // Providers whose keys are bare hex, UUIDs or base62: found when assigned to the provider's name.
  named({
    id: "datadog-key",
    title: "Datadog API or application key",
    description:
      "A Datadog API key (32 hex) or application key (40 hex) assigned to a Datadog-named setting. Revoke it in Organization Settings.",
    names: ["datadog", "dd_api_key", "dd_app_key", "dd_application_key"],
    value: "[0-9a-f]{40}|[0-9a-f]{32}",
  }),
  named({
    id: "algolia-admin-key",
    title: "Algolia API key",
    description:
      "An Algolia admin or write API key assigned to an Algolia-named setting. Regenerate it in the dashboard.",
    names: ["algolia"],
    value: "[0-9a-f]{32}",
  }),
  named({
    id: "okta-api-token",
    title: "Okta API token",
    description:
      "An Okta API token (00…) assigned to an Okta-named setting. Revoke it in Security, API, Tokens.",
    names: ["okta"],
    value: "00[A-Za-z0-9_-]{40}",
    entropy: 3.5,
  }),
  named({
    id: "twitch-api-token",
    title: "Twitch API token",
    description:
      "A Twitch client secret or OAuth token assigned to a Twitch-named setting. Reset it in the developer console.",
    names: ["twitch"],
    value: "[a-z0-9]{30}",
  }),
  named({
    id: "zendesk-api-token",
    title: "Zendesk API token",
    description: "A Zendesk API token assigned to a Zendesk-named setting. Delete it in the Admin Center.",
    names: ["zendesk"],
    value: "[A-Za-z0-9]{40}",
    entropy: 3.5,
  }),
  named({
    id: "contentful-token",
    title: "Contentful access token",
    description:
      "A Contentful delivery, preview or management token assigned to a Contentful-named setting. Revoke it in the space's API keys.",
    names: ["contentful"],
    value: "CFPAT-[A-Za-z0-9_-]{43}|[A-Za-z0-9_-]{43}",
    entropy: 3.5,
  }),
  named({
    id: "launchdarkly-key",
    title: "LaunchDarkly access token or SDK key",
    description:
      "A LaunchDarkly API access token (api-) or server SDK key (sdk-) assigned to a LaunchDarkly-named setting. Reset it.",
    names: ["launchdarkly", "launch_darkly", "ld_sdk_key", "ld_api_key"],
    value: `(?:api|sdk)-${UUID}`,
  }),
  named({
    id: "postmark-server-token",
    title: "Postmark server or account token",
    description:
      "A Postmark server or account API token assigned to a Postmark-named setting. Reset it in the server's API Tokens.",
    names: ["postmark"],
    value: UUID,
  }),
  named({
    id: "confluent-api-secret",
    title: "Confluent Cloud API secret",
    description:
      "A Confluent Cloud API secret assigned to a Confluent- or Kafka-named setting. Delete the API key in Confluent Cloud.",
    names: ["confluent", "kafka_api_secret", "kafka_sasl_password"],
    value: "[A-Za-z0-9+/]{64}",
    entropy: 4,
  }),
  named({
    id: "bitbucket-client-secret",
    title: "Bitbucket OAuth client secret",
    description:
      "A Bitbucket OAuth consumer secret assigned to a Bitbucket-named setting. Regenerate it in the workspace's OAuth consumers.",
    names: ["bitbucket"],
    value: "[A-Za-z0-9_=-]{32}|[A-Za-z0-9_=-]{64}",
    entropy: 3.5,
  }),
  named({
    id: "mistral-api-key",
    title: "Mistral AI API key",
    description:
      "A Mistral AI API key assigned to a Mistral-named setting. Delete it in La Plateforme's API keys.",
    names: ["mistral"],
    value: "[A-Za-z0-9]{32}",
    entropy: 3.5,
  }),
  named({
    id: "cohere-api-key",
    title: "Cohere API key",
    description:
      "A Cohere API key assigned to a Cohere- or CO_API_KEY-named setting. Delete it in the dashboard.",
    names: ["cohere", "co_api_key"],
    value: "[A-Za-z0-9]{40}",
    entropy: 3.5,
  }),
  named({
    id: "vercel-token",
    title: "Vercel access token",
    description:
      "A Vercel access token assigned to a Vercel-named setting. Delete it in the account's Tokens page.",
    names: ["vercel"],
    value: "[A-Za-z0-9]{24}",
    entropy: 3.5,
  }),
  named({
    id: "twitter-api-secret",
    title: "Twitter / X API secret",
    description:
      "A Twitter / X API secret assigned to a setting named after the provider. Regenerate it in the X developer portal.",
    names: ["twitter", "x_api_secret"],
    value: "[A-Za-z0-9]{50}",
    entropy: 3.5,
  }),
  named({
    id: "asana-token",
    title: "Asana personal access token",
    description:
      "A Asana personal access token assigned to a setting named after the provider. Revoke it in the Asana developer console.",
    names: ["asana"],
    value: "[0-9]/[0-9]{16}:[A-Za-z0-9]{32}|[0-9]/[0-9]{16}/[0-9]{16}:[a-f0-9]{32}",
    entropy: 3,
  }),
  named({
    id: "discord-bot-token",
    title: "Discord bot token",
    description:
      "A Discord bot token assigned to a setting named after the provider. Reset it in the Developer Portal's Bot page.",
    names: ["discord"],
    value: "[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}",
    entropy: 3.5,
  }),
  named({
    id: "trello-token",
    title: "Trello API key or token",
    description:
      "A Trello API key or token assigned to a setting named after the provider. Revoke it in Trello's Power-Ups admin.",
    names: ["trello"],
    value: "[a-f0-9]{64}|[a-f0-9]{32}",
    entropy: 3,
  }),
  named({
    id: "travis-ci-token",
    title: "Travis CI access token",
    description:
      "A Travis CI access token assigned to a setting named after the provider. Regenerate it in the Travis CI settings.",
    names: ["travis"],
    value: "[A-Za-z0-9]{22}",
    entropy: 3.5,
  }),
  named({
    id: "gocardless-token",
    title: "GoCardless access token",
    description:
      "A GoCardless access token assigned to a setting named after the provider. Revoke it in the GoCardless dashboard.",
    names: ["gocardless"],
    value: "live_[A-Za-z0-9_=-]{40}|sandbox_[A-Za-z0-9_=-]{40}",
    entropy: 3.5,
  }),
  named({
    id: "lob-api-key",
    title: "Lob API key",
    description:
      "A Lob API key assigned to a setting named after the provider. Rotate it in the Lob dashboard.",
    names: ["lob_api", "lob_key", "lob_secret"],
    value: "(?:live|test)_[a-f0-9]{35}",
    entropy: 3,
  }),
  named({
    id: "intercom-token",
    title: "Intercom access token",
    description:
      "A Intercom access token assigned to a setting named after the provider. Revoke it in the Intercom developer hub.",
    names: ["intercom"],
    value: "[A-Za-z0-9=_-]{60}",
    entropy: 3.5,
  }),
  named({
    id: "messagebird-api-key",
    title: "MessageBird (Bird) API key",
    description:
      "A MessageBird (Bird) API key assigned to a setting named after the provider. Delete it in the Bird dashboard.",
    names: ["messagebird", "message_bird"],
    value: "[A-Za-z0-9]{25}",
    entropy: 3.5,
  }),
  named({
    id: "mattermost-token",
    title: "Mattermost access token",
    description:
      "A Mattermost access token assigned to a setting named after the provider. Revoke it in the Mattermost profile's security settings.",
    names: ["mattermost"],
    value: "[a-z0-9]{26}",
    entropy: 3,
  }),
  named({
    id: "fastly-api-token",
    title: "Fastly API token",
    description:
      "A Fastly API token assigned to a setting named after the provider. Revoke it in the Fastly account's API tokens.",
    names: ["fastly"],
    value: "[A-Za-z0-9_-]{32}",
    entropy: 3.5,
  }),
  named({
    id: "rapidapi-key",
    title: "RapidAPI key",
    description:
      "A RapidAPI key assigned to a setting named after the provider. Rotate it in the RapidAPI developer dashboard.",
    names: ["rapidapi", "RapidAPI"],
    value: "[A-Za-z0-9_-]{50}",
    entropy: 3.5,
  }),
  named({
    id: "pusher-secret",
    title: "Pusher app secret",
    description:
      "A Pusher app secret assigned to a setting named after the provider. Rotate it in the Pusher app's keys.",
    names: ["pusher"],
    value: "[a-f0-9]{20}",
    entropy: 2.5,
  }),
  named({
    id: "rollbar-token",
    title: "Rollbar access token",
    description:
      "A Rollbar access token assigned to a setting named after the provider. Disable it in the Rollbar project's access tokens.",
    names: ["rollbar"],
    value: "[a-f0-9]{32}",
    entropy: 3,
  }),
  named({
    id: "bugsnag-api-key",
    title: "Bugsnag API key",
    description:
      "A Bugsnag API key assigned to a setting named after the provider. Regenerate it in the Bugsnag project settings.",
    names: ["bugsnag"],
    value: "[a-f0-9]{32}",
    entropy: 3,
  }),
  named({
    id: "pagerduty-token",
    title: "PagerDuty API key",
    description:
      "A PagerDuty API key assigned to a setting named after the provider. Delete it in PagerDuty's API access keys.",
    names: ["pagerduty"],
    value: "[A-Za-z0-9_+-]{20}",
    entropy: 3.5,
  }),
  named({
    id: "sparkpost-api-key",
    title: "SparkPost API key",
    description:
      "A SparkPost API key assigned to a setting named after the provider. Delete it in the SparkPost API keys.",
    names: ["sparkpost"],
    value: "[a-f0-9]{40}",
    entropy: 3,
  }),
  named({
    id: "auth0-client-secret",
    title: "Auth0 client secret",
    description:
      "A Auth0 client secret assigned to a setting named after the provider. Rotate it in the Auth0 application's settings.",
    names: ["auth0"],
    value: "[A-Za-z0-9_-]{64}",
    entropy: 4,
  }),
  token({
    id: "firebase-cloud-messaging-key",
    title: "Firebase Cloud Messaging server key",
    description:
      "A legacy Firebase Cloud Messaging server key (…:APA91b…). Delete it in the Firebase project's Cloud Messaging settings.",
    keywords: [":APA91b"],
    prefix: false,
    regex: /(?<![A-Za-z0-9_-])AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{134}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(18),
    entropy: 4,
  }),
  token({
    id: "nuget-api-key",
    title: "NuGet API key",
    description: "A nuget.org API key (oy2…). Delete it in the nuget.org account's API keys.",
    keywords: ["oy2"],
    regex: /(?<![A-Za-z0-9_])oy2[a-z0-9]{43}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(3),
  }),
  token({
    id: "circleci-token",
    title: "CircleCI personal API token",
    description:
      "A CircleCI personal API token (CCIPAT_). Delete it in the user settings' Personal API Tokens.",
    keywords: ["CCIPAT_"],
    regex: /(?<![A-Za-z0-9_])CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(7),
  }),
  token({
    id: "buildkite-token",
    title: "Buildkite API access token",
    description:
      "A Buildkite API access token (bkua_). Revoke it in the personal settings' API Access Tokens.",
    keywords: ["bkua_"],
    regex: /(?<![A-Za-z0-9_])bkua_[a-f0-9]{40}(?![A-Za-z0-9_])/g,
    body: after("bkua_"),
  }),
  token({
    id: "gitlab-oauth-secret",
    title: "GitLab OAuth application secret",
    description: "A GitLab OAuth application secret (gloas-). Renew it in the application's settings.",
    keywords: ["gloas-"],
    regex: /(?<![A-Za-z0-9_-])gloas-[a-f0-9]{64}(?![A-Za-z0-9_-])/g,
    body: after("gloas-"),
  }),
  token({
    id: "cloudinary-url",
    title: "Cloudinary URL with API secret",
    description: "A CLOUDINARY_URL carrying the API secret. Rotate the secret in the Cloudinary console.",
    keywords: ["cloudinary://"],
    prefix: false,
    regex: /cloudinary:\/\/[0-9]{12,16}:(?<secret>[A-Za-z0-9_-]{27})@[a-z0-9-]{1,64}/g,
    entropy: 3.5,
  }),
  token({
    id: "mandrill-api-key",
    title: "Mandrill API key",
    description: "A Mailchimp Transactional (Mandrill) API key (md-). Delete it in the Mandrill settings.",
    keywords: ["md-"],
    regex: /(?<![A-Za-z0-9_-])md-[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])/g,
    body: after("md-"),
    entropy: 3.5,
    check: (s) => /[0-9]/.test(s) && /[A-Z]/.test(s) && /[a-z]/.test(s.slice(3)),
  }),
  // Issue #15, round three: the remaining providers of gitleaks' default set, and a few more with
  // distinctive prefixes. Prefixed formats first, then provider-named assignments.
  token({
    id: "clickhouse-cloud-api-key",
    title: "ClickHouse Cloud API key secret",
    description: "A ClickHouse Cloud API key secret (4b1d…). Delete the key in the ClickHouse Cloud console.",
    keywords: ["4b1d"],
    regex: /(?<![A-Za-z0-9_])4b1d[A-Za-z0-9]{38}(?![A-Za-z0-9_])/g,
    body: after("4b1d"),
    entropy: 3.5,
    // Base62, not hex: a hex digest that happens to start with 4b1d has no upper-case letters.
    check: (s) => /[A-Z]/.test(s) && /[a-z]/.test(s.slice(4)),
  }),
  token({
    id: "intra42-client-secret",
    title: "42 Intra client secret",
    description:
      "A 42 (Intra) OAuth client secret (s-s4t2ud-, s-s4t2af-). Regenerate it in the application's page.",
    keywords: ["s-s4t2ud-", "s-s4t2af-"],
    regex: /(?<![A-Za-z0-9_-])s-s4t2(?:ud|af)-[a-f0-9]{64}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(9),
  }),
  token({
    id: "maxmind-license-key",
    title: "MaxMind license key",
    description: "A MaxMind (GeoIP) license key (…_mmk). Deactivate it in the MaxMind account portal.",
    keywords: ["_mmk"],
    prefix: false,
    regex: /(?<![A-Za-z0-9_])[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(0, 36).replace("_", ""),
    entropy: 3.5,
  }),
  token({
    id: "mailgun-public-key",
    title: "Mailgun public validation key",
    description:
      "A Mailgun public validation key (pubkey-…): it can spend the account's validation quota. Regenerate it in the control panel.",
    severity: "warning",
    keywords: ["pubkey-"],
    regex: /(?<![A-Za-z0-9_-])pubkey-[a-f0-9]{32}(?![A-Za-z0-9_-])/g,
    body: after("pubkey-"),
  }),
  token({
    id: "twitter-bearer-token",
    title: "Twitter / X bearer token",
    description:
      "A Twitter / X app-only bearer token (a run of A, then URL-encoded base64). Regenerate it in the X developer portal.",
    keywords: ["AAAAAAAAAAAAAAAAAAAAA"],
    prefix: false,
    // Not inside a base64 blob (a run of zero bytes encodes as A too): no + or / around it.
    regex: /(?<![A-Za-z0-9%+/])A{21,24}[A-Za-z0-9%]{60,140}(?![A-Za-z0-9%+/=])/g,
    // The part after the URL-encoded `=` is the random one; the head has runs of A by design.
    body: (s) => (s.includes("%3D") ? s.slice(s.indexOf("%3D") + 3) : s.slice(-40)),
    entropy: 4,
    // URL-encoded base64: a token has %3D (or at least a %2B or %2F); a blob of A… has none.
    check: (s) => /%(?:3D|2B|2F)/.test(s),
  }),
  token({
    id: "authress-service-key",
    title: "Authress service client access key",
    description:
      "An Authress service client access key (…acc_…). Delete the key in the Authress management portal.",
    keywords: [".acc_", ".acc-"],
    prefix: false,
    regex:
      /(?<![A-Za-z0-9_])(?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}\.[A-Za-z0-9+/_=-]{30,120}(?![A-Za-z0-9+/_=-])/g,
    body: (s) => s.slice(s.lastIndexOf(".") + 1),
    entropy: 4,
  }),
  token({
    id: "nuget-config-password",
    title: "Password in a NuGet.config",
    description:
      "A ClearTextPassword in a NuGet.config package source credential. Change it and use an encrypted password or an environment variable.",
    keywords: ["ClearTextPassword"],
    prefix: false,
    regex: /<add[ \t]{1,8}key=["']ClearTextPassword["'][ \t]{1,8}value=["'](?<secret>[^"'\s]{1,128})["']/g,
    entropy: 0,
    check: (secret) => realPassword(secret),
  }),
  token({
    id: "jwt-base64",
    title: "Base64-encoded JSON Web Token",
    description:
      "A signed JSON Web Token encoded once more in base64 (ZXlK…), as Kubernetes secrets and some configs hold them. Rotate the signing key if it is long-lived.",
    severity: "warning",
    keywords: ["ZXlK"],
    reach: { before: 16, after: 4100 },
    regex: /(?<![A-Za-z0-9+/])ZXlK[A-Za-z0-9+/]{40,4000}={0,2}(?![A-Za-z0-9+/=])/g,
    entropy: 0,
    check: (secret, match) => {
      const decoded = Buffer.from(secret, "base64").toString("utf8").trim();
      if (!/^eyJ[A-Za-z0-9_-]{10,2000}\.[A-Za-z0-9_-]{10,3000}\.[A-Za-z0-9_-]{16,1000}$/.test(decoded))
        return false;
      return jwt.validate ? jwt.validate(decoded, match) : true;
    },
  }),
  token({
    id: "gitlab-session-cookie",
    title: "GitLab session cookie",
    description:
      "A GitLab _gitlab_session cookie value: it logs in as the user. Sign the session out (revoke it under Active sessions).",
    keywords: ["_gitlab_session="],
    prefix: false,
    regex: /_gitlab_session=(?<secret>[0-9a-f]{32})(?![A-Za-z0-9_])/g,
  }),
  token({
    id: "gitlab-runner-registration-token",
    title: "GitLab runner registration token",
    description:
      "A GitLab runner registration token (GR1348941…). Reset it in the CI/CD settings' Runners section.",
    keywords: ["GR1348941"],
    regex: /(?<![A-Za-z0-9_])GR1348941[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(9),
    entropy: 3.5,
  }),
  token({
    id: "hubspot-private-app-token",
    title: "HubSpot private app token",
    description:
      "A HubSpot private app access token (pat-<region>-<uuid>). Rotate it in the private app's Auth tab.",
    keywords: ["pat-"],
    quickCheck: (bytes, start, end) => startsWord(bytes, start) && bytes[end + 3] === 45,
    regex: new RegExp(`(?<![A-Za-z0-9_-])pat-[a-z]{2}[0-9]-${UUID}(?![A-Za-z0-9_-])`, "g"),
    body: (s) => s.slice(8),
  }),
  token({
    id: "lob-publishable-key",
    title: "Lob publishable key",
    description: "A Lob publishable API key (live_pub_, test_pub_): public by design, listed for review.",
    severity: "info",
    keywords: ["live_pub_", "test_pub_"],
    regex: /(?<![A-Za-z0-9_])(?:live|test)_pub_[a-f0-9]{31}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(9),
  }),
  token({
    id: "adafruit-io-key",
    title: "Adafruit IO key",
    description: "An Adafruit IO key (aio_). Regenerate it on the Adafruit IO key page.",
    keywords: ["aio_"],
    regex: /(?<![A-Za-z0-9_])aio_[A-Za-z0-9]{28}(?![A-Za-z0-9_])/g,
    body: after("aio_"),
    entropy: 3.5,
    // Mixed case and a digit: an identifier such as aio_readWriteLoopHandlerFactory has no digit.
    check: (s) => /[0-9]/.test(s.slice(4)) && /[A-Z]/.test(s) && /[a-z]/.test(s.slice(4)),
  }),
  token({
    id: "yandex-oauth-token",
    title: "Yandex OAuth token",
    description: "A Yandex OAuth token (y0_ … y3_). Revoke it in the Yandex ID account.",
    keywords: ["y0_", "y1_", "y2_", "y3_"],
    regex: /(?<![A-Za-z0-9_])y[0-3]_[A-Za-z0-9_-]{50,64}(?![A-Za-z0-9_-])/g,
    // The head encodes ids with runs of A (y0_AgAAAAA…); the tail is the random part.
    body: (s) => s.slice(-32),
    entropy: 3.5,
  }),
  token({
    id: "yandex-iam-token",
    title: "Yandex Cloud IAM token",
    description:
      "A Yandex Cloud IAM token (t1.…). It expires within 12 hours; revoke it if it is still valid.",
    keywords: ["t1."],
    regex: /(?<![A-Za-z0-9_.])t1\.[A-Za-z0-9_-]{20,400}={0,2}\.[A-Za-z0-9_-]{86}={0,2}(?![A-Za-z0-9_=-])/g,
    body: (s) => s.slice(s.lastIndexOf(".") + 1),
    entropy: 4,
  }),
  token({
    id: "aws-bedrock-api-key",
    title: "Amazon Bedrock API key",
    description:
      "An Amazon Bedrock API key, long-term (ABSK…) or short-term (bedrock-api-key-…). Delete or expire it in the IAM console.",
    keywords: ["ABSKQmVkcm9ja0FQSUtleS", "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t"],
    reach: { before: 16, after: 2100 },
    regex:
      /(?<![A-Za-z0-9+/_-])(?:ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{60,300}={0,2}|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/]{100,2000}={0,2})(?![A-Za-z0-9+/=])/g,
    body: (s) => s.slice(s.startsWith("ABSK") ? 22 : 44),
    entropy: 4,
  }),
  token({
    id: "tailscale-key",
    title: "Tailscale key",
    description:
      "A Tailscale auth key, API access token, OAuth client secret or webhook secret (tskey-). Revoke it in the admin console's Keys page.",
    keywords: ["tskey-"],
    regex:
      /(?<![A-Za-z0-9_-])tskey-(?:auth|api|client|scim|webhook)-[A-Za-z0-9]{8,24}-[A-Za-z0-9]{20,64}(?![A-Za-z0-9_-])/g,
    body: (s) => s.slice(s.lastIndexOf("-") + 1),
    entropy: 3.5,
  }),
  token({
    id: "pinecone-api-key",
    title: "Pinecone API key",
    description: "A Pinecone API key (pcsk_). Delete it in the Pinecone console's API keys.",
    keywords: ["pcsk_"],
    regex: /(?<![A-Za-z0-9_])pcsk_[A-Za-z0-9]{4,10}_[A-Za-z0-9]{40,90}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(s.lastIndexOf("_") + 1),
    entropy: 4,
  }),
  token({
    id: "gcp-oauth-client-secret",
    title: "Google OAuth client secret",
    description:
      "A Google Cloud OAuth 2.0 client secret (GOCSPX-). Reset it in the Cloud console's Credentials page.",
    keywords: ["GOCSPX-"],
    regex: /(?<![A-Za-z0-9_-])GOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])/g,
    body: after("GOCSPX-"),
    entropy: 3.5,
  }),
  token({
    id: "posthog-personal-api-key",
    title: "PostHog personal API key",
    description: "A PostHog personal API key (phx_). Roll or delete it in the PostHog account settings.",
    keywords: ["phx_"],
    regex: /(?<![A-Za-z0-9_])phx_[A-Za-z0-9]{40,50}(?![A-Za-z0-9_])/g,
    body: after("phx_"),
    entropy: 4,
  }),
  token({
    id: "deno-deploy-token",
    title: "Deno Deploy access token",
    description:
      "A Deno Deploy personal or organization access token (ddp_, ddo_). Revoke it in the Deno Deploy settings.",
    keywords: ["ddp_", "ddo_"],
    regex: /(?<![A-Za-z0-9_])dd[po]_[A-Za-z0-9]{36}(?![A-Za-z0-9_])/g,
    body: (s) => s.slice(4),
    entropy: 3.5,
  }),
  // Provider-named assignments (bare hex, base62 or UUID values).
  named({
    id: "mailgun-signing-key",
    title: "Mailgun webhook signing key",
    description:
      "A Mailgun webhook signing key assigned to a Mailgun-named setting. Rotate it in the control panel's Webhooks page.",
    names: ["mailgun"],
    value: "[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8}",
  }),
  named({
    id: "twitter-access-token",
    title: "Twitter / X access token",
    description:
      "A Twitter / X user access token (numeric user id, dash, random part) assigned to a Twitter-named setting. Regenerate it in the X developer portal.",
    names: ["twitter"],
    value: "[0-9]{15,25}-[A-Za-z0-9]{20,40}",
    body: (s) => s.slice(s.indexOf("-") + 1),
    entropy: 3.5,
  }),
  named({
    id: "twitter-api-key",
    title: "Twitter / X API key",
    description:
      "A Twitter / X API (consumer) key assigned to a Twitter-named setting. Regenerate it with its secret in the X developer portal.",
    names: ["twitter"],
    value: "[A-Za-z0-9]{25}",
    entropy: 3.5,
  }),
  named({
    id: "sendbird-token",
    title: "Sendbird API token",
    description:
      "A Sendbird master or secondary API token assigned to a Sendbird-named setting. Revoke it in the Sendbird dashboard.",
    names: ["sendbird"],
    value: "[a-f0-9]{40}",
  }),
  named({
    id: "beamer-api-key",
    title: "Beamer API key",
    description:
      "A Beamer API key (b_…) assigned to a Beamer-named setting. Delete it in Beamer's API settings.",
    names: ["beamer"],
    value: "b_[A-Za-z0-9=_-]{44}",
    body: (s) => s.slice(2),
    entropy: 3.5,
  }),
  named({
    id: "dropbox-long-lived-token",
    title: "Dropbox long-lived access token",
    description:
      "A legacy Dropbox long-lived access token assigned to a Dropbox-named setting. Revoke it in the App Console.",
    names: ["dropbox"],
    value: "[A-Za-z0-9]{11}AAAAAAAAAA[A-Za-z0-9_=-]{43}",
    body: (s) => s.slice(21),
    entropy: 3.5,
  }),
  named({
    id: "hubspot-api-key",
    title: "HubSpot API key (UUID)",
    description:
      "A legacy HubSpot API key (a UUID) assigned to a HubSpot-named setting. Move to a private app token and delete the key.",
    names: ["hubspot"],
    value: UUID,
  }),
  named({
    id: "jfrog-identity-token",
    title: "JFrog identity token",
    description:
      "A JFrog identity token assigned to a JFrog-, Artifactory- or Bintray-named setting (API keys, AKCp…, are artifactory-api-key). Revoke it in the JFrog platform.",
    names: ["jfrog", "artifactory", "bintray"],
    value: "[A-Za-z0-9]{64}",
    entropy: 4,
  }),
  named({
    id: "kraken-api-key",
    title: "Kraken API secret",
    description:
      "A Kraken exchange API secret assigned to a Kraken-named setting. Delete the key in Kraken's API settings.",
    names: ["kraken"],
    value: "[A-Za-z0-9/=_+-]{80,90}",
    entropy: 4.5,
  }),
  named({
    id: "kucoin-api-key",
    title: "KuCoin API key",
    description:
      "A KuCoin API key (24 hex) assigned to a KuCoin-named setting. Delete it in KuCoin's API management.",
    names: ["kucoin"],
    value: "[a-f0-9]{24}",
  }),
  named({
    id: "kucoin-secret-key",
    title: "KuCoin API secret",
    description:
      "A KuCoin API secret (a UUID) assigned to a KuCoin-named setting. Delete the key in KuCoin's API management.",
    names: ["kucoin"],
    value: UUID,
  }),
  named({
    id: "linkedin-client-secret",
    title: "LinkedIn client secret",
    description:
      "A LinkedIn application client secret assigned to a LinkedIn-named setting. Generate a new one in the LinkedIn developer portal.",
    names: ["linkedin"],
    value: "[A-Za-z0-9]{16}",
    // 16 characters score 3.3–3.9 bits when random: mixed case keeps out user names.
    entropy: 3,
    check: (s) => /[A-Z]/.test(s) && /[a-z]/.test(s),
  }),
  named({
    id: "looker-client-secret",
    title: "Looker API client secret",
    description:
      "A Looker API3 client secret assigned to a Looker-named setting. Reset the API key in the Looker admin.",
    names: ["looker"],
    value: "[A-Za-z0-9]{24}",
    entropy: 3.5,
  }),
  named({
    id: "airtable-api-key",
    title: "Airtable legacy API key",
    description:
      "A legacy Airtable API key (key…) assigned to an Airtable-named setting. Move to a personal access token.",
    names: ["airtable"],
    value: "key[A-Za-z0-9]{14}",
    body: (s) => s.slice(3),
  }),
  named({
    id: "alibaba-secret-key",
    title: "Alibaba Cloud AccessKey secret",
    description:
      "An Alibaba Cloud AccessKey secret assigned to an Alibaba-named setting. Disable the AccessKey pair in the RAM console.",
    names: ["alibaba", "aliyun", "alicloud"],
    value: "[A-Za-z0-9]{30}",
    entropy: 4,
  }),
  named({
    id: "asana-client-secret",
    title: "Asana OAuth client secret",
    description:
      "An Asana OAuth app client secret assigned to an Asana-named setting. Reset it in the developer console.",
    names: ["asana"],
    value: "[A-Za-z0-9]{32}",
    entropy: 3.5,
  }),
  named({
    id: "bittrex-api-key",
    title: "Bittrex API key or secret",
    description:
      "A Bittrex API key or secret assigned to a Bittrex-named setting. Delete it in the account's API keys.",
    names: ["bittrex"],
    value: "[A-Za-z0-9]{32}",
    entropy: 3.5,
  }),
  named({
    id: "cisco-meraki-api-key",
    title: "Cisco Meraki API key",
    description:
      "A Cisco Meraki dashboard API key assigned to a Meraki-named setting. Revoke it in the dashboard profile.",
    names: ["meraki"],
    value: "[0-9a-f]{40}",
  }),
  named({
    id: "codecov-token",
    title: "Codecov token",
    description:
      "A Codecov upload or API token assigned to a Codecov-named setting. Regenerate it in the repository's Codecov settings.",
    names: ["codecov"],
    value: `${UUID}|[a-f0-9]{32}`,
  }),
  named({
    id: "coinbase-api-key",
    title: "Coinbase API secret",
    description:
      "A Coinbase API key secret assigned to a Coinbase-named setting. Delete the key in the Coinbase developer platform.",
    names: ["coinbase"],
    value: "[A-Za-z0-9_-]{64}",
    entropy: 4,
  }),
  named({
    id: "discord-client-secret",
    title: "Discord OAuth client secret or API key",
    description:
      "A Discord application's OAuth2 client secret (32 characters) or API key (64 hex) assigned to a Discord-named setting. Reset it in the Developer Portal.",
    names: ["discord"],
    value: "[a-f0-9]{64}|[A-Za-z0-9_-]{32}",
    entropy: 3.5,
  }),
  named({
    id: "droneci-token",
    title: "Drone CI access token",
    description:
      "A Drone CI personal token assigned to a Drone-named setting. Rotate it in the Drone account settings.",
    names: ["drone"],
    value: "[A-Za-z0-9]{32}",
    entropy: 3.5,
  }),
  named({
    id: "etsy-api-key",
    title: "Etsy API key",
    description:
      "An Etsy Open API keystring assigned to an Etsy-named setting. Reset it in Etsy's developer apps.",
    names: ["etsy"],
    value: "[a-z0-9]{24}",
    entropy: 3.5,
    check: lettersAndDigits,
  }),
  named({
    id: "finicity-client-secret",
    title: "Finicity client secret",
    description:
      "A Finicity (Mastercard Open Banking) partner secret assigned to a Finicity-named setting. Rotate it in the developer portal.",
    names: ["finicity"],
    value: "[A-Za-z0-9]{20}",
    entropy: 3.5,
  }),
  named({
    id: "finicity-api-token",
    title: "Finicity app key",
    description:
      "A Finicity app key (32 hex) assigned to a Finicity-named setting. Regenerate it in the developer portal.",
    names: ["finicity"],
    value: "[a-f0-9]{32}",
  }),
  named({
    id: "finnhub-api-key",
    title: "Finnhub API key",
    description:
      "A Finnhub API key assigned to a Finnhub-named setting. Regenerate it in the Finnhub dashboard.",
    names: ["finnhub"],
    value: "[a-z0-9]{20}",
    entropy: 3.5,
    check: lettersAndDigits,
  }),
  named({
    id: "flickr-api-key",
    title: "Flickr API key",
    description:
      "A Flickr API key or secret assigned to a Flickr-named setting. Delete the app key in Flickr's App Garden.",
    names: ["flickr"],
    value: "[a-z0-9]{32}",
    entropy: 3.5,
    check: lettersAndDigits,
  }),
  named({
    id: "freshbooks-token",
    title: "FreshBooks access token",
    description:
      "A FreshBooks access token or client secret assigned to a FreshBooks-named setting. Reset it in the FreshBooks developer page.",
    names: ["freshbooks"],
    value: "[a-z0-9]{64}",
    entropy: 4,
    check: lettersAndDigits,
  }),
  named({
    id: "gitter-token",
    title: "Gitter access token",
    description:
      "A Gitter access token assigned to a Gitter-named setting. Revoke it in Gitter's developer settings.",
    names: ["gitter"],
    value: "[a-z0-9_-]{40}",
    entropy: 3.5,
    check: lettersAndDigits,
  }),
  named({
    id: "nytimes-api-key",
    title: "New York Times API key",
    description:
      "A New York Times developer API key assigned to an NYTimes-named setting. Regenerate it in the NYT developer portal.",
    names: ["nytimes", "nyt_api", "new_york_times"],
    value: "[A-Za-z0-9=_-]{32}",
    entropy: 3.5,
  }),
  named({
    id: "plaid-secret",
    title: "Plaid secret",
    description:
      "A Plaid API secret (30 hex) assigned to a Plaid-named setting. Rotate it in the Plaid dashboard's Keys page.",
    names: ["plaid"],
    value: "[a-f0-9]{30}",
  }),
  named({
    id: "privateai-api-key",
    title: "Private AI API key",
    description:
      "A Private AI API key assigned to a setting named after the provider. Revoke it in the Private AI portal.",
    names: ["privateai", "private_ai", "private-ai"],
    value: "[A-Za-z0-9]{32}",
    entropy: 3.5,
  }),
  named({
    id: "squarespace-api-key",
    title: "Squarespace API key",
    description:
      "A Squarespace API key (a UUID) assigned to a Squarespace-named setting. Revoke it in the site's Developer API keys.",
    names: ["squarespace"],
    value: UUID,
  }),
  named({
    id: "sumologic-access-id",
    title: "Sumo Logic access ID",
    description:
      "A Sumo Logic access ID (su…), the public half of an access key pair, assigned to a Sumo-named setting. Check that its access key is not next to it.",
    severity: "warning",
    names: ["sumo"],
    value: "su[A-Za-z0-9]{12}",
    body: (s) => s.slice(2),
  }),
  named({
    id: "yandex-static-key",
    title: "Yandex Cloud static access key id",
    description:
      "A Yandex Cloud static access key id (YC…) assigned to a Yandex-named setting. Delete the key pair in the service account's keys.",
    names: ["yandex"],
    value: "YC[A-Za-z0-9_-]{38}",
    body: (s) => s.slice(2),
    entropy: 3.5,
  }),
  named({
    id: "linear-client-secret",
    title: "Linear OAuth client secret",
    description:
      "A Linear OAuth application client secret assigned to a Linear-named setting. Rotate it in Linear's API settings.",
    names: ["linear"],
    value: "[a-f0-9]{32}",
  }),
  named({
    id: "twitter-access-secret",
    title: "Twitter / X access token secret",
    description:
      "A Twitter / X access token secret assigned to a Twitter-named setting. Regenerate the access token in the X developer portal.",
    names: ["twitter"],
    value: "[A-Za-z0-9]{45}",
    entropy: 3.5,
  }),
  token({
    id: "freemius-secret-key",
    title: "Freemius secret key",
    description:
      "A Freemius SDK secret key ('secret_key' => 'sk_…' in a PHP plugin). Never ship it in a plugin; regenerate it in the Freemius dashboard.",
    keywords: ["secret_key"],
    prefix: false,
    regex: /["']secret_key["'][ \t]{0,8}=>[ \t]{0,8}(?<q>["'])(?<secret>sk_[\x21-\x7e]{29})\k<q>/g,
    body: (s) => s.slice(3),
    entropy: 3.5,
  }),
  token({
    id: "kubernetes-secret-yaml",
    title: "Kubernetes Secret data",
    description:
      "A value under data: in a Kubernetes Secret manifest (kind: Secret): base64, not encryption. Rotate the credential and keep it in a sealed or external secret.",
    keywords: ["kind: Secret", 'kind: "Secret"', "kind: 'Secret'"],
    prefix: false,
    window: { before: 40, after: 40 },
    reach: { before: 4000, after: 4000 },
    regex:
      /^[ \t]{1,8}[A-Za-z0-9_.-]{1,128}:[ \t]{1,4}["']?(?<secret>[A-Za-z0-9+/]{8,4000}={0,2})["']?[ \t]*\r?$/gm,
    entropy: 0,
    check: (secret, match) =>
      decodesToSecret(secret) &&
      underTopLevelData(match.input, match.index) &&
      inSecretDocument(match.input, match.index),
  }),
  named({
    id: "sentry-legacy-token",
    title: "Sentry auth token (legacy hex)",
    description:
      "A Sentry auth token in its older form (64 hex, before the sntryu_/sntrys_ prefixes) assigned to a Sentry-named setting. Revoke it in Sentry's settings.",
    names: ["sentry"],
    value: "[a-f0-9]{64}",
    entropy: 3.5,
  }),
  named({
    id: "sourcegraph-legacy-token",
    title: "Sourcegraph access token (legacy hex)",
    description:
      "A Sourcegraph access token in its older form (40 hex, before sgp_) assigned to a Sourcegraph-named setting. Delete it in the user's access tokens.",
    names: ["sourcegraph", "src_access_token"],
    value: "[a-f0-9]{40}",
  }),
];

/** True when the nearest top-level key above `index` in a YAML text is `data:`. */
function underTopLevelData(text: string, index: number): boolean {
  let end = text.lastIndexOf("\n", index - 1);
  // Bounded: a Secret's data block is short; a long run of indented lines is not one.
  for (let lines = 0; end > 0 && lines < 200; lines++) {
    const start = text.lastIndexOf("\n", end - 1) + 1;
    const line = text.slice(start, end);
    if (/^[^\s#-]/.test(line)) return /^data:[ \t]*\r?$/.test(line);
    end = start - 1;
  }
  return false;
}

/** True when the YAML document (between `---` lines) holding `index` says `kind: Secret`. */
function inSecretDocument(text: string, index: number): boolean {
  // The window is 40 lines either side: look no further than 8,000 characters each way.
  const from = Math.max(0, index - 8000);
  const part = text.slice(from, Math.min(text.length, index + 8000));
  const at = index - from;
  const separator = /^---[ \t]*\r?$/gm;
  let start = 0;
  let end = part.length;
  for (let m = separator.exec(part); m !== null; m = separator.exec(part)) {
    if (m.index < at) start = m.index + m[0].length;
    else {
      end = m.index;
      break;
    }
  }
  return /^kind:[ \t]{0,4}["']?Secret["']?[ \t]*\r?$/m.test(part.slice(start, end));
}

/** Canonical base64 of printable text that would pass as a password (not a default or a word). */
function decodesToSecret(value: string): boolean {
  if (value.length % 4 !== 0) return false;
  const bytes = Buffer.from(value, "base64");
  if (bytes.toString("base64") !== value) return false;
  const text = bytes.toString("utf8");
  return /^[\x20-\x7e]{6,}$/.test(text) && realPassword(text);
}
