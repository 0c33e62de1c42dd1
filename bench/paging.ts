/**
 * Records per second through `runtime.items` against a hand-written got pager walking the same list:
 * `GET /v2/paged-users?offset=N&limit=100`, {@link PAGED_TOTAL} users in pages of 100 (~100 KB each).
 *
 * - runtime: `for await (const user of runtime.items('list-users', { limit: 100 }))` on
 *   bench/capabilities/paged-users.yaml (offset pagination, `items: $.users`, `total: $.total`): each
 *   page built from the plan, sent, parsed, its records selected, the next offset computed.
 * - got: the loop a developer writes: the URL from the offset, got with the runtime's agent settings,
 *   `JSON.parse`, `users`, offset += records, stop at `total`.
 *
 * Both read every record of the list once per walk, sequentially, in interleaved rounds.
 */
import http from 'node:http';
import got from 'got';
import { createRuntime, loadCapability, type Runtime } from '../runtime/index.js';
import { agentOptions } from '../runtime/http/client.js';
import { headersFor, orderOf } from './invoke.js';
import { PAGED_CAPABILITY } from './paths.js';
import { BENCH_API_KEY, PAGE_SIZE, PAGED_TOTAL } from './server.js';
import { median } from './stats.js';

export const PAGING_CLIENTS = ['runtime', 'got'] as const;
export type PagingClient = (typeof PAGING_CLIENTS)[number];

/** One walk through the whole list; resolves with the records read. */
export type Walk = () => Promise<number>;

/** Both pagers against the bench server, over connections of their own. */
export interface PagingClients {
  walks: Record<PagingClient, Walk>;
  close(): void;
}

const HEADERS = headersFor(BENCH_API_KEY);

/** Builds both pagers and checks that they ask for the same first page and read the same records. */
export async function createPagingClients(serverUrl: string): Promise<PagingClients> {
  const runtime: Runtime = createRuntime(await loadCapability(PAGED_CAPABILITY), { baseUri: serverUrl, env: { VITAL_API_KEY: BENCH_API_KEY } });
  const agent = new http.Agent(agentOptions);
  const rawGot = got.extend({ agent: { http: agent }, retry: { limit: 0 } });

  const walks: Record<PagingClient, Walk> = {
    async runtime() {
      let count = 0;
      for await (const user of runtime.items('list-users', { limit: PAGE_SIZE })) if (user !== null) count++;
      return count;
    },
    async got() {
      let count = 0;
      for (let offset = 0; ; ) {
        const page = JSON.parse((await rawGot(`${serverUrl}/v2/paged-users?offset=${offset}&limit=${PAGE_SIZE}`, { headers: HEADERS, responseType: 'buffer' })).body.toString('utf8')) as { users: unknown[]; total: number };
        for (const user of page.users) if (user !== null) count++;
        offset += page.users.length;
        if (page.users.length === 0 || page.users.length < PAGE_SIZE || offset >= page.total) return count;
      }
    },
  };

  const prepared = runtime.prepare('list-users', { limit: PAGE_SIZE });
  if (prepared.url !== `${serverUrl}/v2/paged-users?offset=0&limit=${PAGE_SIZE}`) throw new Error(`the runtime asks for ${prepared.url}`);
  for (const client of PAGING_CLIENTS) {
    const read = await walks[client]();
    if (read !== PAGED_TOTAL) throw new Error(`${client} read ${read} records instead of ${PAGED_TOTAL}`);
  }
  return {
    walks,
    close() {
      runtime.close();
      agent.destroy();
    },
  };
}

/** Records per second of each pager, and the runtime's ratio to got's. */
export interface PagingResult {
  rounds: number;
  walksPerRound: number;
  recordsPerWalk: number;
  /** Median over rounds. */
  recordsPerSecond: Record<PagingClient, number>;
  /** Median over rounds of runtime ÷ got measured in the same round. */
  ratioToGot: number;
  /** CPU time of this process per record (user + system), median over rounds, in microseconds. */
  cpuPerRecordUs: Record<PagingClient, number>;
  /** Median over rounds of got's CPU per record ÷ the runtime's: records per CPU second, runtime ÷ got. */
  cpuRatioToGot: number;
}

/** `walks` sequential walks of each pager per round, in alternating order. */
export async function comparePaging(clients: PagingClients, rounds: number, walks: number): Promise<PagingResult> {
  const rates: Record<PagingClient, number[]> = { runtime: [], got: [] };
  const cpu: Record<PagingClient, number[]> = { runtime: [], got: [] };
  for (const client of PAGING_CLIENTS) await clients.walks[client]();
  for (let round = 0; round < rounds; round++) {
    for (const client of orderOf(PAGING_CLIENTS, round)) {
      const started = performance.now();
      const cpuStarted = process.cpuUsage();
      let records = 0;
      for (let i = 0; i < walks; i++) records += await clients.walks[client]();
      const used = process.cpuUsage(cpuStarted);
      rates[client].push(records / ((performance.now() - started) / 1000));
      cpu[client].push((used.user + used.system) / records);
    }
  }
  return {
    rounds,
    walksPerRound: walks,
    recordsPerWalk: PAGED_TOTAL,
    recordsPerSecond: { runtime: median(rates.runtime), got: median(rates.got) },
    ratioToGot: median(rates.runtime.map((r, i) => r / rates.got[i])),
    cpuPerRecordUs: { runtime: median(cpu.runtime), got: median(cpu.got) },
    cpuRatioToGot: median(cpu.got.map((c, i) => c / cpu.runtime[i])),
  };
}
