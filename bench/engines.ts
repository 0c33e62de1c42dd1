/**
 * Operations as BullMQ jobs against the same operation called directly: the Users file's small-body
 * `get_user` on the bench server, through one naftiko worker on a local redis-server, or through
 * `runtime.invoke` in a closed loop of the same concurrency.
 *
 * - **Latency**: closed loops of N producers, each calling `enqueueAndWait` (one shared QueueEvents) as
 *   soon as its previous job completed, against N callers of `runtime.invoke`, in interleaved rounds;
 *   the worker runs at concurrency N. Added latency is the job's p50 (p99) minus the call's.
 * - **Drain**: a backlog of jobs added in bulk while the worker is paused, then run to the last one:
 *   what one worker gets through when producers are not waiting.
 * - **Redis commands per job**: `INFO commandstats` around the drain, by command: the round trips
 *   that make up the added latency.
 *
 * Everything but the bench server and Redis runs in this process (producers, QueueEvents, worker).
 */
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { createWorker, enqueueAndWait, type NaftikoWorker } from '../runtime/bullmq/index.js';
import { createRuntime, loadCapability, type Capability } from '../runtime/index.js';
import { startRedisServer } from '../test/support/redisServer.js';
import { closedLoop, OPERATIONS, orderOf, summarize, type RunStats } from './invoke.js';
import { USERS_CAPABILITY } from './paths.js';
import { BENCH_API_KEY } from './server.js';
import { markdownTable, median } from './stats.js';

/** Settings of the engines benchmark. */
export interface EngineSettings {
  concurrencies: number[];
  rounds: number;
  /** Length of one closed loop within a round. */
  durationMs: number;
  warmupMs: number;
  /** Jobs in the drained backlog. */
  backlog: number;
}

/** One concurrency: direct calls against jobs, medians over rounds. */
export interface EngineCell {
  concurrency: number;
  direct: RunStats;
  bullmq: RunStats;
  /** Median over rounds of bullmq ÷ direct throughput within the round. */
  ratio: number;
  /** Jobs per second draining the backlog with the worker at this concurrency. */
  drain: number;
  /** Median over rounds of the job's latency percentile minus the call's, in ms. */
  addedP50: number;
  addedP99: number;
}

export interface EngineResult {
  cells: EngineCell[];
  /** Redis commands per job of the drain (adding included), most frequent first. */
  commandsPerJob: Array<{ command: string; perJob: number }>;
  /** Jobs per second `addBulk` stores. */
  addPerSecond: number;
  /** Median round trip of a PING on the loopback connection, in ms. */
  pingMs: number;
  redisVersion: string;
}

/** The commands a BullMQ client sends itself; every other command counted runs inside a Lua script. */
const CLIENT_COMMANDS = new Set(['evalsha', 'eval', 'bzpopmin', 'xread']);

const SMALL = OPERATIONS.small;

/** Runs the engines benchmark against the bench server at `serverUrl`, on a redis-server of its own. */
export async function measureEngines(serverUrl: string, settings: EngineSettings): Promise<EngineResult> {
  const redis = await startRedisServer();
  const connection = { url: redis.url };
  const capability = await loadCapability(USERS_CAPABILITY);
  const runtimeOptions = { baseUri: serverUrl, env: { VITAL_API_KEY: BENCH_API_KEY } };
  const direct = createRuntime(capability, runtimeOptions);
  const admin = new Redis(redis.url);
  const queue = new Queue('bench', { connection });
  const events = new QueueEvents('bench', { connection });
  try {
    await events.waitUntilReady();
    const cells: EngineCell[] = [];
    let commandsPerJob: EngineResult['commandsPerJob'] = [];
    let addPerSecond = 0;
    for (const concurrency of settings.concurrencies) {
      const worker = await startWorker(capability, connection, concurrency, runtimeOptions);
      try {
        const viaJob = async () => (await enqueueAndWait(queue, SMALL.name, SMALL.inputs, { events, attempts: 1, removeOnComplete: true })).result;
        const viaCall = async () => (await direct.invoke(SMALL.name, SMALL.inputs)).result;
        const loops = { direct: viaCall, bullmq: viaJob };
        for (const loop of Object.values(loops)) await closedLoop(loop, concurrency, settings.warmupMs);
        const runs: Record<'direct' | 'bullmq', RunStats[]> = { direct: [], bullmq: [] };
        for (let round = 0; round < settings.rounds; round++) {
          for (const side of orderOf(['direct', 'bullmq'] as const, round)) runs[side].push(await closedLoop(loops[side], concurrency, settings.durationMs));
        }
        const drained = await drain(worker, queue, admin, settings.backlog);
        if (concurrency === settings.concurrencies[settings.concurrencies.length - 1]) ({ commandsPerJob, addPerSecond } = drained);
        cells.push({
          concurrency,
          direct: summarize(runs.direct),
          bullmq: summarize(runs.bullmq),
          ratio: median(runs.bullmq.map((r, i) => r.throughput / runs.direct[i].throughput)),
          drain: drained.jobsPerSecond,
          addedP50: median(runs.bullmq.map((r, i) => r.p50 - runs.direct[i].p50)),
          addedP99: median(runs.bullmq.map((r, i) => r.p99 - runs.direct[i].p99)),
        });
      } finally {
        await worker.close();
      }
    }
    const version = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1] ?? 'unknown';
    return { cells, commandsPerJob, addPerSecond, pingMs: await pingMs(admin), redisVersion: version };
  } finally {
    await events.close();
    await queue.close();
    admin.disconnect();
    direct.close();
    await redis.stop();
  }
}

async function startWorker(capability: Capability, connection: { url: string }, concurrency: number, runtimeOptions: { baseUri: string; env: Record<string, string> }): Promise<NaftikoWorker> {
  const worker = await createWorker({ capabilities: capability, queue: 'bench', connection, concurrency, runtimeOptions });
  await worker.worker.waitUntilReady();
  return worker;
}

/** Adds `jobs` jobs while the worker is paused, then times the worker through them. */
async function drain(worker: NaftikoWorker, queue: Queue, admin: Redis, jobs: number): Promise<{ jobsPerSecond: number; addPerSecond: number; commandsPerJob: EngineResult['commandsPerJob'] }> {
  await worker.worker.pause();
  const before = commandCounts(await admin.info('commandstats'));
  const addStart = performance.now();
  const data = { operation: SMALL.name, inputs: SMALL.inputs };
  for (let added = 0; added < jobs; added += 500) {
    await queue.addBulk(Array.from({ length: Math.min(500, jobs - added) }, () => ({ name: SMALL.name, data, opts: { attempts: 1, removeOnComplete: true } })));
  }
  const addPerSecond = jobs / ((performance.now() - addStart) / 1000);
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    const count = () => {
      if (++done === jobs) {
        worker.worker.off('completed', count);
        resolve();
      }
    };
    worker.worker.on('completed', count);
  });
  const start = performance.now();
  worker.worker.resume();
  await finished;
  const jobsPerSecond = jobs / ((performance.now() - start) / 1000);
  const after = commandCounts(await admin.info('commandstats'));
  const commandsPerJob = Object.entries(after)
    .map(([command, calls]) => ({ command, perJob: (calls - (before[command] ?? 0)) / jobs }))
    // INFO itself, and commands rarer than once per 100 jobs, say nothing about a job.
    .filter((c) => c.command !== 'info' && c.perJob >= 0.01)
    .sort((a, b) => b.perJob - a.perJob);
  return { jobsPerSecond, addPerSecond, commandsPerJob };
}

/** The median of 500 sequential PINGs: what one round trip to Redis costs here. */
async function pingMs(admin: Redis): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 500; i++) {
    const start = performance.now();
    await admin.ping();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** `cmdstat_evalsha:calls=12,…` lines as `{ evalsha: 12 }`. */
function commandCounts(info: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts[match[1]] = Number(match[2]);
  return counts;
}

/** The report's section: tables, then where the added time goes. */
export function formatEngines(r: EngineResult, settings: EngineSettings): string[] {
  const out: string[] = [];
  const table = (header: string[], rows: string[][]) => out.push(...markdownTable(header, rows));
  const ms = (value: number) => value.toFixed(value < 10 ? 3 : 1);
  const sent = r.commandsPerJob.filter((c) => CLIENT_COMMANDS.has(c.command));
  const scripted = r.commandsPerJob.filter((c) => !CLIENT_COMMANDS.has(c.command));
  const sum = (list: EngineResult['commandsPerJob']) => list.reduce((total, c) => total + c.perJob, 0);
  const list = (commands: EngineResult['commandsPerJob']) => commands.map((c) => `${c.command} ${c.perJob.toFixed(2)}`).join(', ');
  const one = r.cells.find((c) => c.concurrency === 1);
  const many = r.cells.at(-1);
  out.push('## Operations as BullMQ jobs', '');
  out.push(
    `The small-body \`get_user\` of the Users file, through one naftiko worker (\`createWorker\`) on a local redis-server ${r.redisVersion}, against \`runtime.invoke\` on the same bench server. Latency: closed loops of N producers each calling \`enqueueAndWait\` (one shared QueueEvents, \`removeOnComplete\`) as soon as their previous job completed, the worker at concurrency N, against N callers of \`runtime.invoke\`; ${settings.rounds} interleaved rounds of ${settings.durationMs} ms each, medians over rounds; added latency is the median over rounds of (job − call) at each percentile. Drain: ${settings.backlog.toLocaleString('en-US')} jobs added in bulk while the worker was paused, then timed to the last completion. Producers, QueueEvents and worker share this process; Redis and the bench server are processes of their own, all on 2 cores.`,
    '',
  );
  table(
    ['concurrency', 'path', 'per s', 'p50 ms', 'p99 ms', 'job ÷ call'],
    r.cells.flatMap((c) => [
      [String(c.concurrency), '`runtime.invoke`', c.direct.throughput.toFixed(0), ms(c.direct.p50), ms(c.direct.p99), ''],
      [String(c.concurrency), 'job: `enqueueAndWait` → worker', c.bullmq.throughput.toFixed(0), ms(c.bullmq.p50), ms(c.bullmq.p99), `**${c.ratio.toFixed(3)}**`],
    ]),
  );
  table(
    ['worker concurrency', 'drain, jobs/s', 'added latency per job, p50', 'added latency per job, p99'],
    r.cells.map((c) => [String(c.concurrency), c.drain.toFixed(0), `${ms(c.addedP50)} ms`, `${ms(c.addedP99)} ms`]),
  );
  out.push(
    `Adding: \`addBulk\` stores ${r.addPerSecond.toFixed(0)} jobs/s. A PING round trip to Redis takes ${ms(r.pingMs)} ms (median of 500). Redis commands per job over the drain at concurrency ${many?.concurrency} (adding included): sent by the clients, ${list(sent)}; run inside those scripts, ${sum(scripted).toFixed(1)} more (${list(scripted)}).`,
    '',
  );
  out.push(
    '### Where the time goes',
    '',
    'A direct call is one HTTP exchange. A job wraps the same exchange in Redis round trips, each a Lua script (`evalsha`) or a blocking read that has to wake up:',
    '',
    '1. **Adding** (`queue.add`, one `evalsha`): the job hash, its id on the wait list, a marker for blocked workers, an `added` entry on the events stream.',
    "2. **Taking**: an idle worker is blocked on `bzpopmin` of the marker; it wakes and runs `moveToActive` (one `evalsha`: job to active, lock taken). A busy worker skips both: the next job comes back with the previous job's completion, which is why the drain sends about two scripts per job, one to add and one to complete.",
    '3. **The call**: what `runtime.invoke` costs directly.',
    '4. **Completing** (`moveToFinished`, one `evalsha`): return value stored, lock released, job removed (`removeOnComplete`), a `completed` entry on the events stream, the next job fetched.',
    "5. **Hearing of it**: the QueueEvents connection is blocked on `xread` of the events stream; it wakes with the entry, and the producer's promise resolves. (`enqueueAndWait` also reads the job once right after adding it, in parallel, in case it ended before the listener was there.)",
    '',
    `At concurrency 1 a job waits on these in sequence: three scripts and two wake-ups, about four round trips, ${ms(4 * r.pingMs)} ms at the measured PING${one ? `, of the ${ms(one.addedP50)} ms added at the median` : ''}. The rest is work on both sides of each round trip: Redis running a script of ${(sum(scripted) / 2).toFixed(0)} or so commands, and in this process, which runs producer, QueueEvents and worker on one event loop, the encoding and parsing of each reply and a turn of the event loop before the next step can start. Lock renewal (\`extendLocks\`) runs per worker every half lock duration, not per job. At concurrency ${many?.concurrency} the added latency is mostly waiting in line: Redis runs the scripts of all jobs one after the other on one thread, and Redis, the bench server and this process share 2 cores, so throughput is bounded by CPU per job (about ${(sum(scripted) + sum(sent)).toFixed(0)} Redis commands, the JSON of job data and return values, the events stream) rather than by round trips. The drain shows what one worker sustains when no producer waits on each job; more workers, on more cores or machines, add to it until Redis's one thread is the limit.`,
    '',
  );
  return out;
}
