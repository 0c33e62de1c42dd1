/**
 * `npm run demo`: walks a user's lifecycle through the runtime against a local Junction sandbox,
 * invoking every step by operation name, exactly as an application would against the real API.
 * Needs no API key: the sandbox's key is handed to the runtime as `VITAL_API_KEY`.
 */
import { createRuntime, loadCapability, NaftikoError, type Runtime } from '../runtime/index.js';
import { SANDBOX_API_KEY, startJunctionSandbox, type JunctionSandbox } from './junction.js';

/** dist/sandbox/demo.js → the repository root is two levels up. */
const capability = (file: string): URL => new URL(`../../capabilities/${file}`, import.meta.url);

const address = { first_line: '123 Main St', city: 'San Francisco', state: 'CA', zip: '94105', country: 'US' };

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const show = (fields: Record<string, unknown>): string =>
  Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('  ');

/** Numbers and prints the steps as they run. */
class Walkthrough {
  private count = 0;

  constructor(private readonly runtime: Runtime) {}

  /** Invokes `operation`, prints the key inputs and `summary(outputs)`, and returns the outputs. */
  async step(operation: string, inputs: Record<string, unknown>, keyInputs: Record<string, unknown>, summary: (outputs: Record<string, unknown>) => Record<string, unknown>): Promise<Record<string, unknown>> {
    this.count += 1;
    console.log(`\n${String(this.count).padStart(2)}. ${operation}   ${show(keyInputs)}`);
    const outputs = await this.runtime.invoke(operation, inputs);
    console.log(`    → ${show(summary(outputs))}`);
    return outputs;
  }

  get steps(): number {
    return this.count;
  }
}

async function walk(sandbox: JunctionSandbox, runtime: Runtime): Promise<number> {
  const demo = new Walkthrough(runtime);
  const clientUserId = `demo-${Date.now().toString(36)}`;

  const created = await demo.step(
    'create_user_v2_user_post',
    { body: { client_user_id: clientUserId, fallback_time_zone: 'Europe/London' } },
    { client_user_id: clientUserId },
    (o) => ({ user_id: record(o.result).user_id, created_on: record(o.result).created_on }),
  );
  const userId = record(created.result).user_id as string;

  await demo.step('get_user_v2_user__user_id__get', { user_id: userId }, { user_id: userId }, (o) => {
    const user = record(o.result);
    return { client_user_id: user.client_user_id, time_zone: record(user.fallback_time_zone).id, connected_sources: (user.connected_sources as unknown[]).length };
  });

  await demo.step('get_teams_users_v2_user_get', { limit: 10 }, { limit: 10 }, (o) => {
    const page = record(o.result);
    return { total: page.total, returned: (page.users as unknown[]).length, offset: page.offset, limit: page.limit };
  });

  const policy = {
    payor_code: 'AETNA',
    member_id: 'M-1001',
    relationship: 'Self',
    insured: { first_name: 'Ada', last_name: 'Lovelace', gender: 'female', dob: '1985-12-10', email: 'ada@example.com', phone_number: '+14155550100', address },
  };
  const insuranceSummary = (o: Record<string, unknown>) => ({ member_id: o.member_id, payor_code: o.payor_code, company: o.company_name, is_primary: o.is_primary });
  await demo.step('insurance.create-insurance', { user_id: userId, body: policy }, { user_id: userId, payor_code: policy.payor_code, member_id: policy.member_id }, insuranceSummary);
  await demo.step('insurance.get-latest-insurance', { user_id: userId }, { user_id: userId }, insuranceSummary);

  await demo.step('delete_user_v2_user__user_id__delete', { user_id: userId }, { user_id: userId }, (o) => record(o.result));
  await demo.step('undo_user_delete_v2_user_undo_delete_post', { user_id: userId }, { user_id: userId }, (o) => record(o.result));

  console.log(`\n✓ ${demo.steps} operations, ${sandbox.requests.length} HTTP requests to the sandbox.`);
  return 0;
}

function describeFailure(error: unknown): string {
  if (error instanceof NaftikoError) return `${error.code}: ${error.message}`;
  const code = record(error).code;
  const message = error instanceof Error ? error.message : String(error);
  return `${typeof code === 'string' ? code : 'UNEXPECTED'}: ${message}`;
}

async function main(): Promise<number> {
  let sandbox: JunctionSandbox | undefined;
  let runtime: Runtime | undefined;
  try {
    sandbox = await startJunctionSandbox();
    console.log(`Junction sandbox on ${sandbox.url}`);
    const capabilities = await Promise.all([loadCapability(capability('vital-users.yaml')), loadCapability(capability('vital-insurance.yaml'))]);
    runtime = createRuntime(capabilities, {
      env: { VITAL_API_KEY: SANDBOX_API_KEY },
      baseUris: { users: sandbox.url, insurance: sandbox.url },
    });
    return await walk(sandbox, runtime);
  } catch (error) {
    console.error(`\n✗ ${describeFailure(error)}`);
    return 1;
  } finally {
    runtime?.close();
    await sandbox?.close();
  }
}

// Exit explicitly: the outcome is known, and nothing left open should keep the demo alive.
main().then((code) => process.exit(code));
