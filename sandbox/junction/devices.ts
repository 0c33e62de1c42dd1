/** `/v2/user/{user_id}/device`: the devices seen for a user (one is seeded at creation). */
import { fail, ok, type Call, type Reply, type Router } from './http.js';
import { USER_NOT_FOUND } from './users.js';
import { Checks, uuid } from './validation.js';

function listDevices(call: Call): Reply {
  const checks = new Checks(call);
  const userId = checks.path('user_id', uuid);
  if (checks.failed) return checks.reply();
  const user = call.store.get(userId);
  return user ? ok(user.devices) : fail(404, USER_NOT_FOUND);
}

function getDevice(call: Call): Reply {
  const checks = new Checks(call);
  const userId = checks.path('user_id', uuid);
  const deviceId = checks.path('device_id', uuid);
  if (checks.failed) return checks.reply();
  const user = call.store.get(userId);
  if (!user) return fail(404, USER_NOT_FOUND);
  const device = user.devices.find((d) => d.id === deviceId);
  return device ? ok(device) : fail(404, 'Device not found.');
}

/** Registers the device routes. */
export function registerDeviceRoutes(router: Router): void {
  router
    .add('GET', '/v2/user/{user_id}/device', listDevices)
    .add('GET', '/v2/user/{user_id}/device/{device_id}', getDevice);
}
