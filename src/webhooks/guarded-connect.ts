// SSRF guard, part 2: the check at connect time. The agent resolves the host once, checks every
// answer against the policy and hands exactly those checked addresses to the socket, so a
// resolver that answers differently on the next query (DNS rebinding) gains nothing: there is no
// second query between the check and the connect.
import { promises as dnsPromises, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { BadInputError } from '../errors.ts';
import { checkAddress, parseIp, type AddressPolicy } from './address-policy.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses. Injectable so tests can fake DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The operating system's resolver (getaddrinfo, like any other client on the machine). */
export const systemResolver: Resolver = async (hostname) => {
  const answers = await dnsPromises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** A destination address refused by the policy at connect time (no connection was opened). */
export class AddressRefusedError extends BadInputError {
  /** Lets callers (and node's socket error path) recognise the refusal. */
  readonly code = 'ERR_TOKENTRAIL_ADDRESS_REFUSED';
  readonly hostname: string;
  readonly address?: string;
  readonly reason: string;
  constructor(hostname: string, reason: string, address?: string) {
    super(
      address && address !== hostname
        ? `destination refused: ${hostname} resolves to ${address}, ${reason}`
        : `destination refused: ${hostname} is ${reason}`,
      { status: 422, field: 'url' },
    );
    this.name = 'AddressRefusedError';
    this.hostname = hostname;
    this.address = address;
    this.reason = reason;
  }
}

export interface GuardOptions {
  policy: AddressPolicy;
  resolver?: Resolver;
  /** Called with the checked addresses just before they are handed to the socket (tests, logs). */
  onResolved?: (hostname: string, addresses: readonly ResolvedAddress[]) => void;
}

/**
 * Resolves `hostname` once and checks every answer. Refuses the whole name when any answer is
 * refused: a name that also points inside the network is not a safe destination, and refusing
 * keeps happy-eyeballs from ever trying the bad answer. Throws AddressRefusedError.
 */
export async function resolveAndCheck(
  hostname: string,
  policy: AddressPolicy,
  resolver: Resolver = systemResolver,
): Promise<ResolvedAddress[]> {
  const literal = parseIp(hostname);
  const answers: ResolvedAddress[] = literal
    ? [{ address: hostname.replace(/^\[|\]$/g, ''), family: literal.version }]
    : await resolver(hostname);
  if (answers.length === 0) throw new AddressRefusedError(hostname, 'not resolvable (no addresses)');
  for (const a of answers) {
    const check = checkAddress(a.address, policy);
    if (!check.allowed) throw new AddressRefusedError(hostname, check.reason, a.address);
  }
  return answers.map((a) => ({ address: a.address, family: a.family }));
}

/** A `lookup` for net/tls connect options that only ever yields checked addresses. */
export function createGuardedLookup(opts: GuardOptions): LookupFunction {
  const { policy, resolver = systemResolver, onResolved } = opts;
  return (hostname: string, options: LookupOptions, callback) => {
    resolveAndCheck(hostname, policy, resolver).then(
      (checked) => {
        // Respect a requested family without re-resolving: filter the checked answers.
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = wanted ? checked.filter((a) => a.family === wanted) : checked;
        if (usable.length === 0) {
          callback(new AddressRefusedError(hostname, `has no IPv${wanted} address`), '', 0);
          return;
        }
        onResolved?.(hostname, usable);
        if (options.all) callback(null, usable as LookupAddress[]);
        else callback(null, usable[0].address, usable[0].family);
      },
      (err: unknown) => callback(asErrno(err), '', 0),
    );
  };
}

function asErrno(err: unknown): NodeJS.ErrnoException {
  return err instanceof Error ? (err as NodeJS.ErrnoException) : new Error(String(err));
}

type ConnectCallback = (err: Error | null, stream: Duplex) => void;

/**
 * Node skips `lookup` for IP-literal hosts, so literals are checked here before any socket
 * exists; names get the guarded lookup. After connecting, the peer address is checked once more
 * (belt and braces: it must be one of the addresses already checked).
 */
function guardedCreateConnection(
  guard: GuardOptions,
  lookup: LookupFunction,
  options: http.ClientRequestArgs,
  callback: ConnectCallback | undefined,
  connect: (options: http.ClientRequestArgs, callback?: ConnectCallback) => Duplex | null | undefined,
): Duplex | null | undefined {
  const host = String(options.host ?? options.hostname ?? '').replace(/^\[|\]$/g, '');
  if (options.socketPath) {
    callback?.(new AddressRefusedError(options.socketPath, 'a unix socket path'), undefined as unknown as Duplex);
    return undefined;
  }
  if (parseIp(host)) {
    const check = checkAddress(host, guard.policy);
    if (!check.allowed) {
      callback?.(new AddressRefusedError(host, check.reason), undefined as unknown as Duplex);
      return undefined;
    }
  }
  const socket = connect({ ...options, lookup }, callback);
  if (socket) {
    socket.once('connect', () => {
      const remote = (socket as Socket).remoteAddress;
      if (remote !== undefined && !checkAddress(remote, guard.policy).allowed) {
        socket.destroy(new AddressRefusedError(host, 'a refused peer address', remote));
      }
    });
  }
  return socket;
}

export interface GuardedAgentOptions extends GuardOptions {
  /** Extra agent options (keepAlive, maxSockets…). keepAlive defaults to false. */
  agentOptions?: https.AgentOptions;
}

/** An http.Agent that only connects to addresses allowed by the policy. */
export function createGuardedHttpAgent(opts: GuardedAgentOptions): http.Agent {
  const lookup = createGuardedLookup(opts);
  class GuardedHttpAgent extends http.Agent {
    override createConnection(options: http.ClientRequestArgs, callback?: ConnectCallback) {
      return guardedCreateConnection(opts, lookup, options, callback, (o, cb) => super.createConnection(o, cb));
    }
  }
  return new GuardedHttpAgent({ keepAlive: false, ...opts.agentOptions });
}

/** An https.Agent that only connects to addresses allowed by the policy (TLS still verifies the name). */
export function createGuardedHttpsAgent(opts: GuardedAgentOptions): https.Agent {
  const lookup = createGuardedLookup(opts);
  class GuardedHttpsAgent extends https.Agent {
    override createConnection(options: https.RequestOptions, callback?: ConnectCallback) {
      return guardedCreateConnection(opts, lookup, options, callback, (o, cb) =>
        super.createConnection(o as https.RequestOptions, cb),
      );
    }
  }
  return new GuardedHttpsAgent({ keepAlive: false, ...opts.agentOptions });
}

export interface GuardedAgents {
  http: http.Agent;
  https: https.Agent;
}

/** Both agents for one policy/resolver; create once and reuse across deliveries. */
export function createGuardedAgents(opts: GuardedAgentOptions): GuardedAgents {
  return { http: createGuardedHttpAgent(opts), https: createGuardedHttpsAgent(opts) };
}
