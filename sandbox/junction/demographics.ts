/** `/v2/user/{user_id}/info`: the user's demographics, replaced as a whole on every PATCH. */
import { fail, ok, type Call, type Reply, type Router } from './http.js';
import { UserInfoCreateRequest } from './schemas.js';
import { USER_NOT_FOUND } from './users.js';
import { Checks } from './validation.js';

function setDemographics(call: Call): Reply {
  const checks = new Checks(call);
  const info = checks.body(UserInfoCreateRequest);
  if (checks.failed) return checks.reply();
  const user = call.store.get(call.params.user_id);
  if (!user) return fail(404, USER_NOT_FOUND);
  user.info = info;
  return ok(info);
}

function latestDemographics(call: Call): Reply {
  const user = call.store.get(call.params.user_id);
  if (!user) return fail(404, USER_NOT_FOUND);
  return user.info ? ok(user.info) : fail(404, 'User info not found.');
}

/** Registers the demographics routes. */
export function registerDemographicsRoutes(router: Router): void {
  router
    .add('PATCH', '/v2/user/{user_id}/info', setDemographics)
    .add('GET', '/v2/user/{user_id}/info/latest', latestDemographics);
}
