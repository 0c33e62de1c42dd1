/**
 * Workflows of the Temporal end-to-end test, written as the README shows: activities proxied by type,
 * Temporal's retry policy in charge, the API's job polled with a durable sleep between polls.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../runtime/temporal/index.js';

const { invokeOperation, createOrder } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '50 milliseconds', maximumAttempts: 3 },
});

/** Creates an order and reads it back by the id the API gave. */
export async function orderRoundTrip(sku: string): Promise<Record<string, unknown>> {
  const created = await createOrder({ sku });
  return invokeOperation({ operation: 'get-order', inputs: { order_id: created.id } });
}

/** Waits a little between two reads: the sleep is durable, a timer in the workflow's history. */
export async function readTwice(orderId: string): Promise<unknown[]> {
  const first = await invokeOperation({ operation: 'get-order', inputs: { order_id: orderId } });
  await sleep('100 milliseconds');
  return [first, await invokeOperation({ operation: 'get-order', inputs: { order_id: orderId } })];
}
