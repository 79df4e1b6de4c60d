// SSRF guard, part 1: which IP addresses a webhook may reach, and which URLs are acceptable
// destinations at all. Pure and synchronous: no DNS here (names are checked at connect time by
// guarded-connect.ts, on the address actually connected to).
import { isIPv4, isIPv6 } from 'node:net';
import { BadInputError } from '../errors.ts';

/** A parsed CIDR block. `bytes` holds the network address (4 or 16 bytes). */
export interface Cidr {
  readonly version: 4 | 6;
  readonly bytes: Uint8Array;
  readonly prefix: number;
  /** As written in the configuration, for messages. */
  readonly text: string;
}

/** Which otherwise-refused addresses are explicitly allowed (`TOKENTRAIL_WEBHOOK_ALLOW`). */
export interface AddressPolicy {
  readonly allow: readonly Cidr[];
}

export type AddressCheck = { allowed: true } | { allowed: false; reason: string };

/** A validated webhook destination. */
export interface Destination {
  readonly url: URL;
  readonly protocol: 'http:' | 'https:';
  /** Host without IPv6 brackets, as the WHATWG parser normalised it (127.1 → 127.0.0.1). */
  readonly hostname: string;
  readonly port: number;
  /** Path and query string, as sent in the request line. */
  readonly path: string;
  /** True when the host is an IP literal (already checked here); false for a name (checked at connect time). */
  readonly isIpLiteral: boolean;
}

export const ALLOW_ENV = 'TOKENTRAIL_WEBHOOK_ALLOW';
export const MAX_URL_LENGTH = 2048;

/** The default: nothing beyond public unicast addresses. */
export const STRICT_POLICY: AddressPolicy = Object.freeze({ allow: Object.freeze([]) as readonly Cidr[] });

// ---------------------------------------------------------------------------------------------
// IP parsing

/** Parses an IPv4 or IPv6 address (brackets and a `%zone` suffix tolerated) into bytes. */
export function parseIp(text: string): { version: 4 | 6; bytes: Uint8Array } | null {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  // A zone id (fe80::1%eth0) names an interface, not a different address.
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  if (isIPv4(s)) return { version: 4, bytes: Uint8Array.from(s.split('.').map(Number)) };
  if (isIPv6(s)) {
    const bytes = parseIPv6(s);
    return bytes ? { version: 6, bytes } : null;
  }
  return null;
}

function parseIPv6(s: string): Uint8Array | null {
  // Node has already validated the syntax; we only expand it.
  let tail4: number[] = [];
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    tail4 = last.split('.').map(Number);
    s = s.slice(0, lastColon + 1) + '0:0'; // placeholder groups, overwritten below
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    bytes[i * 2] = v >> 8;
    bytes[i * 2 + 1] = v & 0xff;
  });
  if (tail4.length === 4) bytes.set(tail4, 12);
  return bytes;
}

function formatV4(bytes: Uint8Array, offset = 0): string {
  return Array.from(bytes.subarray(offset, offset + 4)).join('.');
}

function inPrefix(bytes: Uint8Array, net: Uint8Array, prefix: number): boolean {
  const full = prefix >> 3;
  for (let i = 0; i < full; i++) if (bytes[i] !== net[i]) return false;
  const rest = prefix & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[full] & mask) === (net[full] & mask);
}

function cidrContains(c: Cidr, version: 4 | 6, bytes: Uint8Array): boolean {
  return c.version === version && inPrefix(bytes, c.bytes, c.prefix);
}

// ---------------------------------------------------------------------------------------------
// Allow list

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (= /32 or /128). Throws BadInputError. */
export function parseCidr(text: string): Cidr {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addrText = slash === -1 ? t : t.slice(0, slash);
  const ip = parseIp(addrText);
  if (!ip || addrText.includes('%')) {
    throw new BadInputError(`${ALLOW_ENV}: "${t}" is not an IP address or CIDR block`, { field: ALLOW_ENV });
  }
  const max = ip.version === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const p = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) {
      throw new BadInputError(`${ALLOW_ENV}: "${t}" has an invalid prefix length (0–${max})`, { field: ALLOW_ENV });
    }
    prefix = Number(p);
  }
  // Host bits set (10.0.0.1/8) usually means a typo; refuse rather than guess the intent.
  const masked = new Uint8Array(ip.bytes.length);
  for (let i = 0; i < ip.bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    masked[i] = ip.bytes[i] & ((0xff << (8 - bits)) & 0xff);
  }
  if (!masked.every((b, i) => b === ip.bytes[i])) {
    throw new BadInputError(`${ALLOW_ENV}: "${t}" has host bits set beyond /${prefix}`, { field: ALLOW_ENV });
  }
  return { version: ip.version, bytes: masked, prefix, text: t };
}

/** Parses a comma-separated allow list (the value of `TOKENTRAIL_WEBHOOK_ALLOW`); empty → strict. */
export function parseAllowList(value: string | undefined | null): AddressPolicy {
  const entries = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return { allow: entries.map(parseCidr) };
}

/** The policy configured by the environment. Throws BadInputError on a malformed value. */
export function policyFromEnv(env: NodeJS.ProcessEnv = process.env): AddressPolicy {
  return parseAllowList(env[ALLOW_ENV]);
}

// ---------------------------------------------------------------------------------------------
// Classification

type Rule = { cidr: Cidr; reason: string };

function rule(text: string, reason: string): Rule {
  return { cidr: parseCidr(text), reason };
}

// Every IPv4 range that is not ordinary public unicast (IANA special-purpose registry).
const V4_RULES: readonly Rule[] = [
  rule('0.0.0.0/8', 'unspecified / "this network" (0.0.0.0/8)'),
  rule('10.0.0.0/8', 'private network (10.0.0.0/8)'),
  rule('100.64.0.0/10', 'carrier-grade NAT (100.64.0.0/10)'),
  rule('127.0.0.0/8', 'loopback (127.0.0.0/8)'),
  rule('169.254.0.0/16', 'link-local (169.254.0.0/16, includes cloud metadata)'),
  rule('172.16.0.0/12', 'private network (172.16.0.0/12)'),
  rule('192.0.0.0/24', 'IETF protocol assignments (192.0.0.0/24)'),
  rule('192.0.2.0/24', 'documentation range (192.0.2.0/24)'),
  rule('192.88.99.0/24', '6to4 relay anycast (192.88.99.0/24)'),
  rule('192.168.0.0/16', 'private network (192.168.0.0/16)'),
  rule('198.18.0.0/15', 'benchmarking range (198.18.0.0/15)'),
  rule('198.51.100.0/24', 'documentation range (198.51.100.0/24)'),
  rule('203.0.113.0/24', 'documentation range (203.0.113.0/24)'),
  rule('224.0.0.0/4', 'multicast (224.0.0.0/4)'),
  rule('255.255.255.255/32', 'broadcast (255.255.255.255)'),
  rule('240.0.0.0/4', 'reserved (240.0.0.0/4)'),
];

const V4_MAPPED = parseCidr('::ffff:0:0/96');
const V4_TRANSLATED = parseCidr('::ffff:0:0:0/96');
const V4_COMPATIBLE = parseCidr('::/96');
const NAT64 = parseCidr('64:ff9b::/96');
const SIX_TO_FOUR = parseCidr('2002::/16');
const GLOBAL_UNICAST = parseCidr('2000::/3');

const V6_RULES: readonly Rule[] = [
  rule('::/128', 'unspecified (::)'),
  rule('::1/128', 'loopback (::1)'),
  rule('64:ff9b:1::/48', 'local-use NAT64 (64:ff9b:1::/48)'),
  rule('100::/64', 'discard-only (100::/64)'),
  rule('2001::/23', 'IETF protocol assignments incl. Teredo and benchmarking (2001::/23)'),
  rule('2001:db8::/32', 'documentation range (2001:db8::/32)'),
  rule('3fff::/20', 'documentation range (3fff::/20)'),
  rule('5f00::/16', 'SRv6 SIDs (5f00::/16)'),
  rule('fc00::/7', 'unique local / private (fc00::/7)'),
  rule('fe80::/10', 'link-local (fe80::/10)'),
  rule('fec0::/10', 'site-local, deprecated (fec0::/10)'),
  rule('ff00::/8', 'multicast (ff00::/8)'),
];

function v4Reason(bytes: Uint8Array): string | null {
  for (const r of V4_RULES) if (inPrefix(bytes, r.cidr.bytes, r.cidr.prefix)) return r.reason;
  return null;
}

function v6Reason(bytes: Uint8Array): string | null {
  // Forms that carry an IPv4 address: judge them before the generic rules.
  if (inPrefix(bytes, V4_MAPPED.bytes, 96)) return `IPv4-mapped IPv6 address (::ffff:${formatV4(bytes, 12)})`;
  if (inPrefix(bytes, V4_TRANSLATED.bytes, 96)) return `IPv4-translated IPv6 address (::ffff:0:${formatV4(bytes, 12)})`;
  for (const r of V6_RULES.slice(0, 2)) if (inPrefix(bytes, r.cidr.bytes, r.cidr.prefix)) return r.reason;
  if (inPrefix(bytes, V4_COMPATIBLE.bytes, 96)) return `IPv4-compatible IPv6 address (::${formatV4(bytes, 12)}), deprecated`;
  if (inPrefix(bytes, NAT64.bytes, 96)) {
    // DNS64 networks legitimately answer 64:ff9b::<public v4>; the embedded v4 decides.
    const inner = v4Reason(bytes.subarray(12, 16));
    return inner ? `NAT64 address embedding ${formatV4(bytes, 12)}: ${inner}` : null;
  }
  if (inPrefix(bytes, SIX_TO_FOUR.bytes, 16)) {
    const inner = v4Reason(bytes.subarray(2, 6));
    return inner ? `6to4 address embedding ${formatV4(bytes, 2)}: ${inner}` : null;
  }
  for (const r of V6_RULES) if (inPrefix(bytes, r.cidr.bytes, r.cidr.prefix)) return r.reason;
  if (!inPrefix(bytes, GLOBAL_UNICAST.bytes, 3)) return 'reserved IPv6 range (outside global unicast 2000::/3)';
  return null;
}

/** Why an address is refused, or that it is allowed (public unicast, or in the allow list). */
export function checkAddress(ip: string, policy: AddressPolicy): AddressCheck {
  const parsed = parseIp(ip);
  if (!parsed) return { allowed: false, reason: `"${ip}" is not an IP address` };
  const { version, bytes } = parsed;
  if (policy.allow.some((c) => cidrContains(c, version, bytes))) return { allowed: true };
  // ::ffff:a.b.c.d is the very same socket destination as a.b.c.d, so an allowed v4 covers it.
  if (version === 6 && inPrefix(bytes, V4_MAPPED.bytes, 96)) {
    const v4 = bytes.slice(12, 16);
    if (policy.allow.some((c) => cidrContains(c, 4, v4))) return { allowed: true };
  }
  const reason = version === 4 ? v4Reason(bytes) : v6Reason(bytes);
  return reason ? { allowed: false, reason } : { allowed: true };
}

export function isAddressAllowed(ip: string, policy: AddressPolicy): boolean {
  return checkAddress(ip, policy).allowed;
}

// ---------------------------------------------------------------------------------------------
// Destination URLs

function refuse(reason: string): BadInputError {
  return new BadInputError(`webhook url refused: ${reason}`, { status: 422, field: 'url' });
}

/** RFC 6761: these names always mean the local machine, whatever a resolver says. */
function isLoopbackName(host: string): boolean {
  const h = host.replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost');
}

/**
 * Validates a webhook URL. The WHATWG parser normalises numeric hosts (2130706433, 0177.0.0.1,
 * 0x7f.0.0.1, 127.1 → 127.0.0.1; [::ffff:127.0.0.1] → [::ffff:7f00:1]) so literal addresses are
 * checked here in canonical form; names are checked at connect time on their resolved addresses.
 * Throws BadInputError (422, field `url`) with the reason.
 */
export function parseDestination(url: string, policy: AddressPolicy): Destination {
  if (typeof url !== 'string' || url.length === 0) throw refuse('empty');
  if (url.length > MAX_URL_LENGTH) throw refuse(`longer than ${MAX_URL_LENGTH} characters`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw refuse('not a valid absolute URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw refuse(`scheme "${u.protocol.replace(/:$/, '')}" is not allowed (only http and https)`);
  }
  if (u.username !== '' || u.password !== '') throw refuse('credentials in the URL are not allowed');
  if (u.hostname === '') throw refuse('no host');
  const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
  if (!(port >= 1 && port <= 65535)) throw refuse(`port ${u.port} is not usable`);

  const bare = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const isIpLiteral = parseIp(bare) !== null;
  if (isIpLiteral) {
    const check = checkAddress(bare, policy);
    if (!check.allowed) throw refuse(`${bare} is ${check.reason}; allow it with ${ALLOW_ENV} if intended`);
  } else if (isLoopbackName(bare) && !isAddressAllowed('127.0.0.1', policy)) {
    throw refuse(`"${bare}" is a loopback name`);
  }
  return {
    url: u,
    protocol: u.protocol,
    hostname: bare,
    port,
    path: `${u.pathname}${u.search}`,
    isIpLiteral,
  };
}
