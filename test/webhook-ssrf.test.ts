// Proves unsafe webhook destinations are refused before any connection exists: a real listener on
// 127.0.0.1 counts accepted sockets, and a spy on net.Socket#connect counts connection attempts
// to any address at all. Name resolution is faked, so nothing here ever leaves the machine.
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { BadInputError } from '../src/errors.ts';
import {
  checkAddress,
  isAddressAllowed,
  parseAllowList,
  parseDestination,
  policyFromEnv,
  STRICT_POLICY,
} from '../src/webhooks/address-policy.ts';
import { deliver } from '../src/webhooks/deliver.ts';
import {
  AddressRefusedError,
  createGuardedAgents,
  createGuardedLookup,
  resolveAndCheck,
  type ResolvedAddress,
  type Resolver,
} from '../src/webhooks/guarded-connect.ts';
import { signDelivery, generateSecret } from '../src/webhooks/sign.ts';

const SECRET = generateSecret();
const BODY = '{"type":"price.changed","timestamp":"2026-05-26T16:00:00Z","data":{}}';
const headers = () => signDelivery({ id: 'msg_ssrf', timestamp: new Date(), body: BODY, secrets: [SECRET] });

/** A test receiver that counts accepted TCP connections and requests. */
async function startListener(host = '127.0.0.1') {
  let sockets = 0;
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests++;
    res.writeHead(200).end('ok');
  });
  server.on('connection', () => sockets++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    sockets: () => sockets,
    requests: () => requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A fake resolver answering from a script, one entry per call (the last one repeats). */
function scriptedResolver(...answers: string[][]): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const fn = (async (hostname: string) => {
    calls.push(hostname);
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    return answer.map((address): ResolvedAddress => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
  }) as Resolver & { calls: string[] };
  fn.calls = calls;
  return fn;
}

/** A resolver that must never be consulted (literal hosts and early refusals). */
const forbiddenResolver: Resolver = async (hostname) => {
  throw new Error(`resolver should not have been called for ${hostname}`);
};

/**
 * Records every address this process hands to the TCP layer: a literal host given to
 * net.Socket#connect, or an address a custom `lookup` successfully yields to it (a name with no
 * custom lookup counts as an attempt too, to be safe). A refused lookup yields nothing.
 */
function trackConnectAttempts(): { attempts: string[]; spy: MockInstance } {
  const attempts: string[] = [];
  const original = net.Socket.prototype.connect;
  const spy = vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    // net.createConnection passes its normalised [options, cb] array as the single argument.
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    if (first && typeof first === 'object') {
      const opts = first as net.TcpNetConnectOpts;
      const host = String(opts.host ?? 'localhost');
      if (net.isIP(host)) attempts.push(host);
      else if (typeof opts.lookup === 'function') {
        const lookup = opts.lookup;
        opts.lookup = (hostname, options, callback) =>
          lookup(hostname, options, (err, address, family) => {
            if (!err) {
              const list = Array.isArray(address) ? address.map((a) => a.address) : [address];
              attempts.push(...list);
            }
            callback(err, address, family);
          });
      } else attempts.push(host);
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  });
  return { attempts, spy };
}

let listener: Awaited<ReturnType<typeof startListener>>;
let tracker: ReturnType<typeof trackConnectAttempts>;

beforeAll(async () => {
  listener = await startListener();
});
afterAll(async () => {
  await listener.close();
});
beforeEach(() => {
  tracker = trackConnectAttempts();
});
afterEach(() => {
  tracker.spy.mockRestore();
});

type Case = { name: string; url: (port: number) => string; resolver?: () => Resolver };

const PUBLIC_V4 = '93.184.216.34';
const PUBLIC_V6 = '2606:2800:220:1:248:1893:25c8:1946';

const UNSAFE: Case[] = [
  // Loopback in every spelling the WHATWG parser normalises.
  { name: 'loopback 127.0.0.1', url: (p) => `http://127.0.0.1:${p}/hook` },
  { name: 'localhost', url: (p) => `http://localhost:${p}/hook` },
  { name: 'LOCALHOST upper case', url: (p) => `http://LOCALHOST:${p}/hook` },
  { name: 'subdomain of localhost', url: (p) => `http://hooks.localhost:${p}/hook` },
  { name: 'localhost with trailing dot', url: (p) => `http://localhost.:${p}/hook` },
  { name: 'decimal 2130706433', url: (p) => `http://2130706433:${p}/hook` },
  { name: 'octal 0177.0.0.1', url: (p) => `http://0177.0.0.1:${p}/hook` },
  { name: 'octal single number 017700000001', url: (p) => `http://017700000001:${p}/hook` },
  { name: 'hex 0x7f000001', url: (p) => `http://0x7f000001:${p}/hook` },
  { name: 'hex dotted 0x7f.0.0.1', url: (p) => `http://0x7f.0.0.1:${p}/hook` },
  { name: 'short form 127.1', url: (p) => `http://127.1:${p}/hook` },
  { name: 'trailing dot 127.0.0.1.', url: (p) => `http://127.0.0.1.:${p}/hook` },
  { name: 'other loopback 127.0.0.2', url: (p) => `http://127.0.0.2:${p}/hook` },
  { name: 'percent-encoded %31%32%37.0.0.1', url: (p) => `http://%31%32%37.0.0.1:${p}/hook` },
  { name: 'fullwidth digits １２７.０.０.１', url: (p) => `http://１２７.０.０.１:${p}/hook` },
  { name: 'IPv6 loopback [::1]', url: (p) => `http://[::1]:${p}/hook` },
  { name: 'IPv4-mapped [::ffff:127.0.0.1]', url: (p) => `http://[::ffff:127.0.0.1]:${p}/hook` },
  { name: 'IPv4-mapped hex [::ffff:7f00:1]', url: (p) => `http://[::ffff:7f00:1]:${p}/hook` },
  { name: 'IPv4-mapped long form [0:0:0:0:0:ffff:127.0.0.1]', url: (p) => `http://[0:0:0:0:0:ffff:127.0.0.1]:${p}/hook` },
  { name: 'IPv4-compatible [::127.0.0.1]', url: (p) => `http://[::127.0.0.1]:${p}/hook` },
  { name: 'NAT64 embedding loopback [64:ff9b::7f00:1]', url: (p) => `http://[64:ff9b::7f00:1]:${p}/hook` },
  { name: '6to4 embedding loopback [2002:7f00:1::1]', url: (p) => `http://[2002:7f00:1::1]:${p}/hook` },
  { name: 'unspecified 0.0.0.0', url: (p) => `http://0.0.0.0:${p}/hook` },
  { name: 'unspecified as "0"', url: (p) => `http://0:${p}/hook` },
  { name: 'unspecified [::]', url: (p) => `http://[::]:${p}/hook` },
  // Private, link-local, CGNAT, multicast, reserved, documentation.
  { name: 'private 10.0.0.1', url: () => 'http://10.0.0.1/hook' },
  { name: 'private 172.16.0.1', url: () => 'http://172.16.0.1/hook' },
  { name: 'private 172.31.255.254', url: () => 'http://172.31.255.254/hook' },
  { name: 'private 192.168.1.1', url: () => 'https://192.168.1.1/hook' },
  { name: 'cloud metadata 169.254.169.254', url: () => 'http://169.254.169.254/latest/meta-data/' },
  { name: 'metadata as decimal 2852039166', url: () => 'http://2852039166/latest/meta-data/' },
  { name: 'metadata IPv4-mapped [::ffff:a9fe:a9fe]', url: () => 'http://[::ffff:a9fe:a9fe]/latest/meta-data/' },
  { name: 'CGNAT 100.64.0.1', url: () => 'http://100.64.0.1/hook' },
  { name: 'multicast 224.0.0.1', url: () => 'http://224.0.0.1/hook' },
  { name: 'broadcast 255.255.255.255', url: () => 'http://255.255.255.255/hook' },
  { name: 'reserved 240.0.0.1', url: () => 'http://240.0.0.1/hook' },
  { name: 'documentation 192.0.2.10', url: () => 'http://192.0.2.10/hook' },
  { name: 'benchmarking 198.18.0.1', url: () => 'http://198.18.0.1/hook' },
  { name: 'IPv6 link-local [fe80::1]', url: () => 'http://[fe80::1]/hook' },
  { name: 'IPv6 unique local [fc00::1]', url: () => 'http://[fc00::1]/hook' },
  { name: 'IPv6 unique local [fd12:3456:789a::1]', url: () => 'https://[fd12:3456:789a::1]/hook' },
  { name: 'IPv6 multicast [ff02::1]', url: () => 'http://[ff02::1]/hook' },
  { name: 'IPv6 documentation [2001:db8::1]', url: () => 'http://[2001:db8::1]/hook' },
  { name: 'NAT64 embedding 10.0.0.1 [64:ff9b::a00:1]', url: () => 'http://[64:ff9b::a00:1]/hook' },
  { name: '6to4 embedding 192.168.1.1 [2002:c0a8:101::1]', url: () => 'http://[2002:c0a8:101::1]/hook' },
  // Schemes and credentials.
  { name: 'ftp scheme', url: (p) => `ftp://127.0.0.1:${p}/hook` },
  { name: 'file scheme', url: () => 'file:///etc/passwd' },
  { name: 'gopher scheme', url: (p) => `gopher://127.0.0.1:${p}/_hook` },
  { name: 'ws scheme', url: () => 'ws://hooks.example.com/hook' },
  { name: 'data URL', url: () => 'data:text/plain,hello' },
  { name: 'javascript URL', url: () => 'javascript:alert(1)' },
  { name: 'credentials user:pass@ on a public name', url: () => 'https://user:pass@hooks.example.com/hook' },
  { name: 'credentials user@ on loopback', url: (p) => `http://user@127.0.0.1:${p}/hook` },
  { name: 'not a URL', url: () => 'hooks.example.com/hook' },
  { name: 'relative URL', url: () => '/hook' },
  { name: 'port 0', url: () => 'http://hooks.example.com:0/hook' },
  // Names whose (fake) resolver answers something unsafe.
  { name: 'name resolving to 127.0.0.1', url: (p) => `http://hooks.example.com:${p}/hook`, resolver: () => scriptedResolver(['127.0.0.1']) },
  { name: 'name resolving to ::1', url: (p) => `http://hooks.example.com:${p}/hook`, resolver: () => scriptedResolver(['::1']) },
  { name: 'name resolving to ::ffff:127.0.0.1', url: (p) => `http://hooks.example.com:${p}/hook`, resolver: () => scriptedResolver(['::ffff:127.0.0.1']) },
  { name: 'name resolving to 10.1.2.3', url: (p) => `http://hooks.example.com:${p}/hook`, resolver: () => scriptedResolver(['10.1.2.3']) },
  { name: 'name resolving to metadata 169.254.169.254', url: () => 'http://metadata.example.com/', resolver: () => scriptedResolver(['169.254.169.254']) },
  { name: 'name resolving to fd00::1', url: () => 'https://hooks.example.com/hook', resolver: () => scriptedResolver(['fd00::1']) },
  { name: 'several answers, one private (public first)', url: (p) => `http://hooks.example.com:${p}/hook`, resolver: () => scriptedResolver([PUBLIC_V4, '127.0.0.1']) },
  { name: 'several answers, one private (IPv6 ULA last)', url: () => 'https://hooks.example.com/hook', resolver: () => scriptedResolver([PUBLIC_V4, PUBLIC_V6, 'fd00::1']) },
  { name: 'no answers at all', url: () => 'https://hooks.example.com/hook', resolver: () => scriptedResolver([]) },
  { name: 'an answer that is not an address', url: () => 'https://hooks.example.com/hook', resolver: () => scriptedResolver(['not-an-ip']) },
];

describe('unsafe destinations are refused with 0 connections opened', () => {
  it('covers at least 35 unsafe forms', () => {
    expect(UNSAFE.length).toBeGreaterThanOrEqual(35);
  });

  it.each(UNSAFE)('refuses $name', async ({ url, resolver }) => {
    const result = await deliver({
      url: url(listener.port),
      body: BODY,
      headers: headers(),
      policy: STRICT_POLICY,
      resolver: resolver ? resolver() : forbiddenResolver,
      timeoutMs: 2000,
    });
    expect(result.ok).toBe(false);
    expect(result.outcome).toBe('refused');
    expect(result.error).toMatch(/refused/);
    expect(tracker.attempts).toEqual([]);
    expect(listener.sockets()).toBe(0);
  });

  it('DNS rebinding: public at check time, 127.0.0.1 at delivery time → refused, nothing connected', async () => {
    const resolver = scriptedResolver([PUBLIC_V4], ['127.0.0.1']);
    const url = `http://rebind.example.com:${listener.port}/hook`;
    // The subscription API validates the name (first answer: public)…
    parseDestination(url, STRICT_POLICY);
    await expect(resolveAndCheck('rebind.example.com', STRICT_POLICY, resolver)).resolves.toEqual([{ address: PUBLIC_V4, family: 4 }]);
    // …then the attacker's DNS answers loopback. The delivery resolves again and checks that answer.
    const result = await deliver({ url, body: BODY, headers: headers(), policy: STRICT_POLICY, resolver });
    expect(result).toMatchObject({ ok: false, outcome: 'refused' });
    expect(result.error).toContain('127.0.0.1');
    expect(resolver.calls).toEqual(['rebind.example.com', 'rebind.example.com']);
    expect(tracker.attempts).toEqual([]);
    expect(listener.sockets()).toBe(0);
  });

  it('the connect-time guard holds on its own, without parseDestination (agents used directly)', async () => {
    const agents = createGuardedAgents({ policy: STRICT_POLICY, resolver: scriptedResolver(['127.0.0.1']) });
    const attempt = (mod: typeof http | typeof https, agent: http.Agent, host: string) =>
      new Promise<Error>((resolve, reject) => {
        const req = mod.request({ host, port: listener.port, path: '/', method: 'POST', agent }, () => reject(new Error('connected')));
        req.on('error', resolve);
        req.end('{}');
      });
    for (const host of ['127.0.0.1', '::1', '::ffff:127.0.0.1', 'hooks.example.com']) {
      expect(await attempt(http, agents.http, host)).toBeInstanceOf(AddressRefusedError);
      expect(await attempt(https, agents.https, host)).toBeInstanceOf(AddressRefusedError);
    }
    expect(tracker.attempts).toEqual([]);
    expect(listener.sockets()).toBe(0);
  });

  it('the socket count stayed 0 through all of the above', () => {
    expect(listener.sockets()).toBe(0);
    expect(listener.requests()).toBe(0);
  });
});

describe('explicitly allowed destinations (TOKENTRAIL_WEBHOOK_ALLOW=127.0.0.1/32)', () => {
  const policy = policyFromEnv({ TOKENTRAIL_WEBHOOK_ALLOW: '127.0.0.1/32' });

  it('delivers to the listener: exactly one socket', async () => {
    const before = listener.sockets();
    expect(before).toBe(0);
    const result = await deliver({ url: `http://127.0.0.1:${listener.port}/hook`, body: BODY, headers: headers(), policy, resolver: forbiddenResolver });
    expect(result).toMatchObject({ ok: true, outcome: 'ok', status: 200 });
    expect(listener.sockets()).toBe(1);
    expect(listener.requests()).toBe(1);
    // Control: the attempt tracker used above does see a real connection.
    expect(tracker.attempts).toEqual(['127.0.0.1']);
  });

  it('a name resolving to the allowed address works too (resolved once per delivery)', async () => {
    const resolver = scriptedResolver(['127.0.0.1']);
    const result = await deliver({ url: `http://receiver.example.com:${listener.port}/hook`, body: BODY, headers: headers(), policy, resolver });
    expect(result.ok).toBe(true);
    expect(resolver.calls).toEqual(['receiver.example.com']);
    expect(tracker.attempts).toEqual(['127.0.0.1']); // the checked answer, handed over as is
  });

  it('the allow list opens only what it names: 127.0.0.2, ::1, 10/8 stay refused', async () => {
    const sockets = listener.sockets();
    for (const url of [`http://127.0.0.2:${listener.port}/`, `http://[::1]:${listener.port}/`, 'http://10.0.0.1/']) {
      const r = await deliver({ url, body: BODY, headers: headers(), policy, resolver: forbiddenResolver });
      expect(r.outcome, url).toBe('refused');
    }
    const named = await deliver({ url: `http://x.example.com:${listener.port}/`, body: BODY, headers: headers(), policy, resolver: scriptedResolver(['127.0.0.1', '127.0.0.2']) });
    expect(named.outcome).toBe('refused');
    expect(listener.sockets()).toBe(sockets);
    expect(tracker.attempts).toEqual([]);
  });

  it('rebinding with real sockets: the address checked is the address connected to', async (ctx) => {
    // 127.0.0.1 (allowed) plays the public address; 127.0.0.2 (refused) the internal one.
    let internal: Awaited<ReturnType<typeof startListener>>;
    try {
      internal = await startListener('127.0.0.2');
    } catch {
      ctx.skip(); // a system without the whole 127/8 on loopback
      return;
    }
    try {
      // Internal listener on another port: point both answers at one port by using its port for
      // the public one too (a second allowed listener).
      const publicSide = http.createServer((_q, s) => s.writeHead(200).end());
      await new Promise<void>((r) => publicSide.listen(internal.port, '127.0.0.1', r));
      try {
        const url = `http://rebind.example.com:${internal.port}/hook`;
        // First delivery: first answer allowed → connects to 127.0.0.1, never to 127.0.0.2.
        const resolver = scriptedResolver(['127.0.0.1'], ['127.0.0.2']);
        const seen: string[] = [];
        const agents = createGuardedAgents({ policy, resolver, onResolved: (_h, a) => seen.push(...a.map((x) => x.address)) });
        const first = await deliver({ url, body: BODY, headers: headers(), policy, agents });
        expect(first.ok).toBe(true);
        // Second delivery: the resolver now answers the internal address → refused.
        const second = await deliver({ url, body: BODY, headers: headers(), policy, agents });
        expect(second.outcome).toBe('refused');
        expect(resolver.calls).toHaveLength(2); // one resolution per delivery, none in between
        expect(seen).toEqual(['127.0.0.1']);
        expect(tracker.attempts).toEqual(['127.0.0.1']);
        expect(internal.sockets()).toBe(0);
      } finally {
        await new Promise((r) => publicSide.close(r));
      }
    } finally {
      await internal.close();
    }
  });
});

describe('address policy', () => {
  it('allows ordinary public unicast addresses', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', PUBLIC_V4, '100.63.255.255', '100.128.0.1', '172.15.255.255', '172.32.0.1', '192.167.1.1', '192.169.0.1', '223.255.255.254', '2606:4700:4700::1111', '2001:4860:4860::8888', PUBLIC_V6, '64:ff9b::808:808', '2002:808:808::1']) {
      expect(checkAddress(ip, STRICT_POLICY), ip).toEqual({ allowed: true });
    }
  });

  it('refuses each special range with a reason', () => {
    const cases: [string, RegExp][] = [
      ['0.1.2.3', /this network/],
      ['10.255.255.255', /private/],
      ['100.127.255.255', /carrier-grade NAT/],
      ['127.255.255.254', /loopback/],
      ['169.254.0.1', /link-local/],
      ['172.16.0.0', /private/],
      ['192.0.0.8', /IETF/],
      ['192.168.0.1', /private/],
      ['198.19.255.255', /benchmark/],
      ['198.51.100.7', /documentation/],
      ['203.0.113.9', /documentation/],
      ['239.255.255.250', /multicast/],
      ['255.255.255.255', /broadcast/],
      ['250.1.1.1', /reserved/],
      ['::', /unspecified/],
      ['::1', /loopback/],
      ['::ffff:8.8.8.8', /IPv4-mapped/],
      ['::ffff:0:127.0.0.1', /IPv4-translated/],
      ['::10.0.0.1', /IPv4-compatible/],
      ['64:ff9b::c0a8:1', /NAT64.*private/],
      ['64:ff9b:1::1', /local-use NAT64/],
      ['2002:a9fe:a9fe::', /6to4.*link-local/],
      ['2001:0:4136:e378::1', /IETF|Teredo/],
      ['2001:db8:1::1', /documentation/],
      ['3fff::1', /documentation/],
      ['fc00::', /unique local/],
      ['fdff:ffff::1', /unique local/],
      ['fe80::1%eth0', /link-local/],
      ['febf::1', /link-local/],
      ['fec0::1', /site-local/],
      ['ff0e::1', /multicast/],
      ['4000::1', /reserved/],
      ['not-an-ip', /not an IP/],
    ];
    for (const [ip, reason] of cases) {
      const check = checkAddress(ip, STRICT_POLICY);
      expect(check.allowed, ip).toBe(false);
      if (!check.allowed) expect(check.reason, ip).toMatch(reason);
    }
  });

  it('an allow list opens exactly its ranges (IPv4 and IPv6), and the v4 form covers ::ffff:v4', () => {
    const policy = parseAllowList(' 10.1.0.0/16 , fd00:abcd::/32,127.0.0.1,,');
    expect(policy.allow.map((c) => c.text)).toEqual(['10.1.0.0/16', 'fd00:abcd::/32', '127.0.0.1']);
    expect(isAddressAllowed('10.1.200.3', policy)).toBe(true);
    expect(isAddressAllowed('10.2.0.1', policy)).toBe(false);
    expect(isAddressAllowed('fd00:abcd:1::5', policy)).toBe(true);
    expect(isAddressAllowed('fd00:abce::5', policy)).toBe(false);
    expect(isAddressAllowed('127.0.0.1', policy)).toBe(true);
    expect(isAddressAllowed('::ffff:127.0.0.1', policy)).toBe(true);
    expect(isAddressAllowed('127.0.0.2', policy)).toBe(false);
    expect(isAddressAllowed('::1', policy)).toBe(false);
  });

  it('a malformed allow list fails loudly', () => {
    for (const bad of ['localhost', '10.0.0.1/8', '1.2.3.4/33', '::1/129', '10.0.0.0/x', 'fe80::1%eth0']) {
      expect(() => parseAllowList(bad), bad).toThrow(BadInputError);
    }
    expect(parseAllowList(undefined).allow).toEqual([]);
    expect(policyFromEnv({}).allow).toEqual([]);
  });
});

describe('parseDestination', () => {
  it('accepts public http(s) URLs and normalises them', () => {
    const d = parseDestination('https://Hooks.Example.com:8443/in/coming?x=1#frag', STRICT_POLICY);
    expect(d).toMatchObject({ protocol: 'https:', hostname: 'hooks.example.com', port: 8443, path: '/in/coming?x=1', isIpLiteral: false });
    expect(parseDestination('http://8.8.8.8/', STRICT_POLICY)).toMatchObject({ hostname: '8.8.8.8', port: 80, isIpLiteral: true });
    expect(parseDestination('https://[2606:4700:4700::1111]/h', STRICT_POLICY)).toMatchObject({ hostname: '2606:4700:4700::1111', port: 443, isIpLiteral: true });
  });

  it('normalises decimal/octal/hex/short literal hosts before checking them', () => {
    for (const form of ['2130706433', '0177.0.0.1', '0x7f.0.0.1', '0x7f000001', '127.1', '0x7f.1', '017700000001']) {
      expect(new URL(`http://${form}/`).hostname, form).toBe('127.0.0.1');
      expect(() => parseDestination(`http://${form}/`, STRICT_POLICY), form).toThrow(/127\.0\.0\.1 is loopback/);
    }
    expect(new URL('http://[::ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]');
  });

  it('throws BadInputError 422 on field url with a clear reason', () => {
    const expectations: [string, RegExp][] = [
      ['ftp://example.com/', /scheme "ftp" is not allowed/],
      ['https://a:b@example.com/', /credentials/],
      ['http://10.0.0.1/', /private network/],
      ['http://localhost/', /loopback name/],
      ['nonsense', /not a valid absolute URL/],
      [`https://example.com/${'a'.repeat(2100)}`, /longer than/],
    ];
    for (const [url, reason] of expectations) {
      let caught: unknown;
      try {
        parseDestination(url, STRICT_POLICY);
      } catch (err) {
        caught = err;
      }
      expect(caught, url).toBeInstanceOf(BadInputError);
      expect((caught as BadInputError).status).toBe(422);
      expect((caught as BadInputError).field).toBe('url');
      expect((caught as Error).message, url).toMatch(reason);
    }
  });
});

describe('guarded lookup', () => {
  it('answers node in both single and all forms, only with checked addresses', async () => {
    const lookup = createGuardedLookup({ policy: STRICT_POLICY, resolver: scriptedResolver([PUBLIC_V4, PUBLIC_V6]) });
    const all = await new Promise((resolve, reject) => lookup('h.example.com', { all: true }, (e, a) => (e ? reject(e) : resolve(a))));
    expect(all).toEqual([{ address: PUBLIC_V4, family: 4 }, { address: PUBLIC_V6, family: 6 }]);
    const one = await new Promise((resolve, reject) => lookup('h.example.com', {}, (e, a, f) => (e ? reject(e) : resolve([a, f]))));
    expect(one).toEqual([PUBLIC_V4, 4]);
    const v6 = await new Promise((resolve, reject) => lookup('h.example.com', { family: 6 }, (e, a, f) => (e ? reject(e) : resolve([a, f]))));
    expect(v6).toEqual([PUBLIC_V6, 6]);
  });

  it('passes a resolver failure through as an error', async () => {
    const failing: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nope.example.com'), { code: 'ENOTFOUND' });
    };
    const lookup = createGuardedLookup({ policy: STRICT_POLICY, resolver: failing });
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('nope.example.com', {}, (e) => resolve(e)));
    expect(err?.code).toBe('ENOTFOUND');
  });
});
