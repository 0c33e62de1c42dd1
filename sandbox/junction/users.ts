/**
 * `/v2/user` itself: list, create, get, patch, delete, undo delete, resolve by client_user_id, and
 * the team metrics.
 */
import { fail, ok, type Call, type Reply, type Router } from './http.js';
import { UserCreateBody, UserPatchBody } from './schemas.js';
import { clientFacingUser, manualFallback, type NewUser, type UserRecord } from './store.js';
import { Checks, uuid } from './validation.js';

/** The 404 detail of the user-scoped endpoints. */
export const USER_NOT_FOUND = 'User not found.';

/** `ClientUserIDConflict`: who already holds a client_user_id. */
function conflict(holder: UserRecord): Record<string, unknown> {
  return { error_type: 'INVALID_REQUEST', error_message: 'Client user id already exists.', user_id: holder.user_id, created_on: holder.created_on };
}

/** The API only stores IANA zones; anything `Intl` cannot load is rejected as a body validation error. */
function checkTimeZone(checks: Checks, zone: unknown): void {
  if (typeof zone !== 'string') return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    checks.issues.push({
      type: 'value_error',
      loc: ['body', 'fallback_time_zone'],
      msg: `Value error, Invalid IANA time zone identifier: ${zone}`,
      input: zone,
      ctx: { error: {} },
    });
  }
}

/** Keys the client actually sent, so PATCH leaves the others alone (pydantic `exclude_unset`). */
function sentKeys(call: Call): Set<string> {
  const value = call.body.kind === 'json' ? call.body.value : undefined;
  return new Set(typeof value === 'object' && value !== null ? Object.keys(value) : []);
}

function listUsers(call: Call): Reply {
  const checks = new Checks(call);
  const offset = checks.integerQuery('offset', { default: 0 });
  const limit = checks.integerQuery('limit', { default: 100, le: 500 });
  if (checks.failed) return checks.reply();
  const live = call.store.live();
  const start = Math.max(0, offset);
  const users = live.slice(start, start + Math.max(0, limit)).map(clientFacingUser);
  return ok({ users, total: live.length, offset, limit });
}

function createUser(call: Call): Reply {
  const checks = new Checks(call);
  const body = checks.body(UserCreateBody) as unknown as NewUser;
  checkTimeZone(checks, body.fallback_time_zone);
  if (checks.failed) return checks.reply();
  const holder = call.store.withClientUserId(body.client_user_id);
  if (holder) return fail(400, conflict(holder));
  return ok(clientFacingUser(call.store.createUser(body)));
}

function getUser(call: Call): Reply {
  const checks = new Checks(call);
  const userId = checks.path('user_id', uuid);
  if (checks.failed) return checks.reply();
  const user = call.store.get(userId);
  return user ? ok(clientFacingUser(user)) : fail(404, USER_NOT_FOUND);
}

function patchUser(call: Call): Reply {
  const checks = new Checks(call);
  const userId = checks.path('user_id', uuid);
  const body = checks.body(UserPatchBody) as unknown as Partial<NewUser>;
  checkTimeZone(checks, body.fallback_time_zone);
  if (checks.failed) return checks.reply();
  const user = call.store.get(userId);
  if (!user) return fail(404, USER_NOT_FOUND);
  const sent = sentKeys(call);
  const newClientUserId = sent.has('client_user_id') ? body.client_user_id : null;
  if (typeof newClientUserId === 'string' && newClientUserId !== user.client_user_id) {
    const holder = call.store.withClientUserId(newClientUserId);
    if (holder) return fail(409, conflict(holder));
    user.client_user_id = newClientUserId;
  }
  if (sent.has('fallback_time_zone')) user.fallback_time_zone = manualFallback('id', body.fallback_time_zone ?? null);
  if (sent.has('fallback_birth_date')) user.fallback_birth_date = manualFallback('value', body.fallback_birth_date ?? null);
  if (sent.has('ingestion_start')) user.ingestion_start = body.ingestion_start ?? null;
  if (sent.has('ingestion_end')) user.ingestion_end = body.ingestion_end ?? null;
  return { status: 204 };
}

function deleteUser(call: Call): Reply {
  const checks = new Checks(call);
  const userId = checks.path('user_id', uuid);
  if (checks.failed) return checks.reply();
  const user = call.store.get(userId);
  if (!user) return fail(404, USER_NOT_FOUND);
  user.deleted = true;
  return ok({ success: true });
}

function undoDelete(call: Call): Reply {
  const checks = new Checks(call);
  const userId = checks.query('user_id', uuid);
  const clientUserId = checks.query('client_user_id');
  if (checks.failed) return checks.reply();
  if ((userId === undefined) === (clientUserId === undefined)) {
    return fail(400, 'Exactly one of user_id or client_user_id must be provided.');
  }
  const user = call.store.getDeleted(userId !== undefined ? { user_id: userId } : { client_user_id: clientUserId as string });
  if (!user) return fail(404, 'No deleted user found.');
  user.deleted = false;
  return ok({ success: true });
}

function resolveUser(call: Call): Reply {
  const user = call.store.withClientUserId(call.params.client_user_id);
  return user && !user.deleted ? ok(clientFacingUser(user)) : fail(404, `User with client_user_id ${call.params.client_user_id} not found.`);
}

function metrics(call: Call): Reply {
  const live = call.store.live();
  return ok({
    team_id: call.store.teamId,
    number_of_connected_sources: live.reduce((n, user) => n + user.connections.length, 0),
    number_of_users: live.length,
    number_of_errored_connected_sources: 0,
    number_of_connected_sources_by_week: [],
    number_of_ordered_tests: 0,
  });
}

/** Registers the user routes. */
export function registerUserRoutes(router: Router): void {
  router
    .add('GET', '/v2/user', listUsers)
    .add('POST', '/v2/user', createUser)
    .add('GET', '/v2/user/metrics', metrics)
    .add('GET', '/v2/user/resolve/{client_user_id}', resolveUser)
    .add('POST', '/v2/user/undo_delete', undoDelete)
    .add('GET', '/v2/user/{user_id}', getUser)
    .add('PATCH', '/v2/user/{user_id}', patchUser)
    .add('DELETE', '/v2/user/{user_id}', deleteUser);
}
