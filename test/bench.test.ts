/**
 * Proves the benchmark code works, with a few iterations of each part. It asserts what was measured
 * and that the figures are sane numbers, never how fast anything is: CI machines vary too much.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENTS, closedLoop, compareThroughput, CPU_VARIANTS, cpuPerCall, createClients, orderOf, type Clients } from '../bench/invoke.js';
import { corpusFiles, generateCapability, largestCorpusFile, measureLoad, writeGeneratedCapability } from '../bench/load.js';
import { heapOverInvocations } from '../bench/memory.js';
import { USERS_CAPABILITY } from '../bench/paths.js';
import { formatReport, runBench, type BenchSettings } from '../bench/run.js';
import { BODIES, listenInProcess, PAGED_TOTAL, startBenchServer, type RunningServer } from '../bench/server.js';
import { comparePaging, createPagingClients } from '../bench/paging.js';
import { tokenCacheOverhead } from '../bench/tokenCache.js';
import { median, percentile } from '../bench/stats.js';

const TINY: BenchSettings = {
  load: { usersRepeats: 2, largestRepeats: 1, corpusRepeats: 1, generated: [{ operations: 10, repeats: 1 }, { operations: 40, repeats: 1 }], dialectRepeats: 1 },
  throughput: { rounds: 2, durationMs: 30, warmupMs: 10, concurrencies: [1, 4] },
  cpu: { calls: 5, rounds: 2 },
  memory: { invocations: 40, concurrency: 4, checkpoints: 2, warmup: 5 },
  serving: { connections: 4, durationMs: 300, warmupMs: 100, rounds: 2 },
  coldStart: { rounds: 1 },
  paging: { rounds: 2, walks: 1 },
  tokenCache: { calls: 20, rounds: 2 },
};

describe('bench server and clients', () => {
  let server: RunningServer;
  let clients: Clients;
  beforeAll(async () => {
    server = await listenInProcess();
    clients = await createClients(server.url);
  });
  afterAll(async () => {
    clients.close();
    await server.close();
  });

  it('serves a ~1 KB user and a ~100 KB page of users', () => {
    expect(BODIES.small.length).toBeGreaterThan(800);
    expect(BODIES.small.length).toBeLessThan(1300);
    expect(BODIES.large.length).toBeGreaterThan(80_000);
    expect(BODIES.large.length).toBeLessThan(130_000);
  });

  it('has every client get the same answers (createClients checks the request and the body)', async () => {
    for (const client of CLIENTS) {
      expect(await clients.calls[client].small()).toMatchObject({ user_id: expect.any(String) });
      expect(((await clients.calls[client].large()) as { users: unknown[] }).users).toHaveLength(100);
    }
  });

  it('compares throughput in interleaved rounds, the ratio taken within the round', async () => {
    const cells = await compareThroughput(clients, { bodies: ['small', 'large'], concurrencies: [1, 4], rounds: 1, durationMs: 30, warmupMs: 10 });
    expect(cells.map((c) => `${c.body}/${c.concurrency}`)).toEqual(['small/1', 'small/4', 'large/1', 'large/4']);
    for (const cell of cells) {
      for (const client of CLIENTS) expect(cell.clients[client].p99).toBeGreaterThanOrEqual(cell.clients[client].p50);
      // With one round each figure is that round's: the ratios follow from the throughputs.
      expect(cell.ratioToGot).toBeCloseTo(cell.clients.runtime.throughput / cell.clients.got.throughput, 9);
      expect(cell.fetchToGot).toBeCloseTo(cell.clients.fetch.throughput / cell.clients.got.throughput, 9);
    }
  });

  it('measures CPU per call for each client, the added cost against got', async () => {
    const cpu = await cpuPerCall(clients, 5, 2);
    expect(Object.keys(cpu.perCall).sort()).toEqual([...CPU_VARIANTS].sort());
    // Two rounds: medians are means, so the median difference is the difference of the medians.
    expect(cpu.addedByRuntime).toBeCloseTo(cpu.perCall.runtime - cpu.perCall.got, 6);
    expect(cpu.addedByTransport).toBeCloseTo(cpu.perCall.transport - cpu.perCall.got, 6);
  });

  it('reads the heap at each checkpoint; growth is the last reading over the baseline', async () => {
    const memory = await heapOverInvocations(clients.calls.runtime.small, 40, 4, 2, 5);
    expect(memory.checkpoints.map((c) => c.invocations)).toEqual([20, 40]);
    expect(memory.growth).toBe(memory.checkpoints[1].heapUsed - memory.baseline);
    expect(memory.slopePerCall).toBe((memory.checkpoints[1].heapUsed - memory.checkpoints[0].heapUsed) / 20);
  });

  it('counts every call of a closed loop and keeps the concurrency asked for', async () => {
    let calls = 0;
    let running = 0;
    let peak = 0;
    const stats = await closedLoop(
      async () => {
        calls++;
        peak = Math.max(peak, ++running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
      },
      3,
      5,
    );
    expect(stats.calls).toBe(calls);
    expect(peak).toBe(3);
  });
});

describe('pagination and token cache benchmarks', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await listenInProcess();
  });
  afterAll(() => server.close());

  it('walks the whole paged list with both pagers; the ratio is taken within the round', async () => {
    const pagers = await createPagingClients(server.url);
    try {
      expect(await pagers.walks.runtime()).toBe(PAGED_TOTAL);
      expect(await pagers.walks.got()).toBe(PAGED_TOTAL);
      const result = await comparePaging(pagers, 1, 1);
      expect(result.recordsPerWalk).toBe(PAGED_TOTAL);
      expect(result.ratioToGot).toBeCloseTo(result.recordsPerSecond.runtime / result.recordsPerSecond.got, 9);
      expect(result.cpuPerRecordUs.runtime).toBeGreaterThan(0);
      expect(result.cpuRatioToGot).toBeCloseTo(result.cpuPerRecordUs.got / result.cpuPerRecordUs.runtime, 9);
    } finally {
      pagers.close();
    }
  });

  it('measures a cached OAuth2 token against a static bearer token', async () => {
    const result = await tokenCacheOverhead(server.url, 20, 2);
    expect(result.oauth2Ns).toBeGreaterThan(0);
    expect(result.bearerNs).toBeGreaterThan(0);
    // Two rounds: the median difference is the difference of the medians.
    expect(result.addedUs).toBeCloseTo((result.oauth2Ns - result.bearerNs) / 1000, 6);
  });
});

describe('load benchmark', () => {
  it('finds the corpus and its largest file', () => {
    expect(corpusFiles()).toHaveLength(164);
    expect(largestCorpusFile()).toMatchObject({ file: expect.stringContaining('datadog'), operations: 170 });
  });

  it('measures loading the Users file', () => {
    const figure = measureLoad('users', [USERS_CAPABILITY], 2);
    expect(figure).toMatchObject({ files: 1, operations: 19 });
    expect(figure.warmMs).toBeGreaterThan(0);
  });

  it('generates a valid capability with the requested number of operations', () => {
    expect(generateCapability(7)).toContain('name: get_thing1');
    const file = writeGeneratedCapability(23);
    try {
      expect(measureLoad('generated', [file.file], 1).operations).toBe(23);
    } finally {
      file.remove();
    }
  });
});

describe('the whole run', () => {
  it('measures everything and reports every figure', async () => {
    const results = await runBench(TINY, () => {}, listenInProcess);
    const report = formatReport(results);
    for (const heading of ['## Targets', '## Serving: MCP against REST', '## Invocation overhead', '### CPU time per call', '## Load cost', '### Naftiko and Ikanos shapes', '## Memory', '## Pagination', '## OAuth2 token cache']) expect(report).toContain(heading);
    expect(results.serving.rest.failures).toBe(0);
    expect(results.serving.mcp.failures).toBe(0);
    // Both adapters answered the same operation within the rounds; the ratio is theirs.
    expect(results.serving.ratio).toBeGreaterThan(0);
    expect(report).toContain('MCP ÷ REST');
    // One round: the ratios are those of the round's processes.
    const { processes } = results.coldStart;
    expect(results.coldStart.runRatio).toBeCloseTo(processes['naftiko run'] / processes.got, 9);
    expect(results.coldStart.helpRatio).toBeCloseTo(processes['naftiko --help'] / processes.node, 9);
    expect(report).toContain('## Cold start');
    // The same operations in both shapes.
    for (const d of results.load.dialects) expect(d.ikanos.operations, d.label).toBe(d.naftiko.operations);
    expect(results.throughput).toHaveLength(4);
    expect(results.load.generated.map((g) => g.operations)).toEqual([10, 40]);
    expect(report).toContain('runtime ÷ got');
  }, 120_000);

  // `npm test` builds first (pretest), so the compiled server is there to fork.
  const compiled = fileURLToPath(new URL('../dist/bench/server.js', import.meta.url));
  it('runs the server in a child process that reports its port', async () => {
    const server = await startBenchServer(compiled);
    try {
      expect(server.pid).not.toBe(process.pid);
      const response = await fetch(`${server.url}/v2/user/x`, { headers: { 'x-vital-api-key': 'wrong' } });
      expect(response.status).toBe(401);
    } finally {
      await server.close();
    }
  });
});

describe('round order', () => {
  it('puts every client right after every other one equally often over a cycle', () => {
    const follows = new Map<string, number>();
    for (let round = 0; round < 6; round++) {
      const order = orderOf(CLIENTS, round);
      for (let i = 1; i < order.length; i++) follows.set(`${order[i - 1]}>${order[i]}`, (follows.get(`${order[i - 1]}>${order[i]}`) ?? 0) + 1);
    }
    expect(follows.size).toBe(6);
    expect(new Set(follows.values())).toEqual(new Set([2]));
  });
});

describe('stats', () => {
  it('takes medians and nearest-rank percentiles', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
  });
});
