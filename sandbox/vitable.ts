/**
 * A local, stateful stand-in for the Vitable Connect groups API, as its docs describe it: groups
 * (list with page/limit pagination, create, get, patch) and the asynchronous member sync (submit
 * answers 202 with a `grpmsr_` request id; the request is polled until `completed_at` is set, then
 * carries the added and removed member ids and per-member failures).
 *
 * A sync completes `syncMs` after it was accepted; until then a poll answers with `completed_at:
 * null` and a `Retry-After` of one second. A member whose `plan_id` does not start with `pln_` fails
 * with "Invalid plan_id", as in the docs' example. Only node built-ins are used.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Bearer token the sandbox accepts unless told otherwise (`Authorization: Bearer …`). */
export const SANDBOX_VITABLE_KEY = 'sandbox-vitable-key';

/** Options of {@link startVitableSandbox}. */
export interface VitableSandboxOptions {
  port?: number;
  host?: string;
  /** Accepted bearer token; default {@link SANDBOX_VITABLE_KEY}. */
  apiKey?: string;
  /** ms from acceptance to completion of a member sync (default 1500). */
  syncMs?: number;
  /** Groups that exist from the start, named `Tier 1`, `Tier 2`, … (default 0). */
  seedGroups?: number;
}

/** A running sandbox. */
export interface VitableSandbox {
  url: string;
  /** Every request received, in arrival order: method and raw target. */
  requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

interface Group {
  id: string;
  organization_id: string;
  name: string;
  external_reference_id: string;
  created_at: string;
  updated_at: string;
}

interface Member {
  reference_id: string;
  plan_id: string;
  member_id: string;
}

interface Sync {
  request_id: string;
  group_id: string;
  accepted_at: string;
  completesAt: number;
  completed_at: string | null;
  results: { added_group_member_ids: string[]; removed_group_member_ids: string[]; failures: Array<{ reference_id: string; operation: 'add' | 'remove'; reason: string }> } | null;
  members: Array<{ reference_id?: unknown; plan_id?: unknown }>;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const ORGANIZATION = 'org_sandbox000001';
const PAGE_LIMIT_MAX = 100;

const id = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const error = (status: number, message: string): Reply => ({ status, body: { detail: message } });
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Starts a sandbox on an ephemeral port of 127.0.0.1 (or as told). */
export async function startVitableSandbox(options: VitableSandboxOptions = {}): Promise<VitableSandbox> {
  const key = options.apiKey ?? SANDBOX_VITABLE_KEY;
  const syncMs = options.syncMs ?? 1_500;
  const groups: Group[] = [];
  const members = new Map<string, Member[]>();
  const syncs = new Map<string, Sync>();
  const requests: VitableSandbox['requests'] = [];
  for (let i = 1; i <= (options.seedGroups ?? 0); i++) {
    const at = now();
    groups.push({ id: id('grp'), organization_id: ORGANIZATION, name: `Tier ${i}`, external_reference_id: `seed_${i}`, created_at: at, updated_at: at });
  }

  /** Applies a sync once its time has come: members with a valid plan are added, the others fail; members not in the payload are removed. */
  const settle = (sync: Sync): void => {
    if (sync.completed_at !== null || Date.now() < sync.completesAt) return;
    const before = members.get(sync.group_id) ?? [];
    const after: Member[] = [];
    const results: NonNullable<Sync['results']> = { added_group_member_ids: [], removed_group_member_ids: [], failures: [] };
    for (const member of sync.members) {
      const reference = String(member.reference_id ?? '');
      const existing = before.find((m) => m.reference_id === reference);
      if (typeof member.plan_id !== 'string' || !member.plan_id.startsWith('pln_')) {
        results.failures.push({ reference_id: reference, operation: 'add', reason: 'Invalid plan_id' });
        if (existing) after.push(existing);
        continue;
      }
      const kept = existing ?? { reference_id: reference, plan_id: member.plan_id, member_id: id('grpmbr') };
      if (!existing) results.added_group_member_ids.push(kept.member_id);
      after.push(kept);
    }
    for (const member of before) if (!after.includes(member)) results.removed_group_member_ids.push(member.member_id);
    members.set(sync.group_id, after);
    sync.completed_at = now();
    sync.results = results;
  };

  const routes: Array<[string, RegExp, (match: RegExpExecArray, query: URLSearchParams, body: unknown) => Reply]> = [
    [
      'GET',
      /^\/v1\/groups$/,
      (_m, query) => {
        const page = Number(query.get('page') ?? 1);
        const limit = Number(query.get('limit') ?? 20);
        if (!Number.isInteger(page) || page < 1 || !Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMIT_MAX) return error(422, `page must be ≥ 1 and limit between 1 and ${PAGE_LIMIT_MAX}`);
        const data = groups.slice((page - 1) * limit, page * limit);
        return { status: 200, body: { data, pagination: { page, limit, total: groups.length, total_pages: Math.ceil(groups.length / limit) } } };
      },
    ],
    [
      'POST',
      /^\/v1\/groups$/,
      (_m, _q, body) => {
        if (!isObject(body) || typeof body.name !== 'string' || typeof body.external_reference_id !== 'string') return error(422, 'name and external_reference_id are required strings');
        const at = now();
        const group: Group = { id: id('grp'), organization_id: ORGANIZATION, name: body.name, external_reference_id: body.external_reference_id, created_at: at, updated_at: at };
        groups.push(group);
        return { status: 201, body: { data: group } };
      },
    ],
    [
      'GET',
      /^\/v1\/groups\/([^/]+)$/,
      (m) => {
        const group = groups.find((g) => g.id === m[1]);
        return group ? { status: 200, body: { data: group } } : error(404, 'Group not found');
      },
    ],
    [
      'PATCH',
      /^\/v1\/groups\/([^/]+)$/,
      (m, _q, body) => {
        const group = groups.find((g) => g.id === m[1]);
        if (!group) return error(404, 'Group not found');
        if (!isObject(body)) return error(422, 'a JSON object is required');
        if (typeof body.name === 'string') group.name = body.name;
        if (typeof body.external_reference_id === 'string') group.external_reference_id = body.external_reference_id;
        group.updated_at = now();
        return { status: 200, body: { data: group } };
      },
    ],
    [
      'POST',
      /^\/v1\/groups\/([^/]+)\/members\/sync$/,
      (m, _q, body) => {
        if (!groups.some((g) => g.id === m[1])) return error(404, 'Group not found');
        if (!isObject(body) || !Array.isArray(body.members)) return error(422, 'members must be an array');
        const sync: Sync = { request_id: id('grpmsr'), group_id: m[1], accepted_at: now(), completesAt: Date.now() + syncMs, completed_at: null, results: null, members: body.members.filter(isObject) };
        syncs.set(sync.request_id, sync);
        return { status: 202, body: { data: { request_id: sync.request_id, group_id: sync.group_id, accepted_at: sync.accepted_at } } };
      },
    ],
    [
      'GET',
      /^\/v1\/groups\/([^/]+)\/members\/sync\/([^/]+)$/,
      (m) => {
        const sync = syncs.get(m[2]);
        if (!sync || sync.group_id !== m[1]) return error(404, 'Sync request not found');
        settle(sync);
        const { request_id, group_id, accepted_at, completed_at, results } = sync;
        return { status: 200, body: { data: { request_id, group_id, accepted_at, completed_at, results } }, ...(completed_at === null ? { headers: { 'retry-after': '1' } } : {}) };
      },
    ],
  ];

  const respond = (method: string, target: string, headers: IncomingMessage['headers'], raw: string): Reply => {
    if (headers.authorization !== `Bearer ${key}`) return error(401, 'Invalid or missing API key');
    const url = new URL(target, 'http://sandbox');
    let body: unknown = null;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        return error(400, 'the body is not valid JSON');
      }
    }
    let pathMatched = false;
    for (const [routeMethod, pattern, handle] of routes) {
      const match = pattern.exec(url.pathname);
      if (!match) continue;
      pathMatched = true;
      if (routeMethod === method) return handle(match, url.searchParams, body);
    }
    return pathMatched ? error(405, 'Method Not Allowed') : error(404, 'Not Found');
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const target = req.url ?? '/';
      requests.push({ method, path: target });
      const reply = respond(method, target, req.headers, Buffer.concat(chunks).toString('utf8'));
      const json = JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), ...reply.headers }).end(json);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((problem) => (problem ? reject(problem) : resolve()));
        server.closeAllConnections();
      }),
  };
}
