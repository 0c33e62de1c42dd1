/**
 * Workflows of the Temporal end-to-end test, written as the README shows: activities proxied by type,
 * Temporal's retry policy in charge, one page per activity, and the API's job polled with a durable
 * sleep between polls.
 */
import { ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Page } from '../../runtime/index.js';
import type { Activities } from '../../runtime/temporal/index.js';

const { createOrder, invokeOperation, invokePage, startJob, pollJob } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '50 milliseconds', maximumAttempts: 3 },
});

/** Creates an order and reads it back by the id the API gave. */
export async function orderRoundTrip(sku: string): Promise<Record<string, unknown>> {
  const created = await createOrder({ sku });
  return invokeOperation({ operation: 'get-order', inputs: { order_id: created.id } });
}

/** Every order, one page per activity: after a crash the workflow resumes from the last page token. */
export async function allOrders(limit: number): Promise<unknown[]> {
  const orders: unknown[] = [];
  let pageToken: string | null = null;
  do {
    const page: Page = await invokePage({ operation: 'list-orders', inputs: { limit }, pageToken });
    orders.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken !== null);
  return orders;
}

/** Submits an export and polls it, sleeping in the workflow (a durable timer) between polls. */
export async function exportOrders(format: string): Promise<Record<string, unknown>> {
  const handle = await startJob({ operation: 'export-orders', inputs: { format } });
  for (;;) {
    const poll = await pollJob(handle);
    if (poll.state === 'done') return poll.outputs;
    if (poll.state === 'failed') throw ApplicationFailure.nonRetryable(`export ${handle.id} failed: ${String(poll.reason)}`, 'ASYNC_FAILED');
    await sleep(poll.retryAfterMs ?? 1000);
  }
}
