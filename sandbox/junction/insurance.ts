/** `/v2/user/{user_id}/insurance`: insurance records, newest wins per primary/secondary slot. */
import { fail, ok, type Call, type Reply, type Router } from './http.js';
import { CreateInsuranceRequest } from './schemas.js';
import { USER_NOT_FOUND } from './users.js';
import { Checks } from './validation.js';

/**
 * `CompanyDetails` for a payor code. The real API looks the code up in its payor directory; the
 * sandbox accepts any code and invents a company for it.
 */
function companyFor(payorCode: string): Record<string, unknown> {
  return {
    name: `${payorCode} Health Plan`,
    address: { first_line: '1 Sandbox Way', second_line: '', country: 'US', zip: '10001', city: 'New York', state: 'NY', access_notes: null },
  };
}

function createInsurance(call: Call): Reply {
  const checks = new Checks(call);
  const request = checks.body(CreateInsuranceRequest);
  if (checks.failed) return checks.reply();
  const user = call.store.get(call.params.user_id);
  if (!user) return fail(404, USER_NOT_FOUND);
  const insurance = {
    member_id: request.member_id,
    payor_code: request.payor_code,
    relationship: request.relationship,
    insured: request.insured,
    company: companyFor(request.payor_code as string),
    group_id: request.group_id,
    guarantor: request.guarantor,
    is_primary: request.is_primary,
  };
  user.insurances.push(insurance);
  return ok(insurance);
}

function latestInsurance(call: Call): Reply {
  const checks = new Checks(call);
  const isPrimary = checks.booleanQuery('is_primary', true);
  if (checks.failed) return checks.reply();
  const user = call.store.get(call.params.user_id);
  if (!user) return fail(404, USER_NOT_FOUND);
  const latest = user.insurances.findLast((insurance) => insurance.is_primary === isPrimary);
  return latest ? ok(latest) : fail(404, 'Insurance not found.');
}

/** Registers the insurance routes. */
export function registerInsuranceRoutes(router: Router): void {
  router
    .add('POST', '/v2/user/{user_id}/insurance', createInsurance)
    .add('GET', '/v2/user/{user_id}/insurance/latest', latestInsurance);
}
