/**
 * The API of test/fixtures/engines/orders.yaml on 127.0.0.1, idempotent as real payment and order APIs
 * are: the first request with an `Idempotency-Key` has its effect (an order is created) and its answer
 * is kept; a repeat with the same key gets the kept answer and has no effect. Tests count effects per
 * order, script failures, and hold answers back (a held request has had its effect, like a call in
 * flight when its worker dies). Orders are listed by cursor pages; an export of them is an
 * asynchronous job, done after `exportPolls` polls (failed when its format is `broken`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it arrived. */
export interface ApiRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | undefined;
  /** The `X-Worker` header: which worker process sent it. */
  worker: string | undefined;
  /** The `Idempotency-Key` header. */
  key: string | undefined;
  /** `Date.now()` when it had been read. */
  time: number;
  /** Set when the client went away before an answer (an aborted call, a killed worker). */
  aborted: boolean;
}

/** An answer; `undefined` from {@link OrdersApi.respond} means the default idempotent behaviour. */
export interface ApiReply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Never answered (until the server closes). */
export const HOLD = Symbol('hold');

export interface OrdersApi {
  url: string;
  requests: ApiRequest[];
  /** Orders created per SKU: the effects the API applied. */
  effects: Map<string, number>;
  /** Scripts an answer; return undefined for the default, HOLD to hold it. */
  respond: (request: ApiRequest) => ApiReply | typeof HOLD | undefined | Promise<ApiReply | typeof HOLD | undefined>;
  /** Milliseconds to wait before each default answer. */
  delay: number;
  /** Polls an export answers `running` before it is done. */
  exportPolls: number;
  close(): Promise<void>;
}

export async function startOrdersApi(): Promise<OrdersApi> {
  const kept = new Map<string, ApiReply>();
  const orders = new Map<string, Record<string, unknown>>();
  let next = 1;

  const api: OrdersApi = {
    url: '',
    requests: [],
    effects: new Map(),
    respond: () => undefined,
    delay: 0,
    exportPolls: 2,
    close: async () => {},
  };

  const create = (request: ApiRequest): ApiReply => {
    const sku = String(request.body?.sku);
    const order = { id: `ord-${next++}`, sku, quantity: request.body?.quantity ?? 1 };
    orders.set(order.id, order);
    api.effects.set(sku, (api.effects.get(sku) ?? 0) + 1);
    return { status: 201, body: order };
  };

  const exports = new Map<string, { format: string; polls: number }>();
  const list = (url: URL): ApiReply => {
    const all = [...orders.values()];
    const start = Number(url.searchParams.get('cursor') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 10);
    const data = all.slice(start, start + limit);
    return { status: 200, body: { data, next_cursor: start + limit < all.length ? String(start + limit) : null } };
  };
  const exportState = (id: string): ApiReply => {
    const job = exports.get(id);
    if (!job) return { status: 404, body: { error: 'no such export' } };
    job.polls++;
    if (job.polls <= api.exportPolls) return { status: 200, body: { status: 'running', completed_at: null } };
    if (job.format === 'broken') return { status: 200, body: { status: 'failed', error: 'the format is broken', completed_at: null } };
    return { status: 200, body: { status: 'done', completed_at: '2026-11-27T12:00:00Z', orders: orders.size } };
  };

  /** A POST with a key seen before on the same path gets the kept answer and has no effect. */
  const byDefault = (request: ApiRequest): ApiReply => {
    if (request.method !== 'POST' || request.key === undefined) return answer(request);
    const scope = `${request.url} ${request.key}`;
    const remembered = kept.get(scope);
    if (remembered) return { ...remembered, headers: { ...remembered.headers, 'idempotent-replayed': 'true' } };
    const reply = answer(request);
    kept.set(scope, reply);
    return reply;
  };

  const answer = (request: ApiRequest): ApiReply => {
    const url = new URL(request.url, 'http://orders');
    if (request.method === 'GET' && url.pathname === '/orders') return list(url);
    if (request.method === 'POST' && url.pathname === '/exports') {
      const id = `exp-${exports.size + 1}`;
      exports.set(id, { format: String(request.body?.format), polls: 0 });
      return { status: 202, body: { export_id: id } };
    }
    const exported = /^\/exports\/([^/?]+)$/.exec(url.pathname);
    if (request.method === 'GET' && exported) return exportState(decodeURIComponent(exported[1]));
    if (request.method === 'POST' && request.url === '/orders') return create(request);
    const found = /^\/orders\/([^/?]+)$/.exec(request.url);
    const order = found ? orders.get(decodeURIComponent(found[1])) : undefined;
    return order ? { status: 200, body: order } : { status: 404, body: { error: 'no such order' } };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const request: ApiRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
        worker: header(req, 'x-worker'),
        key: header(req, 'idempotency-key'),
        time: Date.now(),
        aborted: false,
      };
      api.requests.push(request);
      res.on('close', () => {
        if (!res.writableFinished) request.aborted = true;
      });
      const scripted = await api.respond(request);
      if (scripted === HOLD) return;
      if (scripted === undefined && api.delay > 0) await new Promise((resolve) => setTimeout(resolve, api.delay));
      const reply = scripted ?? byDefault(request);
      if (res.destroyed) return;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return api;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
