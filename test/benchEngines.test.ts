/**
 * Proves the engines benchmark works, with a few jobs: it asserts what was measured and that the
 * figures are sane, never how fast anything is.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatEngines, measureEngines, type EngineSettings } from '../bench/engines.js';
import { listenInProcess, type RunningServer } from '../bench/server.js';
import { SKIP_REDIS } from './support/redisServer.js';

const TINY: EngineSettings = { concurrencies: [1, 4], rounds: 2, durationMs: 100, warmupMs: 30, backlog: 40 };

describe.skipIf(SKIP_REDIS)('engines benchmark', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await listenInProcess();
  });
  afterAll(() => server?.close());

  test('measures jobs against direct calls at each concurrency, and the Redis commands of a job', async () => {
    const result = await measureEngines(server.url, TINY);
    expect(result.cells.map((c) => c.concurrency)).toEqual([1, 4]);
    for (const cell of result.cells) {
      expect(cell.direct.calls).toBeGreaterThan(0);
      expect(cell.bullmq.calls).toBeGreaterThan(0);
      expect(cell.drain).toBeGreaterThan(0);
      expect(cell.bullmq.p99).toBeGreaterThanOrEqual(cell.bullmq.p50);
      // Two rounds: medians are means, so the median of differences is the difference of the medians.
      expect(cell.addedP50).toBeCloseTo(cell.bullmq.p50 - cell.direct.p50, 6);
    }
    // Adding and completing a job are Lua scripts: at least two per job.
    expect(result.commandsPerJob.find((c) => c.command === 'evalsha')?.perJob).toBeGreaterThanOrEqual(2);
    expect(result.redisVersion).toMatch(/^\d+\.\d+/);
    expect(result.pingMs).toBeGreaterThan(0);
    const report = formatEngines(result, TINY).join('\n');
    for (const text of ['## Operations as BullMQ jobs', '### Where the time goes', 'job ÷ call', 'added latency per job, p50']) expect(report).toContain(text);
  }, 60_000);
});
