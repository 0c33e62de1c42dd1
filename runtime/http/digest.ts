/**
 * HTTP Digest access authentication (RFC 7616, with the RFC 2069 no-qop form some old servers still
 * use). Only `qop=auth` is answered: `auth-int` would need the body hashed into every challenge answer,
 * and no API we target asks for it alone.
 */
import { createHash, randomBytes } from 'node:crypto';

/** One `Digest` challenge the client can answer. */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** Algorithm name as the server wrote it (echoed back verbatim). */
  algorithm: string;
  /** node:crypto hash name. */
  hash: string;
  /** `*-sess` variant: HA1 also covers the nonce and cnonce. */
  session: boolean;
  /** Whether the server offered `qop=auth`; false means the legacy RFC 2069 computation. */
  qop: boolean;
  userhash: boolean;
}

const HASHES: Record<string, string> = { 'MD5': 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

// token chars from RFC 9110 §5.6.2, then an optional `=value` (quoted-string or bare run up to a comma).
const AUTH_ITEM = /[\s,]*([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*))?/y;

/**
 * Returns the first Digest challenge of a `WWW-Authenticate` value that the client can answer: the
 * server lists its preferred algorithm first (RFC 7616 §3.7). Undefined when there is none.
 */
export function parseDigestChallenge(header: string | string[] | undefined): DigestChallenge | undefined {
  if (header === undefined) return undefined;
  for (const params of digestParameterSets(Array.isArray(header) ? header.join(', ') : header)) {
    const algorithm = params.get('algorithm') ?? 'MD5';
    const upper = algorithm.toUpperCase();
    const session = upper.endsWith('-SESS');
    const hash = HASHES[session ? upper.slice(0, -5) : upper];
    const realm = params.get('realm');
    const nonce = params.get('nonce');
    const qopList = params.get('qop')?.split(',').map((q) => q.trim().toLowerCase());
    if (hash === undefined || realm === undefined || nonce === undefined) continue;
    if (qopList !== undefined && !qopList.includes('auth')) continue;
    // The -sess variants are defined only together with qop (they need a cnonce).
    if (session && qopList === undefined) continue;
    const challenge: DigestChallenge = { realm, nonce, algorithm, hash, session, qop: qopList !== undefined, userhash: params.get('userhash')?.toLowerCase() === 'true' };
    const opaque = params.get('opaque');
    if (opaque !== undefined) challenge.opaque = opaque;
    return challenge;
  }
  return undefined;
}

/** Splits a header holding one or more challenges into the parameter sets of its Digest ones. */
function digestParameterSets(header: string): Array<Map<string, string>> {
  const sets: Array<Map<string, string>> = [];
  let current: Map<string, string> | undefined;
  AUTH_ITEM.lastIndex = 0;
  for (let match = AUTH_ITEM.exec(header); match !== null && match[0] !== ''; match = AUTH_ITEM.exec(header)) {
    const [, name, value] = match;
    if (value === undefined) {
      // A bare token can only be an auth scheme: it starts the next challenge.
      current = name.toLowerCase() === 'digest' ? new Map() : undefined;
      if (current) sets.push(current);
    } else if (current) {
      current.set(name.toLowerCase(), value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value);
    }
  }
  return sets;
}

/**
 * Computes the `Authorization` header answering `challenge` for one request. `uri` is the request
 * target (path and query); `cnonce` and `nc` are parameters only so tests can reproduce RFC vectors.
 */
export function digestAuthorization(
  challenge: DigestChallenge,
  credentials: { username: string; password: string },
  method: string,
  uri: string,
  cnonce: string = randomBytes(16).toString('hex'),
  nc = 1,
): string {
  const h = (text: string) => createHash(challenge.hash).update(text, 'utf8').digest('hex');
  const { realm, nonce } = challenge;
  let ha1 = h(`${credentials.username}:${realm}:${credentials.password}`);
  if (challenge.session) ha1 = h(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = h(`${method}:${uri}`);
  const count = nc.toString(16).padStart(8, '0');
  const response = challenge.qop ? h(`${ha1}:${nonce}:${count}:${cnonce}:auth:${ha2}`) : h(`${ha1}:${nonce}:${ha2}`);

  const parts: string[] = [];
  if (challenge.userhash) parts.push(`username=${quote(h(`${credentials.username}:${realm}`))}`);
  // quoted-string cannot carry non-ASCII reliably; RFC 7616 §3.4.4 moves it to the RFC 8187 form.
  else if (/[^\x20-\x7e]/.test(credentials.username)) parts.push(`username*=UTF-8''${extValue(credentials.username)}`);
  else parts.push(`username=${quote(credentials.username)}`);
  parts.push(`realm=${quote(realm)}`, `uri=${quote(uri)}`, `algorithm=${challenge.algorithm}`, `nonce=${quote(nonce)}`);
  if (challenge.qop) parts.push(`nc=${count}`, `cnonce=${quote(cnonce)}`, 'qop=auth');
  parts.push(`response=${quote(response)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  if (challenge.userhash) parts.push('userhash=true');
  return `Digest ${parts.join(', ')}`;
}

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&')}"`;
}

function extValue(text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
