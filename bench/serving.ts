/**
 * Serving throughput: the same consumed operation (`GET /v2/user/{id}` on the bench server) exposed
 * by `naftiko serve` over REST and as an MCP tool (`bench/users-exposed.yaml`), loaded by autocannon
 * from this process with many concurrent connections. The MCP side is the call Ikanos' CI makes: a
 * `tools/call` POSTed to the server root on protocol revision 2026-07-28, no initialize.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { CLI, ROOT } from './paths.js';
import { BENCH_API_KEY, BENCH_USER_ID } from './server.js';
import { orderOf } from './invoke.js';
import { median } from './stats.js';

/** The capability served: one consumed operation, one REST route and one MCP tool over it. */
export const EXPOSED_CAPABILITY = join(ROOT, 'bench', 'users-exposed.yaml');

/** Settings of {@link compareServing}. */
export interface ServingSettings {
  /** Concurrent connections of the load generator. */
  connections: number;
  /** Length of each measured run. */
  durationMs: number;
  /** Unmeasured load on each adapter before the rounds (JIT, connection setup). */
  warmupMs: number;
  /** Interleaved rounds: REST then MCP, then MCP then REST, and so on. */
  rounds: number;
}

/** One adapter's figures, medians over rounds. */
export interface AdapterFigures {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Connection errors, timeouts, non-2xx and wrong bodies over every round. */
  failures: number;
}

/** What {@link compareServing} measured. */
export interface ServingResult {
  settings: ServingSettings;
  rest: AdapterFigures;
  mcp: AdapterFigures;
  /** MCP requests/s ÷ REST requests/s within each round, median over rounds. */
  ratio: number;
}

/** The JSON-RPC request of one MCP call, as Ikanos' CI sends it. */
export function mcpCall(userId: string = BENCH_USER_ID): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'get-user',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name: 'get-user',
        arguments: { user_id: userId },
        _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} },
      },
    }),
  };
}

/** A running `naftiko serve` of {@link EXPOSED_CAPABILITY}. */
interface Served {
  rest: string;
  mcp: string;
  close(): Promise<void>;
}

/** Starts `naftiko serve` (the built CLI) in a child process, every call sent to `upstream`. */
export async function serveExposed(upstream: string): Promise<Served> {
  const child = spawn(process.execPath, [CLI, 'serve', EXPOSED_CAPABILITY, '--port', '0', '--address', '127.0.0.1', '--base-uri', upstream], {
    env: { ...process.env, VITAL_API_KEY: BENCH_API_KEY },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const urls = await new Promise<{ rest: string; mcp: string }>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const rest = /rest 'users-rest' listening on (\S+)/.exec(stderr)?.[1];
      const mcp = /mcp 'users-mcp' listening on (\S+)/.exec(stderr)?.[1];
      if (rest && mcp) resolve({ rest, mcp });
    });
    child.once('exit', (code) => reject(new Error(`naftiko serve exited with ${code}: ${stderr}`)));
  });
  child.removeAllListeners('exit');
  return { ...urls, close: () => stop(child) };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The load of one adapter: what autocannon sends, and how a right answer is recognised. */
interface Target {
  options: { url: string; method?: string; headers?: Record<string, string>; body?: string };
  check(body: string): boolean;
}

/**
 * The two targets, checked once before anything is measured: both must answer the same user, so
 * that the comparison is between adapters and not between amounts of work.
 */
async function targets(served: Served): Promise<{ rest: Target; mcp: Target }> {
  const restUrl = `${served.rest}/users/${BENCH_USER_ID}`;
  const call = mcpCall();
  const restBody = await (await fetch(restUrl)).json();
  const mcpAnswer = (await (await fetch(served.mcp, { method: 'POST', headers: call.headers, body: call.body })).json()) as { result?: { isError?: boolean; structuredContent?: unknown } };
  if (!mcpAnswer.result || mcpAnswer.result.isError || JSON.stringify(mcpAnswer.result.structuredContent) !== JSON.stringify(restBody)) {
    throw new Error(`REST and MCP do not answer the same: ${JSON.stringify(restBody)} vs ${JSON.stringify(mcpAnswer)}`);
  }
  return {
    rest: { options: { url: restUrl }, check: (body) => body.includes(BENCH_USER_ID) },
    mcp: { options: { url: served.mcp, method: 'POST', headers: call.headers, body: call.body }, check: (body) => body.includes(BENCH_USER_ID) && !body.includes('"isError":true') },
  };
}

interface Run {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  failures: number;
}

async function load(target: Target, connections: number, durationMs: number): Promise<Run> {
  const result = await autocannon({ ...target.options, connections, duration: durationMs / 1000, timeout: 30, verifyBody: target.check });
  await drained(target);
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.non2xx + result.mismatches,
  };
}

/**
 * Resolves once the server has worked through what the load left queued: when a run ends, requests
 * of connections that autocannon dropped may still be in the server, and the next run would pay for them.
 */
async function drained(target: Target): Promise<void> {
  const { url, method, headers, body } = target.options;
  const response = await fetch(url, { method: method ?? 'GET', ...(headers ? { headers } : {}), ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(120_000) });
  await response.arrayBuffer();
}

/** Runs the comparison against a bench server at `upstream`. */
export async function compareServing(upstream: string, settings: ServingSettings, log: (line: string) => void = () => {}): Promise<ServingResult> {
  const served = await serveExposed(upstream);
  try {
    const { rest, mcp } = await targets(served);
    await load(rest, settings.connections, settings.warmupMs);
    await load(mcp, settings.connections, settings.warmupMs);
    const runs: Array<{ rest: Run; mcp: Run }> = [];
    for (let round = 0; round < settings.rounds; round++) {
      log(`  round ${round + 1}/${settings.rounds}`);
      const run: Partial<Record<'rest' | 'mcp', Run>> = {};
      for (const side of orderOf(['rest', 'mcp'] as const, round)) run[side] = await load(side === 'rest' ? rest : mcp, settings.connections, settings.durationMs);
      runs.push(run as { rest: Run; mcp: Run });
    }
    const figures = (side: 'rest' | 'mcp'): AdapterFigures => ({
      requestsPerSecond: median(runs.map((r) => r[side].requestsPerSecond)),
      p50: median(runs.map((r) => r[side].p50)),
      p99: median(runs.map((r) => r[side].p99)),
      failures: runs.reduce((sum, r) => sum + r[side].failures, 0),
    });
    return { settings, rest: figures('rest'), mcp: figures('mcp'), ratio: median(runs.map((r) => r.mcp.requestsPerSecond / r.rest.requestsPerSecond)) };
  } finally {
    await served.close();
  }
}
