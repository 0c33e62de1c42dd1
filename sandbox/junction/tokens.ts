/** Short-lived credentials handed out for a user: the mobile SDK sign-in token and User Portal URLs. */
import { randomBytes } from 'node:crypto';
import { fail, ok, type Call, type Reply, type Router } from './http.js';
import { CreateUserPortalURLBody } from './schemas.js';
import { USER_NOT_FOUND } from './users.js';
import { Checks, uuid } from './validation.js';

/** Lifetimes the API documents: minutes for `launch`, weeks for `communications`. */
const PORTAL_URL_TTL_SECONDS = { launch: 10 * 60, communications: 14 * 24 * 60 * 60 };

const token = (bytes: number): string => randomBytes(bytes).toString('base64url');

function signInToken(call: Call): Reply {
  const checks = new Checks(call);
  const userId = checks.path('user_id', uuid);
  if (checks.failed) return checks.reply();
  const user = call.store.get(userId);
  return user ? ok({ user_id: user.user_id, sign_in_token: token(32) }) : fail(404, USER_NOT_FOUND);
}

function portalUrl(call: Call): Reply {
  const checks = new Checks(call);
  const userId = checks.path('user_id', uuid);
  const body = checks.body(CreateUserPortalURLBody);
  if (checks.failed) return checks.reply();
  if (!call.store.get(userId)) return fail(404, USER_NOT_FOUND);
  const context = body.context as keyof typeof PORTAL_URL_TTL_SECONDS;
  const url = context === 'launch' ? `${call.origin}/portal/launch?token=${token(48)}` : `${call.origin}/p/${token(6)}`;
  return ok({ url, expires_in: PORTAL_URL_TTL_SECONDS[context] });
}

/** Registers the token routes. */
export function registerTokenRoutes(router: Router): void {
  router
    .add('POST', '/v2/user/{user_id}/sign_in_token', signInToken)
    .add('POST', '/v2/user/{user_id}/create_portal_url', portalUrl);
}
