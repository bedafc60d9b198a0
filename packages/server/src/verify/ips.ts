import ipaddr from "ipaddr.js";

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Parses an IP address or CIDR range (IPv4 or IPv6) into canonical CIDR text, or null.
 * A bare address becomes a /32 or /128; IPv4-mapped IPv6 addresses become IPv4.
 */
export function normalizeCidr(text: string): string | null {
  try {
    if (text.includes("/")) {
      const [addr, bits] = ipaddr.parseCIDR(text);
      const unmapped = unmap(addr);
      const prefix = unmapped.kind() === "ipv4" && addr.kind() === "ipv6" ? bits - 96 : bits;
      if (prefix < 0) return null;
      return `${unmapped.toString()}/${prefix}`;
    }
    const addr = unmap(ipaddr.parse(text));
    return `${addr.toString()}/${addr.kind() === "ipv4" ? 32 : 128}`;
  } catch {
    return null;
  }
}

export function isIp(text: string): boolean {
  return ipaddr.isValid(text);
}

function unmap(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()
    ? (addr as ipaddr.IPv6).toIPv4Address()
    : addr;
}

export interface IpMatcher {
  allows(ip: string | undefined): boolean;
}

/** Builds a matcher from normalized CIDR ranges. */
export function ipMatcher(cidrs: readonly string[]): IpMatcher {
  const ranges: Range[] = cidrs.map((c) => ipaddr.parseCIDR(c));
  return {
    allows(ip) {
      if (ip === undefined) return false;
      let addr: ipaddr.IPv4 | ipaddr.IPv6;
      try {
        addr = unmap(ipaddr.parse(ip));
      } catch {
        return false;
      }
      for (const range of ranges) {
        if (addr.kind() === range[0].kind() && addr.match(range)) return true;
      }
      return false;
    },
  };
}
