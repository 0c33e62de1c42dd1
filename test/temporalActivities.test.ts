/**
 * The Temporal adapter: activities run in @temporalio/testing's MockActivityEnvironment against the
 * orders API (no Temporal server can be downloaded on these machines). Errors become ApplicationFailures
 * typed by code, cancellation aborts the call, heartbeats flow while a call is in flight. The workflow
 * test runs against a real Temporal dev server when TEMPORAL_CLI_PATH points at the Temporal CLI.
 */
import { createRequire } from 'node:module';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { createRuntime, loadCapability, type AsyncJobHandle, type Page, type PollResult, type Runtime } from '../runtime/index.js';
import { activityNames, createActivities, type Activities } from '../runtime/temporal/index.js';
import { HOLD, startOrdersApi, type OrdersApi } from './support/ordersApi.js';

const TOKEN = 'orders-token-SECRET-temporal';
const FIXTURE = new URL('./fixtures/engines/orders.yaml', import.meta.url);
const WORKFLOWS = createRequire(import.meta.url).resolve('./support/temporalWorkflows.ts');

let api: OrdersApi;
let runtime: Runtime;
let activities: Activities;

beforeAll(async () => {
  api = await startOrdersApi();
  runtime = createRuntime(await loadCapability(FIXTURE), { env: { ORDERS_TOKEN: TOKEN, WORKER_NAME: 'temporal' }, baseUri: api.url });
  activities = createActivities(runtime, { heartbeatInterval: 20 });
});
afterAll(async () => {
  runtime.close();
  await api.close();
});
beforeEach(() => {
  api.requests.length = 0;
  api.respond = () => undefined;
});

/** An activity environment as for activity 7 of workflow order-wf-1. */
function environment(): MockActivityEnvironment {
  // Quiet: the worker's logger would print every expected failure as a warning.
  return new MockActivityEnvironment({ activityId: '7', workflowExecution: { workflowId: 'order-wf-1', runId: 'run-1' } }, { logger: silentLogger() });
}

/** The failure an activity threw. */
async function thrown(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => expect.fail('the activity succeeded'),
    (error: unknown) => error,
  );
}

describe('activities', () => {
  test('invokeOperation returns the outputs; the key defaults to WORKFLOW_ID:ACTIVITY_ID, the request may give its own', async () => {
    const env = environment();
    expect(await env.run(activities.invokeOperation, { operation: 'create-order', inputs: { sku: 't-1' } })).toEqual({ id: expect.stringMatching(/^ord-/), sku: 't-1' });
    await env.run(activities.invokeOperation, { operation: 'create-order', inputs: { sku: 't-2' }, idempotencyKey: 'own-key' });
    expect(api.requests.map((r) => r.key)).toEqual(['order-wf-1:7', 'own-key']);
  });

  test('one activity per operation, named in lowerCamelCase', async () => {
    expect(activityNames(runtime)).toEqual({
      'orders.create-order': 'createOrder',
      'orders.list-orders': 'listOrders',
      'orders.get-order': 'getOrder',
      'orders.export-orders': 'exportOrders',
      'orders.get-export': 'getExport',
    });
    const env = environment();
    const created = (await env.run(activities.createOrder, { sku: 't-3' })) as Record<string, unknown>;
    expect(await env.run(activities.getOrder, { order_id: created.id })).toEqual(created);
  });

  test('names shared by two namespaces, or taken by a fixed activity, get the namespace in front', () => {
    const op = (namespace: string, name: string) => ({ namespace, name, id: `${namespace}.${name}` }) as Runtime['operations'][number];
    expect(activityNames({ operations: [op('a', 'get-user'), op('b', 'get_user'), op('a', 'invoke-page'), op('c', '2fa')] })).toEqual({
      'a.get-user': 'aGetUser',
      'b.get_user': 'bGetUser',
      'a.invoke-page': 'aInvokePage',
      'c.2fa': 'op2fa',
    });
  });

  test('a 400 is a non-retryable ApplicationFailure typed HTTP_ERROR, its details the masked error JSON', async () => {
    api.respond = (request) => ({ status: 400, body: { error: 'bad sku', echo: request.headers.authorization } });
    const failure = await thrown(environment().run(activities.invokeOperation, { operation: 'create-order', inputs: { sku: 'bad' } }));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'HTTP_ERROR', nonRetryable: true, message: expect.stringMatching(/answered 400/) });
    const [details] = (failure as ApplicationFailure).details as [Record<string, unknown>];
    expect(details).toMatchObject({ code: 'HTTP_ERROR', status: 400, retryable: false, body: { error: 'bad sku', echo: 'Bearer ***' } });
    expect(JSON.stringify(details)).not.toContain(TOKEN);
  });

  test('a 503 with Retry-After is retryable, with the server delay as nextRetryDelay; the runtime sends it once', async () => {
    api.respond = () => ({ status: 503, headers: { 'retry-after': '2' } });
    const failure = await thrown(environment().run(activities.invokeOperation, { operation: 'create-order', inputs: { sku: 'busy' } }));
    expect(failure).toMatchObject({ type: 'HTTP_ERROR', nonRetryable: false, nextRetryDelay: 2000 });
    expect(api.requests).toHaveLength(1);
  });

  test('invalid input is INPUT_INVALID, not retryable, nothing sent', async () => {
    const failure = await thrown(environment().run(activities.invokeOperation, { operation: 'create-order', inputs: {} }));
    expect(failure).toMatchObject({ type: 'INPUT_INVALID', nonRetryable: true });
    expect(api.requests).toHaveLength(0);
  });

  test('heartbeats while the call is in flight', async () => {
    const env = environment();
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    api.delay = 200;
    try {
      await env.run(activities.getOrder, { order_id: 'none' }).catch(() => {});
    } finally {
      api.delay = 0;
    }
    expect(beats.length).toBeGreaterThanOrEqual(2);
  });

  test('by default heartbeats every third of the heartbeat timeout, and not at all without one (as the SDK asks)', async () => {
    const byDefault = createActivities(runtime);
    const count = async (info: Record<string, unknown>) => {
      const env = new MockActivityEnvironment({ activityId: 'hb', ...info }, { logger: silentLogger() });
      let beats = 0;
      env.on('heartbeat', () => beats++);
      await env.run(byDefault.getOrder, { order_id: 'none' }).catch(() => {});
      return beats;
    };
    api.delay = 350;
    try {
      expect(await count({ heartbeatTimeoutMs: 300 })).toBeGreaterThanOrEqual(1);
      expect(await count({})).toBe(0);
    } finally {
      api.delay = 0;
    }
  });

  test('invokePage reads one page and hands back the token of the next, which any worker can resume from', async () => {
    const env = environment();
    for (let i = 0; i < 3; i++) await env.run(activities.createOrder, { sku: `page-${i}` }, { idempotencyKey: `page-${i}` });
    const skus: string[] = [];
    let pageToken: string | null = null;
    let pages = 0;
    do {
      // A fresh environment per page, as a page per activity on any worker would be.
      const page = (await environment().run(activities.invokePage, { operation: 'list-orders', inputs: { limit: 2 }, pageToken })) as Page;
      skus.push(...(page.items as Array<{ sku: string }>).map((o) => o.sku));
      expect(JSON.parse(JSON.stringify(page))).toEqual(page);
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== null);
    expect(skus.slice(-3)).toEqual(['page-0', 'page-1', 'page-2']);
    expect(pages).toBe(Math.ceil(skus.length / 2));
  });

  test('startJob submits once with the activity key; pollJob reads the state, a workflow sleeps in between', async () => {
    const handle = (await environment().run(activities.startJob, { operation: 'export-orders', inputs: { format: 'csv' } })) as AsyncJobHandle;
    expect(handle).toMatchObject({ operation: 'orders.export-orders', id: expect.stringMatching(/^exp-/) });
    expect(api.requests[0]).toMatchObject({ method: 'POST', url: '/exports', key: 'order-wf-1:7' });
    const states: string[] = [];
    for (let poll = (await environment().run(activities.pollJob, handle)) as PollResult; ; poll = (await environment().run(activities.pollJob, handle)) as PollResult) {
      states.push(poll.state);
      if (poll.state !== 'running') {
        expect(poll.outputs).toMatchObject({ status: 'done' });
        break;
      }
      expect(poll.retryAfterMs).toBe(20);
    }
    expect(states).toEqual(['running', 'running', 'done']);
  });

  test('invokeOperation with wait polls inside the activity, heartbeating each poll', async () => {
    const env = environment();
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    // Keys of their own: the key of this environment's activity already submitted an export.
    expect(await env.run(activities.invokeOperation, { operation: 'export-orders', inputs: { format: 'csv' }, wait: true, idempotencyKey: 'export-wait' })).toMatchObject({ status: 'done' });
    expect(beats).toContainEqual({ state: 'running', polls: 2, elapsedMs: expect.any(Number), asyncJobId: expect.stringMatching(/^exp-/) });
    const failure = await thrown(env.run(activities.invokeOperation, { operation: 'export-orders', inputs: { format: 'broken' }, wait: true, idempotencyKey: 'export-broken' }));
    expect(failure).toMatchObject({ type: 'ASYNC_FAILED', nonRetryable: true });
  });

  test('cancellation aborts the call in flight and ends the activity with a CancelledFailure', async () => {
    api.respond = () => HOLD;
    const env = environment();
    const running = env.run(activities.invokeOperation, { operation: 'create-order', inputs: { sku: 'cancel' } });
    await vi.waitFor(() => expect(api.requests).toHaveLength(1));
    env.cancel();
    expect(await thrown(running)).toBeInstanceOf(CancelledFailure);
    await vi.waitFor(() => expect(api.requests[0].aborted).toBe(true));
  });
});

describe('workflows', () => {
  test('the workflows bundle for Temporal (the deterministic sandbox accepts them)', async () => {
    const { bundleWorkflowCode } = await import('@temporalio/worker');
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS, logger: silentLogger() });
    expect(code).toContain('orderRoundTrip');
  }, 60_000);

  const cli = process.env.TEMPORAL_CLI_PATH;
  test.skipIf(!cli)(`a workflow runs the activities on a Temporal dev server${cli ? '' : ' (skipped: set TEMPORAL_CLI_PATH to a Temporal CLI binary to run it)'}`, async () => {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const { Worker } = await import('@temporalio/worker');
    const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: cli! } } });
    try {
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'orders', workflowsPath: WORKFLOWS, activities });
      const result = await worker.runUntil(env.client.workflow.execute('orderRoundTrip', { taskQueue: 'orders', workflowId: 'round-trip-1', args: ['wf-sku'] }));
      expect(result).toMatchObject({ sku: 'wf-sku' });
      expect(api.requests.find((r) => r.method === 'POST')?.key).toMatch(/^round-trip-1:/);
      const orders = await worker.runUntil(env.client.workflow.execute('allOrders', { taskQueue: 'orders', workflowId: 'all-orders-1', args: [2] }));
      expect((orders as unknown[]).length).toBeGreaterThanOrEqual(1);
      const exported = await worker.runUntil(env.client.workflow.execute('exportOrders', { taskQueue: 'orders', workflowId: 'export-1', args: ['csv'] }));
      expect(exported).toMatchObject({ status: 'done' });
    } finally {
      await env.teardown();
    }
  }, 120_000);
});

function silentLogger() {
  const quiet = () => {};
  return { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet };
}
