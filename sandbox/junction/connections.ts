/**
 * Provider connections: list, deregister, refresh, and the Link API's demo connection, which is how a
 * Junction sandbox team connects a provider without a real account (and the only way to get one here).
 */
import { fail, ok, type Call, type Reply, type Router } from './http.js';
import { DemoConnectionCreationPayload, providerSchema } from './schemas.js';
import { providerInfo, timestamp, type ConnectionRecord, type UserRecord } from './store.js';
import { USER_NOT_FOUND } from './users.js';
import { Checks, uuid } from './validation.js';

const RESOURCES = ['activity', 'sleep', 'body'];

/** `ClientFacingProviderWithStatus`. */
function providerWithStatus(user: UserRecord, connection: ConnectionRecord): Record<string, unknown> {
  return {
    ...providerInfo(connection.slug),
    created_on: connection.created_on,
    status: 'connected',
    external_user_id: `${connection.slug}-${user.user_id.slice(0, 8)}`,
    error_details: null,
    resource_availability: Object.fromEntries(RESOURCES.map((r) => [r, { status: 'available', scope_requirements: null }])),
  };
}

function listConnections(call: Call): Reply {
  const checks = new Checks(call);
  const userId = checks.path('user_id', uuid);
  if (checks.failed) return checks.reply();
  const user = call.store.get(userId);
  return user ? ok({ providers: user.connections.map((c) => providerWithStatus(user, c)) }) : fail(404, USER_NOT_FOUND);
}

function deregister(call: Call): Reply {
  const checks = new Checks(call);
  const userId = checks.path('user_id', uuid);
  const provider = checks.path('provider', providerSchema);
  if (checks.failed) return checks.reply();
  const user = call.store.get(userId);
  if (!user) return fail(404, USER_NOT_FOUND);
  const index = user.connections.findIndex((c) => c.slug === provider);
  if (index < 0) return fail(404, `User is not connected to ${provider}.`);
  user.connections.splice(index, 1);
  return ok({ success: true });
}

function refresh(call: Call): Reply {
  const checks = new Checks(call);
  const userId = checks.path('user_id', uuid);
  checks.numberQuery('timeout', { default: 10, ge: 5, le: 60 });
  if (checks.failed) return checks.reply();
  const user = call.store.get(userId);
  if (!user) return fail(404, USER_NOT_FOUND);
  // UserRefreshErrorResponse is the whole body here, not wrapped in `detail`.
  if (user.connections.length === 0) {
    return { status: 400, body: { success: false, user_id: user.user_id, error: 'user has no connected sources', failed_sources: [] } };
  }
  const refreshed = user.connections.flatMap((c) => RESOURCES.map((r) => `${c.slug}/${r}`));
  return ok({ success: true, user_id: user.user_id, refreshed_sources: refreshed, in_progress_sources: [], failed_sources: [] });
}

function connectDemo(call: Call): Reply {
  const checks = new Checks(call);
  const body = checks.body(DemoConnectionCreationPayload);
  if (checks.failed) return checks.reply();
  const user = call.store.get(body.user_id as string);
  if (!user) return fail(404, USER_NOT_FOUND);
  const provider = body.provider as string;
  if (!user.connections.some((c) => c.slug === provider)) user.connections.push({ slug: provider, created_on: timestamp() });
  return ok({ success: true, detail: 'completed' });
}

/** Registers the connection routes. */
export function registerConnectionRoutes(router: Router): void {
  router
    .add('GET', '/v2/user/providers/{user_id}', listConnections)
    .add('DELETE', '/v2/user/{user_id}/{provider}', deregister)
    .add('POST', '/v2/user/refresh/{user_id}', refresh)
    .add('POST', '/v2/link/connect/demo', connectDemo);
}
