/**
 * `npm run bench`: load cost, cold start as whole processes, serving throughput of MCP against REST,
 * invocation overhead against raw got and fetch, CPU per call, heap over 100,000 invocations, records
 * per second through `runtime.items` against a got pager, the cost of the OAuth2 token cache per call,
 * and operations as BullMQ jobs against direct calls. Prints the report and writes it to
 * bench/results.md.
 *
 * Order matters: loading runs first so that the Users file's first load is a cold one (validator
 * module, JIT), and the memory run comes last so that it starts from a warm, settled heap.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { COLD_VARIANTS, measureColdStart, type ColdStartResult } from './coldStart.js';
import { formatEngines, measureEngines, type EngineResult, type EngineSettings } from './engines.js';
import { CLIENTS, compareThroughput, CPU_VARIANTS, cpuPerCall, createClients, type CellResult, type CpuResult } from './invoke.js';
import { measureDialects, type DialectLoad } from './dialects.js';
import { corpusFiles, largestCorpusFile, measureLoad, writeGeneratedCapability, type LoadFigure } from './load.js';
import { heapOverInvocations, type MemoryResult } from './memory.js';
import { comparePaging, createPagingClients, type PagingResult } from './paging.js';
import { tokenCacheOverhead, type TokenCacheResult } from './tokenCache.js';
import { ROOT, USERS_CAPABILITY } from './paths.js';
import { BODIES, PAGE_SIZE, PAGED_TOTAL, startBenchServer, type RunningServer } from './server.js';
import { compareServing, type ServingResult, type ServingSettings } from './serving.js';
import { markdownTable } from './stats.js';

/** A generated capability to load: its size, and how many warm loads to take the median of. */
export interface GeneratedLoad {
  operations: number;
  repeats: number;
}

/** Settings of a full run; `npm run bench` uses {@link FULL}. */
export interface BenchSettings {
  load: { usersRepeats: number; largestRepeats: number; corpusRepeats: number; generated: [GeneratedLoad, GeneratedLoad]; dialectRepeats: number };
  throughput: { rounds: number; durationMs: number; warmupMs: number; concurrencies: number[] };
  cpu: { calls: number; rounds: number };
  memory: { invocations: number; concurrency: number; checkpoints: number; warmup: number };
  serving: ServingSettings;
  coldStart: { rounds: number };
  /** Walks of the whole paged list per client per round. */
  paging: { rounds: number; walks: number };
  tokenCache: { calls: number; rounds: number };
  /** BullMQ jobs against direct calls; skipped when absent (it needs redis-server). */
  engines?: EngineSettings;
}

/** The full run: about five minutes on the 2-core machine. */
export const FULL: BenchSettings = {
  load: { usersRepeats: 50, largestRepeats: 10, corpusRepeats: 5, generated: [{ operations: 500, repeats: 20 }, { operations: 5000, repeats: 5 }], dialectRepeats: 10 },
  throughput: { rounds: 6, durationMs: 500, warmupMs: 300, concurrencies: [1, 64] },
  cpu: { calls: 25, rounds: 200 },
  memory: { invocations: 100_000, concurrency: 64, checkpoints: 4, warmup: 5_000 },
  serving: { connections: 2000, durationMs: 10_000, warmupMs: 3000, rounds: 3 },
  coldStart: { rounds: 15 },
  paging: { rounds: 20, walks: 3 },
  tokenCache: { calls: 2_000, rounds: 50 },
  engines: { concurrencies: [1, 32], rounds: 4, durationMs: 1000, warmupMs: 300, backlog: 3000 },
};

/** Everything one run measured. */
export interface BenchResults {
  settings: BenchSettings;
  machine: Record<string, string>;
  load: { users: LoadFigure; largest: LoadFigure; corpus: LoadFigure; generated: LoadFigure[]; dialects: DialectLoad[] };
  throughput: CellResult[];
  cpu: CpuResult;
  memory: MemoryResult;
  serving: ServingResult;
  coldStart: ColdStartResult;
  paging: PagingResult;
  tokenCache: TokenCacheResult;
  engines?: EngineResult;
  seconds: number;
}

/**
 * Runs every benchmark with `settings`; `log` is told what is running. `start` starts the HTTP server:
 * by default a child process running the compiled server module.
 */
export async function runBench(settings: BenchSettings, log: (line: string) => void = () => {}, start: () => Promise<RunningServer> = startBenchServer): Promise<BenchResults> {
  const started = performance.now();
  const loadBefore = os.loadavg();

  log('loading capabilities…');
  const users = measureLoad('capabilities/vital-users.yaml', [USERS_CAPABILITY], settings.load.usersRepeats);
  const big = largestCorpusFile();
  const largest = measureLoad(big.file.slice(big.file.indexOf('corpus/') + 'corpus/'.length), [big.file], settings.load.largestRepeats);
  const corpus = measureLoad('whole corpus', corpusFiles(), settings.load.corpusRepeats);
  const generated = settings.load.generated.map(({ operations, repeats }) => {
    const file = writeGeneratedCapability(operations);
    try {
      return measureLoad(`generated, ${operations} operations (${(file.bytes / 1024).toFixed(0)} KiB)`, [file.file], repeats);
    } finally {
      file.remove();
    }
  });

  log('loading the same capabilities in both shapes…');
  const dialects = measureDialects(settings.load.dialectRepeats);

  const server = await start();
  try {
    log('cold start, as whole processes…');
    const coldStart = await measureColdStart(server.url, settings.coldStart.rounds);
    log(`serving: MCP tools/call against REST, ${settings.serving.connections} connections…`);
    const serving = await compareServing(server.url, settings.serving, log);
    const clients = await createClients(server.url);
    try {
      log('throughput and latency, interleaved rounds…');
      const throughput = await compareThroughput(clients, { bodies: ['small', 'large'], concurrencies: settings.throughput.concurrencies, rounds: settings.throughput.rounds, durationMs: settings.throughput.durationMs, warmupMs: settings.throughput.warmupMs });
      log('CPU time per call…');
      const cpu = await cpuPerCall(clients, settings.cpu.calls, settings.cpu.rounds);
      log(`heap over ${settings.memory.invocations} invocations…`);
      const memory = await heapOverInvocations(clients.calls.runtime.small, settings.memory.invocations, settings.memory.concurrency, settings.memory.checkpoints, settings.memory.warmup);
      log('records per second through runtime.items…');
      const pagers = await createPagingClients(server.url);
      let paging: PagingResult;
      try {
        paging = await comparePaging(pagers, settings.paging.rounds, settings.paging.walks);
      } finally {
        pagers.close();
      }
      log('OAuth2 token cache per call…');
      const tokenCache = await tokenCacheOverhead(server.url, settings.tokenCache.calls, settings.tokenCache.rounds);
      if (settings.engines) log('BullMQ jobs against direct calls…');
      const engines = settings.engines ? await measureEngines(server.url, settings.engines) : undefined;
      const loadAfter = os.loadavg();
      return {
        settings,
        machine: machine(loadBefore, loadAfter),
        load: { users, largest, corpus, generated, dialects },
        throughput,
        cpu,
        memory,
        serving,
        coldStart,
        paging,
        tokenCache,
        ...(engines ? { engines } : {}),
        seconds: (performance.now() - started) / 1000,
      };
    } finally {
      clients.close();
    }
  } finally {
    await server.close();
  }
}

function machine(before: number[], after: number[]): Record<string, string> {
  const cpus = os.cpus();
  return {
    cpu: `${cpus[0]?.model ?? 'unknown'} × ${cpus.length}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    'load average (1 min) before / after': `${before[0].toFixed(2)} / ${after[0].toFixed(2)}`,
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  };
}

/** Targets of issue 4, each checked against a run. */
interface Verdict {
  target: string;
  measured: string;
  met: boolean;
}

function verdicts(r: BenchResults): Verdict[] {
  const [g500, g5000] = r.load.generated;
  const perOp = (f: LoadFigure) => (f.warmMs * 1000) / f.operations;
  const linear = perOp(g5000) / perOp(g500);
  const list: Verdict[] = [];
  for (const cell of r.throughput) {
    list.push({ target: `throughput ≥ 0.95 × raw got, ${cell.body} body, concurrency ${cell.concurrency}`, measured: cell.ratioToGot.toFixed(3), met: cell.ratioToGot >= 0.95 });
  }
  list.push(
    { target: 'CPU added per call ≤ 25 µs (small body)', measured: `${r.cpu.addedByRuntime.toFixed(1)} µs`, met: r.cpu.addedByRuntime <= 25 },
    { target: 'Users file loads in ≤ 10 ms warm', measured: `${r.load.users.warmMs.toFixed(2)} ms`, met: r.load.users.warmMs <= 10 },
    { target: 'whole corpus loads in ≤ 1 s', measured: `${r.load.corpus.warmMs.toFixed(0)} ms`, met: r.load.corpus.warmMs <= 1000 },
    { target: '5,000 operations load in ≤ 500 ms', measured: `${g5000.warmMs.toFixed(0)} ms`, met: g5000.warmMs <= 500 },
    { target: 'load time linear in operations (per-op at 5,000 ÷ per-op at 500 ≤ 1.25)', measured: linear.toFixed(2), met: linear <= 1.25 },
    {
      target: `MCP tools/call (2026-07-28) throughput ≥ 0.8 × REST on the same operation, ${r.serving.settings.connections} connections`,
      measured: r.serving.ratio.toFixed(3),
      met: r.serving.ratio >= 0.8,
    },
    { target: 'cold `naftiko run` (one call) ≤ 1.2 × a got script making the same call', measured: r.coldStart.runRatio.toFixed(2), met: r.coldStart.runRatio <= 1.2 },
    { target: '`naftiko --help` ≤ 1.5 × an empty Node start', measured: r.coldStart.helpRatio.toFixed(2), met: r.coldStart.helpRatio <= 1.5 },
    { target: 'first load of the Users file in a fresh process ≤ 20 ms (validation cache warm)', measured: `${r.coldStart.firstLoadMs.cached.toFixed(1)} ms`, met: r.coldStart.firstLoadMs.cached <= 20 },
    { target: 'heap flat over 100,000 invocations (growth ≤ 1 MiB, ≤ 10 B per call)', measured: `${kib(r.memory.growth)}, ${r.memory.slopePerCall.toFixed(2)} B/call`, met: Math.abs(r.memory.growth) <= 2 ** 20 && r.memory.slopePerCall <= 10 },
    { target: 'records/s through runtime.items ≥ 0.95 × a raw got pager (issue 9)', measured: r.paging.ratioToGot.toFixed(3), met: r.paging.ratioToGot >= 0.95 },
    { target: 'OAuth2 token cache ≤ 5 µs per call (issue 9)', measured: `${r.tokenCache.addedUs.toFixed(2)} µs`, met: r.tokenCache.addedUs <= 5 },
  );
  return list;
}

function kib(bytes: number): string {
  return `${bytes < 0 ? '−' : ''}${Math.abs(bytes / 1024).toFixed(0)} KiB`;
}

function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(0);
}

/** The report as Markdown: what `npm run bench` prints and bench/results.md holds. */
export function formatReport(r: BenchResults): string {
  const out: string[] = [];
  const table = (header: string[], rows: string[][]) => out.push(...markdownTable(header, rows));
  out.push('# Benchmark results', '', 'Written by `npm run bench` (bench/run.ts); every figure below is from the run described here.', '');
  table(['machine', ''], Object.entries(r.machine));

  out.push('## Targets', '');
  table(['target', 'measured', 'met'], verdicts(r).map((v) => [v.target, v.measured, v.met ? 'yes' : '**no**']));

  out.push('## Serving: MCP against REST', '');
  const { serving } = r;
  out.push(
    `\`naftiko serve bench/users-exposed.yaml\` in its own process: one REST route and one MCP tool over the same consumed operation (\`GET /v2/user/{id}\` on the bench server, three mapped outputs), both answering the same JSON. The MCP request is the call Ikanos' CI makes: \`tools/call\` POSTed to the server root on protocol revision 2026-07-28 (\`MCP-Protocol-Version\`, \`Mcp-Method\`, \`Mcp-Name\` headers, \`_meta\`), no initialize. autocannon in the bench process, ${serving.settings.connections} connections, ${serving.settings.rounds} rounds of ${serving.settings.durationMs / 1000} s per adapter alternating which goes first, after ${serving.settings.warmupMs / 1000} s of warm-up each, and after each run a wait until the server has answered what the load left queued; medians over rounds, the ratio taken within each round.`,
    '',
  );
  table(
    ['adapter', 'requests/s', 'p50 ms', 'p99 ms', 'failed requests'],
    (['rest', 'mcp'] as const).map((side) => [side === 'rest' ? 'REST' : 'MCP', serving[side].requestsPerSecond.toFixed(0), serving[side].p50.toFixed(0), serving[side].p99.toFixed(0), String(serving[side].failures)]),
  );
  out.push(`MCP ÷ REST: **${serving.ratio.toFixed(3)}**.`, '');

  out.push('## Cold start', '');
  const { coldStart } = r;
  out.push(
    `Whole processes, from spawn to exit, ${coldStart.rounds} rounds in rotating order, medians: an empty Node start, a script making the same \`GET /v2/user/{id}\` with got and printing the user, and \`naftiko run capabilities/vital-users.yaml get_user_v2_user__user_id__get\` against the bench server with the validation cache warm (every run after the first) and empty (the first run on a machine). \`naftiko\` runs the bundled command (\`dist/cli/\`).`,
    '',
  );
  table(
    ['process', 'ms', '÷ node'],
    COLD_VARIANTS.map((v) => [v, coldStart.processes[v].toFixed(0), (coldStart.processes[v] / coldStart.processes.node).toFixed(2)]),
  );
  out.push(
    `naftiko run ÷ got: **${coldStart.runRatio.toFixed(2)}**; naftiko --help ÷ node: **${coldStart.helpRatio.toFixed(2)}**.`,
    '',
    `Inside a fresh process: \`import('naftiko-runtime')\` takes ${coldStart.importMs.toFixed(1)} ms; the first \`loadCapability\` of the Users file ${coldStart.firstLoadMs.cached.toFixed(1)} ms with the validation cache warm, ${coldStart.firstLoadMs.uncached.toFixed(1)} ms without (loading the precompiled schema validator).`,
    '',
  );

  out.push('## Invocation overhead', '');
  out.push(
    `Small body: \`GET /v2/user/{id}\`, ${BODIES.small.length} bytes of JSON. Large body: \`GET /v2/user?offset=0&limit=100\`, ${(BODIES.large.length / 1024).toFixed(0)} KiB.`,
    `Closed loop: each of N workers sends its next call when the previous one completes. ${r.throughput[0]?.rounds} rounds; in each round runtime, got and fetch run once each (${r.settings.throughput.durationMs} ms each), in an order that cycles through all six permutations so that each client runs after each other one equally often. Figures are medians over rounds; the ratio is runtime ÷ got taken within each round, then the median.`,
    '',
  );
  table(
    ['body', 'concurrency', 'client', 'calls/s', 'p50 ms', 'p99 ms', 'runtime ÷ got'],
    r.throughput.flatMap((cell) =>
      CLIENTS.map((client) => {
        const s = cell.clients[client];
        const ratio = client === 'runtime' ? `**${cell.ratioToGot.toFixed(3)}**` : client === 'fetch' ? `(fetch ÷ got ${cell.fetchToGot.toFixed(3)})` : '';
        return [cell.body, String(cell.concurrency), client, s.throughput.toFixed(0), s.p50.toFixed(3), s.p99.toFixed(3), ratio];
      }),
    ),
  );

  out.push('### CPU time per call', '');
  out.push(
    `\`process.cpuUsage()\` (user + system, every thread of the client process) over ${r.cpu.callsPerRound} sequential calls of the small body, in ${r.cpu.rounds} interleaved rounds ordered as above; medians. The server is another process, so this is the client's work alone.`,
    '',
  );
  table(
    ['variant', 'CPU µs per call'],
    CPU_VARIANTS.map((c) => [c === 'transport' ? "transport (the runtime's HTTP client alone, request built once)" : c, r.cpu.perCall[c].toFixed(1)]),
  );
  const { addedByRuntime, addedByTransport } = r.cpu;
  out.push(
    `Added by the runtime over raw got (median of per-round differences): **${addedByRuntime.toFixed(1)} µs** per call (${((addedByRuntime / r.cpu.perCall.got) * 100).toFixed(1)} % of got's own). Of that, the transport (deadline timer, size-cap listener, retry loop, response record) accounts for ${addedByTransport.toFixed(1)} µs and the declarative part (lookup, input checks, request building from the plan, secret, parsing, outputs, result) for the remaining ${(addedByRuntime - addedByTransport).toFixed(1)} µs.`,
    '',
  );

  out.push('## Load cost', '');
  out.push('Read + YAML parse with positions + schema validation + compilation of every operation. "first" is the first load of that input in the process (the Users file goes first, so its figure includes loading the precompiled schema validator and a cold JIT); "warm" is the median of the repeats. Retained heap: `heapUsed` held by the result of one load, between two full GCs (several loads held at once for the small files).', '');
  const loads = [r.load.users, r.load.largest, r.load.corpus, ...r.load.generated];
  table(
    ['input', 'files', 'operations', 'first ms', 'warm ms', 'µs per operation (warm)', 'retained heap'],
    loads.map((f) => [f.label, String(f.files), String(f.operations), ms(f.firstMs), ms(f.warmMs), ((f.warmMs * 1000) / f.operations).toFixed(1), kib(f.retainedBytes)]),
  );
  const [g500, g5000] = r.load.generated;
  out.push(
    `Per operation: ${((g500.warmMs * 1000) / g500.operations).toFixed(1)} µs at ${g500.operations}, ${((g5000.warmMs * 1000) / g5000.operations).toFixed(1)} µs at ${g5000.operations} (ratio ${((g5000.warmMs / g5000.operations) / (g500.warmMs / g500.operations)).toFixed(2)}; 1.00 is perfectly linear).`,
    '',
  );

  out.push('### Naftiko and Ikanos shapes', '');
  out.push(
    "The same capabilities in Naftiko's array shape (validated as they are) and Ikanos' map shape (checked against the official 1.0.0-beta5 schema, then normalized into the same model). The tutorial is upstream's own, in both versions; the other inputs are converted with `naftiko convert`. The first Ikanos load of the process includes loading the official schema's precompiled validator, which a process that reads only Naftiko files never loads.",
    '',
  );
  table(
    ['input', 'files', 'operations', 'Naftiko warm ms', 'Ikanos first ms', 'Ikanos warm ms', 'Ikanos ÷ Naftiko (warm)'],
    r.load.dialects.map((d) => [d.label, `${d.naftiko.files} / ${d.ikanos.files}`, String(d.naftiko.operations), ms(d.naftiko.warmMs), ms(d.ikanos.firstMs), ms(d.ikanos.warmMs), (d.ikanos.warmMs / d.naftiko.warmMs).toFixed(2)]),
  );

  out.push('## Memory', '');
  out.push(`\`heapUsed\` after a full GC, ${r.memory.invocations.toLocaleString('en-US')} invocations of the small body at concurrency ${r.memory.concurrency}, after ${r.settings.memory.warmup.toLocaleString('en-US')} warm-up calls.`, '');
  table(
    ['after invocations', 'heapUsed', 'change from baseline'],
    [['0 (baseline)', kib(r.memory.baseline), ''], ...r.memory.checkpoints.map((c) => [c.invocations.toLocaleString('en-US'), kib(c.heapUsed), kib(c.heapUsed - r.memory.baseline)])],
  );
  out.push(`Growth: ${kib(r.memory.growth)} over the run; slope over the second half ${r.memory.slopePerCall.toFixed(2)} bytes per invocation.`, '');

  out.push('## Pagination', '');
  out.push(
    `Every record of \`GET /v2/paged-users\`: ${PAGED_TOTAL.toLocaleString('en-US')} users in pages of ${PAGE_SIZE} (~100 KB each), walked sequentially. runtime: \`for await (const user of runtime.items('list-users'))\` on bench/capabilities/paged-users.yaml (offset pagination, \`total: $.total\`); got: the hand-written loop (URL from the offset, got, \`JSON.parse\`, offset += records, stop at \`total\`). ${r.paging.rounds} rounds of ${r.paging.walksPerRound} walks per client, alternating which goes first; medians, the ratio taken within each round.`,
    '',
  );
  table(
    ['client', 'records/s', 'runtime ÷ got', 'CPU µs per record', 'records per CPU second, runtime ÷ got'],
    [
      ['runtime.items', r.paging.recordsPerSecond.runtime.toFixed(0), `**${r.paging.ratioToGot.toFixed(3)}**`, r.paging.cpuPerRecordUs.runtime.toFixed(2), `**${r.paging.cpuRatioToGot.toFixed(3)}**`],
      ['got pager', r.paging.recordsPerSecond.got.toFixed(0), '', r.paging.cpuPerRecordUs.got.toFixed(2), ''],
    ],
  );
  out.push(
    'The CPU columns count this process only (user + system time while each client walks), so they show what the runtime itself adds per record, which the wall-clock ratio mixes with the bench server and the other tenants of the machine sharing the same two CPUs.',
    '',
  );

  out.push('## OAuth2 token cache', '');
  out.push(
    `The same request built from its plan ${r.tokenCache.callsPerRound.toLocaleString('en-US')} times in a row, with a static bearer token and with OAuth2 client credentials whose token is cached (token request resolved from its templates, cache lookup, the token awaited and put in \`Authorization\`); nothing sent. ${r.tokenCache.rounds} interleaved rounds; medians.`,
    '',
  );
  table(
    ['authorization', 'ns per call'],
    [
      ['bearer (static token)', r.tokenCache.bearerNs.toFixed(0)],
      ['oauth2 (cached token)', r.tokenCache.oauth2Ns.toFixed(0)],
    ],
  );
  out.push(`Added by the token cache: **${r.tokenCache.addedUs.toFixed(2)} µs** per call (median of per-round differences).`, '');
  if (r.engines && r.settings.engines) out.push(...formatEngines(r.engines, r.settings.engines));
  out.push(`Total bench time: ${r.seconds.toFixed(0)} s (plus the build).`, '');
  return out.join('\n');
}

async function main(): Promise<void> {
  const results = await runBench(FULL, (line) => process.stderr.write(`${line}\n`));
  const report = formatReport(results);
  process.stdout.write(`${report}\n`);
  const file = join(ROOT, 'bench', 'results.md');
  writeFileSync(file, `${report}\n${NOTES}`);
  process.stderr.write(`written to ${file}\n`);
}

/** Method, caveats and the history of the optimisations: true of every run, so kept with the code. */
const NOTES = `## How it is measured

- **Same request on all sides.** The bench server is a separate Node process (\`child_process.fork\`, port 0 on 127.0.0.1, keep-alive, bodies serialised once at start), so the client's CPU time and heap are the client's alone. Before measuring, \`createClients\` checks that the runtime's request (\`runtime.prepare\`) has the same URL and the same header names, in the same order, as the baselines', and that every client gets the expected body.
- **runtime**: \`runtime.invoke(name, inputs)\` on the real \`capabilities/vital-users.yaml\`, \`baseUri\` pointing at the bench server and \`VITAL_API_KEY\` from the environment given to the runtime: operation lookup, input checks, URL and headers from the compiled plan, the secret, got with the runtime's deadline, size cap and status handling, \`JSON.parse\` of the body, the \`$.\` output.
- **got**: what a hand-written client does per call: the URL from the inputs (\`encodeURIComponent\` of the user id, or the paging query) and a header object with the key, then \`got(url, { headers, responseType: 'buffer' })\` on an instance with the runtime's agent settings (\`agentOptions\`: keep-alive, 64 sockets, LIFO) and \`retry.limit\` 0, then \`JSON.parse(body.toString())\`. It has no deadline and no size cap: what the runtime spends on them is part of the measured overhead.
- **transport** (CPU table only): the runtime's own HTTP client sending a request the runtime built once, then \`JSON.parse\`. It splits the runtime's cost into the transport (deadline timer, size-cap listener, retry loop, got options) and the declarative part.
- **fetch**: global \`fetch\` on undici's default dispatcher, same URL and headers, status check, \`JSON.parse(await response.text())\`. For context; the targets are against got.
- **Pagination**: both pagers read the whole list (1,000 users, 10 pages of ~100 KB) per walk, one walk after another; \`createPagingClients\` checks that both ask for the same first URL and read 1,000 records. The runtime does per page what it does per call (request from the plan, deadline, size cap, masking, nesting-depth guard) plus the walk (records selected, next offset, \`total\`), and hands each record out through an async iterator.
- **OAuth2 token cache**: no request is sent per call; the token is fetched once from the bench server before measuring. The bearer side builds the same request with a static token, so the difference is the token cache's own cost: resolving the token request from its templates (reused per plan while nothing changes), the cache lookup, the awaited token and the header.
- **Memory** is \`heapUsed\` after \`gc()\` (\`--expose-gc\`): what is still reachable, not garbage awaiting collection.

## What limits the figures

- **A small, shared machine.** 2 cores; other engineers' test suites ran during development runs, so wall-clock figures move by several percent from round to round (see the load averages above). Interleaved rounds in a balanced order and within-round ratios cancel slow drift, not fast noise: a difference of a few percent between two runs of the same code is noise. At concurrency 64 the client and the server share the 2 cores, so throughput there is bounded by CPU per call, and the throughput ratio at 64 follows the CPU ratio.
- **CPU per call is relative to a slow got.** got costs about 500 µs of CPU per call on this machine (virtualised, caches shared with the other tenants), several times what it costs on a desktop, and the runtime's additions scale the same way: request building and response handling that take about 1 µs in a tight loop take ten times that between two got calls, whose code and data have pushed the runtime's out of the caches. The runtime adds about 5–9 % of got's own cost; the difference moves by ±15 µs from run to run, of the order of the 25 µs target, despite 200 short rounds and a median of paired differences, and its split between transport and declarative part moves as much (one run put all of it in one part, the next half in each): read the split as a rough indication only. Over the full runs of 2026-11-23 with this code, the CPU added ranged 26–51 µs and the small-body throughput ratio 0.91–0.97; the large-body ratios 0.96–1.03.
- **Pagination ratio.** Per 100 KB page the runtime spends about 10–15 % more client CPU than the hand-written pager (the CPU column above): mostly the nesting-depth guard and the scan of the body for echoed secrets, which the pager does not do. Turning each off in a copy of the build (\`runtime.execute\` of one page against got, 2,000 interleaved pairs, CPU medians) took the difference from 165–187 µs per page to 119–140 µs without either one and to 50–65 µs without both; \`runtime.invokePage\` (no per-record iterator) costs the same as \`runtime.items\`. On this machine that puts \`runtime.items\` at 0.79–0.92 of the pager's records per second in full runs (ad-hoc runs of the pagination part alone: 0.76–1.03), below the 0.95 target.
- **What is left on the invoke path** is spread thin: the transport (one timer and one listener per call, the retry loop, the response record) and the declarative part (lookup, input checks, URL, headers and secret from the plan, outputs). No single function stands out in the profile any more; JSONPath outputs were already compiled to direct property walks and input checks to closures at load.

## What was optimised (measured during development on this machine, 2026-11-23)

Same-process A/B comparisons, before and after, interleaved; not re-measured by each run.

- **YAML parsing** was 75 % of loading (the \`yaml\` package builds a full syntax tree). A fast path now parses the block YAML capability files are written in, with the same data and positions, and declines anything else (anchors, tags, multi-line flow, tabs, duplicate keys, errors) to the full parser; tests compare the two on every corpus file and on 1,500 generated and mutated documents. Positions are kept per collection and a pointer's position is looked up on demand, instead of a map entry and a pointer string for each of the 134,000 nodes of a 5,000-operation file. Warm load, before → after: Users file 6.5–9.2 → 1.2–1.8 ms; datadog (170 operations) 160–191 → 21–23 ms; whole corpus 2,476–2,513 → 529–541 ms; 500 generated operations 317–323 → 42 ms; 5,000 generated operations 3,501–3,590 → 381–522 ms.
- **The deadline** was got's \`timeout.request\`, which sets up a map, an event-handler registry and listeners on the request and the response for every call; it is now one timer that cancels the attempt. With the baseline of that time (a request prebuilt once): CPU added per call 122 → 54 µs, small-body throughput at concurrency 64 0.877 → 0.931 of got's.
- **Pages and tokens** (issue 9): \`runtime.items\` was two async generators deep, 0.6–1.2 µs per record, now a plain iterator at 0.16–0.26 µs; the OAuth2 token request was resolved afresh on every call (URL parsing, the secret's encodings), 12.9 µs over a static bearer token, now reused per plan: 0.4–2 µs; the nesting-depth guard took 100–285 µs on a 100 KB page with an explicit stack and \`for…in\`, 26–80 µs as a recursion bounded at 513 calls (every large response gains).
- **Header defaults** no longer lower-case every header name three times per request.
- **Serving** (2026-11-27): hono's \`bodyLimit\` asked every request for its body stream, which on @hono/node-server builds a full web \`Request\` over a web stream (REST GETs included); a declared \`Content-Length\` is now judged without it (\`requestBodyLimit\`). MCP \`tools/call\` under 2,000 connections, ÷ REST: 0.75–0.79 → 0.92–1.01.
- **Echoed-secret scan** (2026-11-27): \`Buffer.includes\` of a multi-byte needle takes about 50 µs on a 100 KB page, \`String.includes\` about 3 µs; the body is decoded once and both the parser and the scan use the text.
`;

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
