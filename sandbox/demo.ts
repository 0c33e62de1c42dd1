/**
 * `npm run demo`: walks a user's lifecycle through the runtime against a local Junction sandbox, then
 * Vitable groups against a local Vitable stand-in: every page of a list, and a member sync submitted
 * and waited for. Every step is an operation invoked by name, exactly as an application would against
 * the real APIs. Needs no API key: the sandboxes' keys are handed to the runtime.
 */
import { createRuntime, loadCapability, NaftikoError, type Runtime } from '../runtime/index.js';
import { SANDBOX_API_KEY, startJunctionSandbox, type JunctionSandbox } from './junction.js';
import { SANDBOX_VITABLE_KEY, startVitableSandbox, type VitableSandbox } from './vitable.js';

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

  /** Reads every page of `operation` through `runtime.items` and prints `summary(records, pages)`. */
  async all(operation: string, inputs: Record<string, unknown>, summary: (records: unknown[], pages: number) => Record<string, unknown>): Promise<void> {
    this.count += 1;
    console.log(`\n${String(this.count).padStart(2)}. ${operation} (every page)   ${show(inputs)}`);
    const records: unknown[] = [];
    let pages = 0;
    for await (const record of this.runtime.items(operation, inputs, { onPage: (progress) => (pages = progress.pages) })) records.push(record);
    console.log(`    → ${show(summary(records, pages))}`);
  }

  /** Submits the job of `operation`, waits for it with a line per poll, and prints `summary(outputs)`. */
  async wait(operation: string, inputs: Record<string, unknown>, keyInputs: Record<string, unknown>, summary: (outputs: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
    this.count += 1;
    console.log(`\n${String(this.count).padStart(2)}. ${operation} (submit and wait)   ${show(keyInputs)}`);
    const outputs = await this.runtime.invoke(operation, inputs, {
      wait: true,
      onProgress: (progress) => console.log(`    … job ${progress.handle.id} running (poll ${progress.polls}, ${(progress.elapsedMs / 1000).toFixed(1)} s)`),
    });
    console.log(`    → ${show(summary(outputs))}`);
  }

  get steps(): number {
    return this.count;
  }
}

async function walk(demo: Walkthrough): Promise<void> {
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
}

/** Vitable groups: create one, read every page of the list, sync members and wait for the result. */
async function walkVitable(demo: Walkthrough): Promise<void> {
  const reference = `demo_${Date.now().toString(36)}`;
  const group = await demo.step('vitable-groups.create-group', { name: 'Demo tier', external_reference_id: reference }, { name: 'Demo tier' }, (o) => ({ id: o.id, created_at: o.created_at }));
  await demo.all('vitable-groups.list-groups', { limit: 2 }, (records, pages) => ({ groups: records.length, pages, names: records.map((g) => record(g).name) }));
  const member = (reference_id: string, plan_id: string, first_name: string) => ({
    reference_id,
    plan_id,
    first_name,
    last_name: 'Doe',
    date_of_birth: '1990-05-15',
    phone: '4155550100',
    address: { address_line_1: '123 Main Street', city: 'San Francisco', state: 'CA', zipcode: '94102' },
  });
  const members = [member('EMP-001', 'pln_gold', 'Jane'), member('EMP-002', 'gold', 'John'), member('EMP-003', 'pln_silver', 'Ada')];
  await demo.wait('vitable-groups.submit-member-sync', { group_id: group.id, body: { members } }, { group_id: group.id, members: members.length }, (o) => ({
    completed_at: o.completed_at,
    added: (o.added_group_member_ids as unknown[]).length,
    failures: (o.failures as Array<Record<string, unknown>>).map((f) => `${String(f.reference_id)}: ${String(f.reason)}`),
  }));
}

function describeFailure(error: unknown): string {
  if (error instanceof NaftikoError) return `${error.code}: ${error.message}`;
  const code = record(error).code;
  const message = error instanceof Error ? error.message : String(error);
  return `${typeof code === 'string' ? code : 'UNEXPECTED'}: ${message}`;
}

async function main(): Promise<number> {
  let junction: JunctionSandbox | undefined;
  let vitable: VitableSandbox | undefined;
  let runtime: Runtime | undefined;
  try {
    junction = await startJunctionSandbox();
    vitable = await startVitableSandbox({ seedGroups: 4, syncMs: 1_200 });
    console.log(`Junction sandbox on ${junction.url}, Vitable sandbox on ${vitable.url}`);
    const capabilities = await Promise.all(['vital-users.yaml', 'vital-insurance.yaml', 'vitable-groups.yaml'].map((file) => loadCapability(capability(file))));
    runtime = createRuntime(capabilities, {
      env: { VITAL_API_KEY: SANDBOX_API_KEY, VITABLE_CONNECT_API_KEY: SANDBOX_VITABLE_KEY },
      baseUris: { users: junction.url, insurance: junction.url, 'vitable-groups': vitable.url },
    });
    const demo = new Walkthrough(runtime);
    await walk(demo);
    await walkVitable(demo);
    console.log(`\n✓ ${demo.steps} operations, ${junction.requests.length + vitable.requests.length} HTTP requests to the sandboxes.`);
    return 0;
  } catch (error) {
    console.error(`\n✗ ${describeFailure(error)}`);
    return 1;
  } finally {
    runtime?.close();
    await junction?.close();
    await vitable?.close();
  }
}

// Exit explicitly: the outcome is known, and nothing left open should keep the demo alive.
main().then((code) => process.exit(code));
