import { BlockList, isIP } from "node:net";
import ipaddr from "ipaddr.js";

/**
 * Which addresses webhook deliveries may connect to. A webhook URL is chosen by whoever holds
 * a root key with `projects:write`; without these rules it is a way to make the server send
 * requests into its own network (SSRF): cloud metadata services, admin ports on loopback.
 *
 * - refused always: unspecified (0.0.0.0/8, ::), link-local (169.254.0.0/16, fe80::/10, where
 *   the metadata services of AWS, GCP, Azure and others live), the IPv6 metadata address
 *   fd00:ec2::254, Alibaba's 100.100.100.200, multicast, broadcast and reserved ranges;
 * - private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) and loopback (127/8, ::1):
 *   refused unless `KEYSMITH_WEBHOOK_ALLOW_PRIVATE` is `true` or a CIDR list holding them;
 * - everything else (public unicast) allowed.
 *
 * IPv6 addresses that carry an IPv4 address count as that address: IPv4-mapped
 * (`::ffff:169.254.169.254`), NAT64 (`64:ff9b::a9fe:a9fe`) and 6to4 (`2002:a9fe:a9fe::`, whose
 * relay routers forward to the embedded IPv4 host). A Teredo address (`2001::/32`) carries two, its
 * server's and its client's (the latter with every bit inverted): it counts as the more restricted
 * of the two.
 */

export type AddressClass = "public" | "private" | "loopback" | "refused";

/** The setting: allow no private/loopback target, all of them, or those inside some ranges. */
export type PrivateTargets = { kind: "none" } | { kind: "all" } | { kind: "ranges"; list: BlockList };

export interface TargetPolicy {
  privateTargets: PrivateTargets;
}

/** The default: public targets only. */
export const PUBLIC_ONLY: TargetPolicy = { privateTargets: { kind: "none" } };
/** Public, private and loopback targets (tests and single-network deployments). */
export const ALLOW_PRIVATE: TargetPolicy = { privateTargets: { kind: "all" } };

function blockList(ranges: ReadonlyArray<readonly [string, number]>): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of ranges)
    list.addSubnet(network, prefix, network.includes(":") ? "ipv6" : "ipv4");
  return list;
}

const ALWAYS_REFUSED = blockList([
  ["0.0.0.0", 8],
  ["169.254.0.0", 16],
  ["100.100.100.200", 32],
  ["192.0.0.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
  ["::", 128],
  ["fe80::", 10],
  ["fd00:ec2::254", 128],
  ["ff00::", 8],
  // IPv4-compatible (deprecated) addresses; ::1 is matched as loopback before this.
  ["::", 96],
]);
const LOOPBACK = blockList([
  ["127.0.0.0", 8],
  ["::1", 128],
]);
const PRIVATE = blockList([
  ["10.0.0.0", 8],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["100.64.0.0", 10],
  ["fc00::", 7],
]);

const NAT64 = blockList([["64:ff9b::", 96]]);
const SIX_TO_FOUR = blockList([["2002::", 16]]);
const TEREDO = blockList([["2001::", 32]]);

/** The IPv4 address in bytes `from`…`from + 3` of an IPv6 address, each byte XOR-ed with `mask`. */
function embeddedIpv4(ip: string, from: number, mask = 0): string {
  const bytes = ipaddr.IPv6.parse(ip).toByteArray();
  return bytes
    .slice(from, from + 4)
    .map((b) => b ^ mask)
    .join(".");
}

const RESTRICTION: Record<AddressClass, number> = { public: 0, private: 1, loopback: 2, refused: 3 };

/**
 * The class of an IP address in standard textual form (brackets allowed).
 *
 * @example classifyAddress("169.254.169.254") // "refused"
 */
export function classifyAddress(address: string): AddressClass {
  const ip = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const family = isIP(ip);
  if (family === 0) return "refused";
  const type = family === 4 ? "ipv4" : "ipv6";
  // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits: judge that one.
  if (type === "ipv6" && NAT64.check(ip, "ipv6")) return classifyAddress(embeddedIpv4(ip, 12));
  if (type === "ipv6" && SIX_TO_FOUR.check(ip, "ipv6")) return classifyAddress(embeddedIpv4(ip, 2));
  if (type === "ipv6" && TEREDO.check(ip, "ipv6")) {
    const server = classifyAddress(embeddedIpv4(ip, 4));
    const client = classifyAddress(embeddedIpv4(ip, 12, 0xff));
    return RESTRICTION[server] >= RESTRICTION[client] ? server : client;
  }
  if (LOOPBACK.check(ip, type)) return "loopback";
  if (ALWAYS_REFUSED.check(ip, type)) return "refused";
  if (PRIVATE.check(ip, type)) return "private";
  return "public";
}

/** Whether deliveries may connect to this IP address under the policy. */
export function addressAllowed(address: string, policy: TargetPolicy): boolean {
  const kind = classifyAddress(address);
  if (kind === "public") return true;
  if (kind === "refused") return false;
  const allowed = policy.privateTargets;
  if (allowed.kind === "all") return true;
  if (allowed.kind === "none") return false;
  const ip = address.replace(/^\[|\]$/g, "");
  return allowed.list.check(ip, isIP(ip) === 4 ? "ipv4" : "ipv6");
}

/**
 * Whether a URL's host may be a target, judged before any DNS lookup: a literal address by its
 * class, `localhost` as loopback. Other names are judged at delivery, on what they resolve to.
 */
export function hostAllowed(hostname: string, policy: TargetPolicy): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return addressAllowed("127.0.0.1", policy);
  const ip = host.replace(/^\[|\]$/g, "");
  return isIP(ip) === 0 ? true : addressAllowed(ip, policy);
}

/**
 * Reads `KEYSMITH_WEBHOOK_ALLOW_PRIVATE`: `false` (default), `true`, or a comma-separated list of
 * CIDR ranges (`127.0.0.1/32,10.1.0.0/16`). Throws a one-line Error for anything else.
 *
 * @example parseTargetPolicy("10.0.0.0/8") // private targets in 10/8 only
 */
export function parseTargetPolicy(text: string): TargetPolicy {
  const value = text.trim().toLowerCase();
  if (value === "" || value === "false" || value === "0" || value === "no") return PUBLIC_ONLY;
  if (value === "true" || value === "1" || value === "yes") return ALLOW_PRIVATE;
  const list = new BlockList();
  for (const part of value.split(",").map((p) => p.trim())) {
    const match = /^([^/]+)\/(\d{1,3})$/.exec(part);
    const family = match ? isIP(match[1] as string) : 0;
    const prefix = Number(match?.[2]);
    if (!match || family === 0 || prefix > (family === 4 ? 32 : 128)) {
      throw new Error(`"${part}" is not true, false or a CIDR range like 10.0.0.0/8`);
    }
    list.addSubnet(match[1] as string, prefix, family === 4 ? "ipv4" : "ipv6");
  }
  return { privateTargets: { kind: "ranges", list } };
}
