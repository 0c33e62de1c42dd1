/**
 * `async:` against a real job API (202 with a request id, polled until `completed_at` is set): a
 * handle any process can poll, a wait that ends done, failed, at its deadline or on abort, and
 * `naftiko run --wait`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRuntime, inspectCapability, loadCapability, type AsyncJobHandle, type Capability, type JobProgress, type Runtime } from '../runtime/index.js';
import { AsyncJobError } from '../runtime/errors.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';
import { jobApi, type JobScript } from './support/jobApi.js';
import { failure } from './support/failure.js';
import { BASE_ENV, naftiko } from './support/cli.js';
import { runCli } from '../runtime/cli/runCli.js';

const FILE = new URL('./fixtures/behaviours/jobs.yaml', import.meta.url);
const MEMBERS = [{ reference_id: 'emp-1' }];
let server: RecordingServer;
let capability: Capability;
let runtime: Runtime;
let script: JobScript;

beforeAll(async () => {
  server = await startRecordingServer();
  capability = await loadCapability(FILE);
  runtime = createRuntime(capability, { baseUri: server.url, retry: { limit: 0 } });
});
afterAll(async () => {
  runtime.close();
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  const api = jobApi();
  server.handler = api.handler;
  script = api.script;
});

const requests = () => server.requests.map((r) => `${r.method} ${r.url}`);

describe('start and poll', () => {
  test('start submits and returns a JSON handle; nothing is polled yet', async () => {
    const handle = await runtime.start('submit-job', { group_id: 'grp 1', members: MEMBERS });
    expect(handle).toEqual({
      operation: 'jobs.submit-job',
      id: 'grpmsr_1',
      poll: { operation: 'jobs.get-job', inputs: { group_id: 'grp 1', job_id: 'grpmsr_1' } },
      submittedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      outputs: { request_id: 'grpmsr_1' },
    });
    expect(JSON.parse(JSON.stringify(handle))).toEqual(handle);
    expect(requests()).toEqual(['POST /groups/grp%201/jobs']);
    expect(JSON.parse(server.requests[0].body)).toEqual(MEMBERS);
  });

  test('a poll operation whose name the namespace uses twice is polled under its resource-qualified id', async () => {
    const shared = createRuntime(await loadCapability(new URL('./fixtures/behaviours/jobs-shared-name.yaml', import.meta.url)), { baseUri: server.url, retry: { limit: 0 } });
    try {
      script.runningPolls = 0;
      const handle = await shared.start('submit-job', { group_id: 'g1', members: MEMBERS });
      expect(handle.poll.operation).toBe('jobs.group-job.get-job');
      expect(shared.find('submit-job').async).toEqual({ pollOperation: 'jobs.group-job.get-job', timeout: 5000 });
      expect(await shared.poll(handle)).toEqual({ state: 'done', outputs: { status: 'done' } });
      expect(requests()).toEqual(['POST /groups/g1/jobs', 'GET /groups/g1/jobs/grpmsr_1']);
    } finally {
      shared.close();
    }
  });

  test('poll reads the state once: running with a suggested wait, then done with the outputs', async () => {
    script.runningPolls = 1;
    const handle = await runtime.start('submit-job', { group_id: 'g1', members: MEMBERS });
    expect(await runtime.poll(handle)).toEqual({ state: 'running', outputs: { status: 'running', completed_at: null, added: null }, retryAfterMs: 20 });
    expect(await runtime.poll(handle)).toEqual({ state: 'done', outputs: { status: 'done', completed_at: '2026-11-23T10:00:42Z', added: ['m-1'] } });
    expect(requests()).toEqual(['POST /groups/g1/jobs', 'GET /groups/g1/jobs/grpmsr_1', 'GET /groups/g1/jobs/grpmsr_1']);
  });

  test('a handle stored as JSON is polled by another runtime (another process, after a crash)', async () => {
    script.runningPolls = 0;
    const stored = JSON.stringify(await runtime.start('submit-job', { group_id: 'g1', members: MEMBERS }));
    const other = createRuntime(await loadCapability(FILE), { baseUri: server.url });
    try {
      expect((await other.poll(JSON.parse(stored) as AsyncJobHandle)).state).toBe('done');
    } finally {
      other.close();
    }
  });

  test('poll says failed with the reason', async () => {
    script.runningPolls = 0;
    script.outcome = { error: { code: 'invalid_plan', message: 'Invalid plan_id' } };
    const handle = await runtime.start('submit-job', { group_id: 'g1', members: MEMBERS });
    expect(await runtime.poll(handle)).toMatchObject({ state: 'failed', reason: { code: 'invalid_plan', message: 'Invalid plan_id' } });
  });

  test('a Retry-After on a running poll is the suggested wait', async () => {
    script.retryAfter = '3';
    const handle = await runtime.start('submit-job', { group_id: 'g1', members: MEMBERS });
    expect((await runtime.poll(handle)).retryAfterMs).toBe(3_000);
  });

  test('poll.with renders {{id}} inside text and passes submit inputs', async () => {
    script.runningPolls = 0;
    expect(await runtime.invoke('submit-short-job', { group_id: 'g2', members: MEMBERS }, { wait: true })).toMatchObject({ status: 'done' });
    expect(requests()).toEqual(['POST /groups/g2/jobs', 'GET /groups/g2/jobs/job-grpmsr_1']);
  });

  test('the idempotency key goes with the submit only', async () => {
    script.runningPolls = 0;
    await runtime.invoke('submit-job', { group_id: 'g1', members: MEMBERS }, { wait: true, idempotencyKey: 'sync-1' });
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['sync-1', undefined]);
  });
});

describe('invoke(…, { wait: true })', () => {
  test('submits, polls until done and returns the poll operation’s final outputs; onProgress after each running poll', async () => {
    const progress: JobProgress[] = [];
    const outputs = await runtime.invoke('submit-job', { group_id: 'g1', members: MEMBERS }, { wait: true, onProgress: (p) => progress.push(p) });
    expect(outputs).toEqual({ status: 'done', completed_at: '2026-11-23T10:00:42Z', added: ['m-1'] });
    expect(requests()).toEqual(['POST /groups/g1/jobs', ...Array(3).fill('GET /groups/g1/jobs/grpmsr_1')]);
    expect(progress.map((p) => [p.state, p.polls, p.handle.id, p.outputs.status])).toEqual([
      ['running', 1, 'grpmsr_1', 'running'],
      ['running', 2, 'grpmsr_1', 'running'],
    ]);
    expect(progress[1].elapsedMs).toBeGreaterThanOrEqual(progress[0].elapsedMs);
  });

  test('a failed job is ASYNC_FAILED, not retryable, carrying the reason and the handle', async () => {
    script.outcome = { error: 'Invalid plan_id' };
    const error = await failure(runtime.invoke('submit-job', { group_id: 'g1', members: MEMBERS }, { wait: true }));
    expect(error).toBeInstanceOf(AsyncJobError);
    expect(error).toMatchObject({ code: 'ASYNC_FAILED', retryable: false, reason: 'Invalid plan_id' });
    expect(error.message).toBe('jobs.submit-job: job grpmsr_1 failed: Invalid plan_id');
    expect(error.toJSON()).toMatchObject({ code: 'ASYNC_FAILED', retryable: false, reason: 'Invalid plan_id', handle: { id: 'grpmsr_1' }, outputs: { status: 'failed' } });
  });

  test('the deadline (async.timeout) is TIMEOUT, with the handle to keep polling; retryable only with an idempotency key', async () => {
    script.outcome = 'never';
    const error = await failure(runtime.invoke('submit-short-job', { group_id: 'g1', members: MEMBERS }, { wait: true }));
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: false });
    expect(error.message).toBe('jobs.submit-short-job: job grpmsr_1 is still running after 150 ms (async.timeout); poll it with runtime.poll(handle)');
    expect(error.toJSON()).toMatchObject({ timeout: 150, handle: { id: 'grpmsr_1', poll: { operation: 'jobs.get-job' } } });

    const keyed = await failure(runtime.invoke('submit-short-job', { group_id: 'g1', members: MEMBERS }, { wait: true, idempotencyKey: 'k' }));
    expect(keyed).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  test('an abort stops polling at once', async () => {
    script.outcome = 'never';
    const controller = new AbortController();
    const pending = runtime.invoke('submit-job', { group_id: 'g-abort', members: MEMBERS }, { wait: true, signal: controller.signal, onProgress: (p) => p.polls === 2 && controller.abort() });
    const error = await failure(pending);
    expect(error.code).toBe('ABORTED');
    // A request of an earlier test may still arrive: only this job's count.
    const mine = () => server.requests.filter((r) => r.url.startsWith('/groups/g-abort/')).length;
    const sent = mine();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(mine()).toBe(sent);
    expect(sent).toBe(3);
  });

  test('a Retry-After on a poll answer sets the next wait', async () => {
    script.runningPolls = 1;
    script.retryAfter = '1';
    await runtime.invoke('submit-job', { group_id: 'g1', members: MEMBERS }, { wait: true });
    const [, first, second] = server.requests;
    expect(second.time - first.time).toBeGreaterThanOrEqual(950);
  });
});

describe('refused calls', () => {
  test('start, and invoke with wait, on an operation without async are INPUT_INVALID, nothing sent', async () => {
    expect((await failure(runtime.start('get-job', { group_id: 'g', job_id: 'j' }))).message).toBe("jobs.get-job: the operation declares no async job: call invoke() without wait, or add 'async:' to it");
    expect((await failure(runtime.invoke('get-job', { group_id: 'g', job_id: 'j' }, { wait: true }))).code).toBe('INPUT_INVALID');
    expect(server.requests).toHaveLength(0);
  });

  test('something that is not a handle is INPUT_INVALID', async () => {
    for (const handle of [{}, { operation: 'jobs.submit-job', id: 1 }, null]) {
      expect((await failure(runtime.poll(handle as unknown as AsyncJobHandle))).code).toBe('INPUT_INVALID');
    }
    const forged: AsyncJobHandle = { operation: 'jobs.submit-job', id: 'x', poll: { operation: 'jobs.submit-short-job', inputs: {} }, submittedAt: '', outputs: {} };
    expect((await failure(runtime.poll(forged))).message).toContain("the operation's jobs are polled with 'jobs.get-job'");
    expect(server.requests).toHaveLength(0);
  });

  test('a submit answer without a job id is RESPONSE_INVALID', async () => {
    server.handler = () => ({ status: 202, body: { data: {} } });
    const error = await failure(runtime.start('submit-job', { group_id: 'g1', members: MEMBERS }));
    expect(error).toMatchObject({ code: 'RESPONSE_INVALID', retryable: false });
    expect(error.message).toBe('jobs.submit-job: the submit response has no job id at $.data.request_id; the job cannot be followed');
  });

  test('describe() names the poll operation and the timeout', () => {
    expect(runtime.find('submit-job').async).toEqual({ pollOperation: 'jobs.get-job', timeout: 5000 });
    expect(runtime.find('get-job').async).toBeUndefined();
  });
});

describe('naftiko run --wait', () => {
  test('prints the final outputs; nothing on stderr when it is not a terminal', async () => {
    const result = await naftiko(['run', FILE.pathname, 'submit-job', 'group_id=g1', 'members=[{"reference_id":"e"}]', '--wait', '--base-uri', server.url]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ status: 'done', completed_at: '2026-11-23T10:00:42Z', added: ['m-1'] });
    expect(result.stderr).toBe('');
  });

  test('a status line on stderr when it is a terminal', async () => {
    let stderr = '';
    const io = { stdout: () => {}, stderr: (t: string) => (stderr += t), env: BASE_ENV, stderrIsTTY: true };
    expect(await runCli(['run', FILE.pathname, 'submit-job', 'group_id=g1', 'members=[]', '--wait', '--base-uri', server.url], io)).toBe(0);
    expect(stderr).toMatch(/^\rjob grpmsr_1: running \(1 poll, \d+(\.\d)? s\)\rjob grpmsr_1: running \(2 polls, \d+(\.\d)? s\)\n$/);
  });

  test('a failed job exits 5', async () => {
    script.outcome = { error: 'Invalid plan_id' };
    const result = await naftiko(['run', FILE.pathname, 'submit-job', 'group_id=g1', 'members=[]', '--wait', '--base-uri', server.url]);
    expect(result.code).toBe(5);
    expect(result.stderr).toBe('naftiko: ASYNC_FAILED: jobs.submit-job: job grpmsr_1 failed: Invalid plan_id\n');
  });

  test('--wait with --all is a usage error', async () => {
    expect((await naftiko(['run', FILE.pathname, 'submit-job', '--all', '--wait'])).code).toBe(2);
  });
});

describe('validation', () => {
  test('an unknown poll operation, poll.with names and templates, uncovered poll inputs, bad JSONPaths: file:line:col', async () => {
    const { diagnostics } = await inspectCapability(new URL('./fixtures/behaviours/mistakes.yaml', import.meta.url));
    expect(diagnostics.filter((d) => d.message.includes('async')).map((d) => `${d.line}:${d.col} ${d.severity} ${d.message}`)).toEqual([
      "91:19 error operation 'broken-jobs.unknown-poll': async.poll.operation 'get-jobs' is not an operation of namespace 'broken-jobs'; did you mean 'get-job'?",
      "102:21 error operation 'broken-jobs.bad-with': async.poll.with names 'job', which is not an input of 'broken-jobs.get-job' (did you mean 'job_id'? inputs: job_id, region)",
      "103:21 error operation 'broken-jobs.bad-with': async.poll.with: {{regoin}} is neither {{id}} (the job id) nor an input of 'bad-with'; did you mean {{region}}?",
      "99:17 error operation 'broken-jobs.bad-with': async.poll: operation 'broken-jobs.get-job' needs input 'job_id': name it under poll.with ('{{id}}' is the job id), or give 'bad-with' an input of that name",
      "113:17 error operation 'broken-jobs.uncovered-input': async.done: invalid JSONPath '$.done[': expected a selector, found end of expression at character 8",
      "109:17 error operation 'broken-jobs.uncovered-input': async.poll: operation 'broken-jobs.get-job' needs input 'region': name it under poll.with ('{{id}}' is the job id), or give 'uncovered-input' an input of that name",
      "114:17 error operation 'broken-jobs.uncovered-input': async.maxInterval (10 ms) is shorter than async.interval (100 ms)",
    ]);
  });

  test('a missing done is a schema error', async () => {
    const { diagnostics } = await inspectCapability(new URL('./fixtures/behaviours/schema-mistakes.yaml', import.meta.url));
    expect(diagnostics.filter((d) => d.message.includes("'done'")).map((d) => `${d.line}:${d.col}`)).toEqual(['28:15']);
  });
});
