/**
 * Invocation overhead: the runtime against the same request written by hand with `got` and with Node's
 * `fetch`, in interleaved rounds so that drift of a shared machine hits every client alike.
 *
 * What each side does per call (the request on the wire is the same: URL, `X-Vital-API-Key`,
 * `user-agent`, `accept`, in that order; `createClients` checks it against `runtime.prepare`):
 * - runtime: `runtime.invoke(name, inputs)`: operation lookup, input checks, URL and headers from the
 *   compiled plan, the secret from the environment, got with the runtime's deadline and size cap, status
 *   check, `JSON.parse`, the `$.` output.
 * - got: what a hand-written client does: the URL built from the inputs (`encodeURIComponent` of the
 *   user id, or the paging query) and a header object with the key, per call, then
 *   `got(url, { headers, responseType: 'buffer' })` on an instance with the runtime's agent settings
 *   (`agentOptions`) and `retry.limit` 0 (the runtime retries by itself, and a call that succeeds pays
 *   nothing for it), then `JSON.parse` of the buffer. got throws on a non-2xx status. No deadline, no
 *   size cap.
 * - fetch: the same URL and headers, global `fetch(url, { headers })` on undici's default dispatcher,
 *   status check, `JSON.parse(await response.text())`.
 */
import http from 'node:http';
import got from 'got';
import { loadCapability } from '../runtime/load/loadCapability.js';
import { createRuntime, type Runtime } from '../runtime/index.js';
import { capabilityInternals } from '../runtime/compile/capabilityInternals.js';
import { agentOptions, createHttpClient } from '../runtime/http/client.js';
import { buildRequest } from '../runtime/invoke/buildRequest.js';
import { resolveInputs } from '../runtime/invoke/resolveInputs.js';
import { SecretStore } from '../runtime/invoke/secretStore.js';
import { USERS_CAPABILITY } from './paths.js';
import { BENCH_API_KEY, BENCH_USER_ID, LIST_SIZE } from './server.js';
import { median, percentile } from './stats.js';

/** The ~1 KB user or the ~100 KB page of users. */
export type BodySize = 'small' | 'large';

/** The clients compared, in the order of the first round. */
export const CLIENTS = ['runtime', 'got', 'fetch'] as const;
export type ClientName = (typeof CLIENTS)[number];

/** One complete call: request, response, parsed body. */
export type Call = () => Promise<unknown>;

/** An operation's inputs, and the URL a hand-written client builds from them. */
interface Operation {
  name: string;
  inputs: Record<string, unknown>;
  url(base: string, inputs: Record<string, unknown>): string;
}

/** The operation each body size is fetched with. */
export const OPERATIONS: Record<BodySize, Operation> = {
  small: { name: 'get_user_v2_user__user_id__get', inputs: { user_id: BENCH_USER_ID }, url: (base, inputs) => `${base}/v2/user/${encodeURIComponent(String(inputs.user_id))}` },
  large: { name: 'get_teams_users_v2_user_get', inputs: { offset: 0, limit: LIST_SIZE }, url: (base, inputs) => `${base}/v2/user?offset=${inputs.offset}&limit=${inputs.limit}` },
};

/** The headers of the hand-written clients: same names, values and order as the runtime's. */
export function headersFor(key: string): Record<string, string> {
  return { 'X-Vital-API-Key': key, 'user-agent': 'naftiko-runtime', accept: 'application/json' };
}

/** Every client's call for every body size, over connections of their own. */
export interface Clients {
  runtime: Runtime;
  calls: Record<ClientName, Record<BodySize, Call>>;
  /**
   * The runtime's HTTP client alone (deadline, size cap, retry loop, got) sending a small-body request
   * the runtime built once, then `JSON.parse`: splits the runtime's cost into transport and the rest.
   */
  transport: Call;
  close(): void;
}

/** Builds the three clients against the bench server at `serverUrl`, and checks they send the same request. */
export async function createClients(serverUrl: string): Promise<Clients> {
  const capability = await loadCapability(USERS_CAPABILITY);
  const env = { VITAL_API_KEY: BENCH_API_KEY };
  const runtime = createRuntime(capability, { baseUri: serverUrl, env });

  const agent = new http.Agent(agentOptions);
  const rawGot = got.extend({ agent: { http: agent }, retry: { limit: 0 } });

  const calls = {} as Record<ClientName, Record<BodySize, Call>>;
  calls.runtime = { small: runtimeCall(runtime, 'small'), large: runtimeCall(runtime, 'large') };
  calls.got = { small: gotCall(rawGot, serverUrl, OPERATIONS.small), large: gotCall(rawGot, serverUrl, OPERATIONS.large) };
  calls.fetch = { small: fetchCall(serverUrl, OPERATIONS.small), large: fetchCall(serverUrl, OPERATIONS.large) };

  for (const size of ['small', 'large'] as const) {
    const { name, inputs, url } = OPERATIONS[size];
    const prepared = runtime.prepare(name, inputs);
    const expected = url(serverUrl, inputs);
    // `prepare` masks the key; every other value must match too.
    const theirs = JSON.stringify({ ...headersFor(BENCH_API_KEY), 'X-Vital-API-Key': '***' });
    if (prepared.url !== expected || JSON.stringify(prepared.headers) !== theirs) {
      throw new Error(`the runtime sends ${prepared.url} ${JSON.stringify(prepared.headers)} but the baselines ${expected} ${theirs}`);
    }
    for (const client of CLIENTS) checkBody(client, size, await calls[client][size]());
  }

  const plan = capabilityInternals(capability).plans.find((p) => p.name === OPERATIONS.small.name)!;
  const { inputs } = OPERATIONS.small;
  const built = buildRequest(plan, resolveInputs(plan, inputs), inputs, new SecretStore(env), { value: serverUrl, masked: serverUrl }, false);
  const transportClient = createHttpClient();
  const sendOptions = { operation: plan.id, redactedUrl: built.maskedUrl };
  const transport = async () => JSON.parse((await transportClient.send(built.wire, sendOptions)).body.toString('utf8'));
  checkBody('runtime', 'small', await transport());
  return {
    runtime,
    calls,
    transport,
    close() {
      runtime.close();
      agent.destroy();
      transportClient.close();
    },
  };
}

function runtimeCall(runtime: Runtime, size: BodySize): Call {
  const { name, inputs } = OPERATIONS[size];
  return async () => (await runtime.invoke(name, inputs)).result;
}

function gotCall(client: typeof got, base: string, { inputs, url }: Operation): Call {
  return async () => JSON.parse((await client(url(base, inputs), { headers: headersFor(BENCH_API_KEY), responseType: 'buffer' })).body.toString('utf8'));
}

function fetchCall(base: string, { inputs, url }: Operation): Call {
  return async () => {
    const response = await fetch(url(base, inputs), { headers: headersFor(BENCH_API_KEY) });
    if (!response.ok) throw new Error(`fetch ${response.url} answered ${response.status}`);
    return JSON.parse(await response.text());
  };
}

/** A wrong answer would make every figure meaningless, so each client's first one is checked. */
function checkBody(client: ClientName, size: BodySize, body: unknown): void {
  const ok = size === 'small' ? (body as { user_id?: unknown }).user_id === BENCH_USER_ID : (body as { users?: unknown[] }).users?.length === LIST_SIZE;
  if (!ok) throw new Error(`${client} got an unexpected ${size} body`);
}

/** One closed-loop run: throughput and latency percentiles. */
export interface RunStats {
  calls: number;
  /** Calls per second. */
  throughput: number;
  /** Latency percentiles in ms. */
  p50: number;
  p99: number;
}

/**
 * Runs `concurrency` workers, each calling again as soon as its previous call completes, until
 * `durationMs` has passed; calls in flight then finish and count.
 */
export async function closedLoop(call: Call, concurrency: number, durationMs: number): Promise<RunStats> {
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    for (let now = performance.now(); now < end; ) {
      await call();
      const done = performance.now();
      latencies.push(done - now);
      now = done;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { calls: latencies.length, throughput: latencies.length / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

/** Runs of one client as one figure: calls added up, the rest medians over the runs. */
export function summarize(list: RunStats[]): RunStats {
  return {
    calls: list.reduce((n, r) => n + r.calls, 0),
    throughput: median(list.map((r) => r.throughput)),
    p50: median(list.map((r) => r.p50)),
    p99: median(list.map((r) => r.p99)),
  };
}

/** Settings of a throughput comparison. */
export interface CompareOptions {
  bodies: BodySize[];
  concurrencies: number[];
  rounds: number;
  /** Length of one client's run within a round. */
  durationMs: number;
  /** Unmeasured run of each client before the rounds of each cell. */
  warmupMs: number;
}

/** One body size at one concurrency: medians over the rounds. */
export interface CellResult {
  body: BodySize;
  concurrency: number;
  rounds: number;
  clients: Record<ClientName, RunStats>;
  /** Median over rounds of runtime throughput / got throughput measured in the same round. */
  ratioToGot: number;
  /** The same for fetch / got, for context. */
  fetchToGot: number;
}

/**
 * Measures every client for each body size and concurrency. In each round every client runs once, in
 * the order {@link orderOf} gives; each figure is the median over rounds, and the runtime/got ratio
 * is taken within each round before the median, so slow spells of the machine cancel out.
 */
export async function compareThroughput(clients: Clients, options: CompareOptions): Promise<CellResult[]> {
  const cells: CellResult[] = [];
  for (const body of options.bodies) {
    for (const concurrency of options.concurrencies) {
      for (const client of CLIENTS) await closedLoop(clients.calls[client][body], concurrency, options.warmupMs);
      const runs: Record<ClientName, RunStats[]> = { runtime: [], got: [], fetch: [] };
      for (let round = 0; round < options.rounds; round++) {
        for (const client of orderOf(CLIENTS, round)) runs[client].push(await closedLoop(clients.calls[client][body], concurrency, options.durationMs));
      }
      cells.push({
        body,
        concurrency,
        rounds: options.rounds,
        clients: { runtime: summarize(runs.runtime), got: summarize(runs.got), fetch: summarize(runs.fetch) },
        ratioToGot: median(runs.runtime.map((r, i) => r.throughput / runs.got[i].throughput)),
        fetchToGot: median(runs.fetch.map((r, i) => r.throughput / runs.got[i].throughput)),
      });
    }
  }
  return cells;
}

/** What the CPU measurement compares: the three clients and the runtime's transport alone. */
export const CPU_VARIANTS = [...CLIENTS, 'transport'] as const;
export type CpuVariant = (typeof CPU_VARIANTS)[number];

/** CPU time of the client process per call, sequential calls. */
export interface CpuResult {
  body: BodySize;
  callsPerRound: number;
  rounds: number;
  /** Median µs of CPU (user + system, all threads of this process) per call. */
  perCall: Record<CpuVariant, number>;
  /** Median over rounds of runtime − got in the same round, in µs per call. */
  addedByRuntime: number;
  /** The part of it spent in the runtime's transport: transport − got. */
  addedByTransport: number;
}

/**
 * CPU time per call from `process.cpuUsage()` deltas over `calls` sequential calls of each variant, in
 * interleaved rounds. The server runs in another process, so this is the client's work alone. Many
 * short rounds with a median of paired differences: on a shared machine the noise of one round is of
 * the order of the differences being measured.
 */
export async function cpuPerCall(clients: Clients, calls: number, rounds: number): Promise<CpuResult> {
  const call: Record<CpuVariant, Call> = { ...{ runtime: clients.calls.runtime.small, got: clients.calls.got.small, fetch: clients.calls.fetch.small }, transport: clients.transport };
  const samples: Record<CpuVariant, number[]> = { runtime: [], got: [], fetch: [], transport: [] };
  for (let round = 0; round < rounds; round++) {
    for (const variant of orderOf(CPU_VARIANTS, round)) {
      const before = process.cpuUsage();
      for (let i = 0; i < calls; i++) await call[variant]();
      const used = process.cpuUsage(before);
      samples[variant].push((used.user + used.system) / calls);
    }
  }
  const added = (variant: CpuVariant) => median(samples[variant].map((s, i) => s - samples.got[i]));
  return {
    body: 'small',
    callsPerRound: calls,
    rounds,
    perCall: { runtime: median(samples.runtime), got: median(samples.got), fetch: median(samples.fetch), transport: median(samples.transport) },
    addedByRuntime: added('runtime'),
    addedByTransport: added('transport'),
  };
}

/**
 * The order of `list` in `round`: every permutation in turn, so that over a full cycle every entry runs
 * in every position and right after every other one equally often. An entry inherits some of its
 * predecessor's work (garbage left to collect, sockets to settle); a plain rotation of three would put
 * the runtime after fetch in two rounds of three and got after fetch in one.
 */
export function orderOf<T>(list: readonly T[], round: number): T[] {
  const all = permutations([...list]);
  return all[round % all.length];
}

function permutations<T>(list: T[]): T[][] {
  if (list.length <= 1) return [list];
  return list.flatMap((first, i) => permutations([...list.slice(0, i), ...list.slice(i + 1)]).map((rest) => [first, ...rest]));
}
