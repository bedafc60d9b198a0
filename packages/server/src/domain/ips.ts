import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Parses an IP address or CIDR range (IPv4 or IPv6) into canonical CIDR text, or null.
 * A bare address becomes a /32 or /128; IPv4-mapped IPv6 addresses become IPv4.
 */
export function normalizeCidr(text: string): string | null {
  if (!isCidr(text)) return null;
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

/**
 * An address in standard textual form only: dotted-decimal IPv4 without leading zeros, or IPv6
 * (RFC 4291/5952 forms, IPv4-mapped included) without a zone. Forms that `inet_aton` and
 * ipaddr.js also take (`0xa.1.2.3`, `167837953`, `010.1.2.3`) are refused: two parsers must
 * never read one string as two different addresses.
 */
export function isIp(text: string): boolean {
  return !text.includes("%") && isIP(text) !== 0;
}

/** An address ({@link isIp}) or a CIDR range whose prefix fits it (`10.0.0.0/8`, `2001:db8::/32`). */
export function isCidr(text: string): boolean {
  const slash = text.indexOf("/");
  if (slash < 0) return isIp(text);
  const address = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!isIp(address) || !/^(0|[1-9][0-9]{0,2})$/.test(bits)) return false;
  return Number(bits) <= (isIP(address) === 4 ? 32 : 128);
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
      if (ip === undefined || !isIp(ip)) return false;
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
