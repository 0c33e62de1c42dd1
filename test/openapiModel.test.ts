/**
 * The importer's model and its two writers: pagination, async and OAuth2 client credentials are
 * mapped to the issue-9 vocabulary and written only when switched on; the ikanos writer's output is
 * valid against the official 1.0.0-beta5 JSON Schema.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { importOpenApi, type ReportEntry } from '../runtime/openapi/index.js';
import { RUNTIME_VOCABULARY } from '../runtime/openapi/model.js';
import { envName, kebab, operationNameFromPath, resourceNameFromPath } from '../runtime/openapi/naming.js';
import { fixture, importCapability } from './support/importCapability.js';

const JOBS = fixture('openapi/pagination-async.yaml');
const ALL_ON = { pagination: true, async: true, oauth2ClientCredentials: true };

type Operation = Record<string, unknown>;

function operations(document: Record<string, unknown>): Record<string, Operation> {
  const consumes = (document.capability as { consumes: Array<{ resources: Array<{ operations: Operation[] }> }> }).consumes[0];
  return Object.fromEntries(consumes.resources.flatMap((r) => r.operations).map((o) => [String(o.name), o]));
}

function pending(report: ReportEntry[]): string[] {
  return report.filter((e) => e.kind === 'not-expressible-yet').map((e) => e.message);
}

describe('pagination, async jobs and OAuth2 client credentials (issue 9 vocabulary)', () => {
  test('are mapped into the model from x-speakeasy-pagination, x-pagination, a 202 link and a clientCredentials scheme', async () => {
    const { model } = await importOpenApi(JOBS);
    const byName = Object.fromEntries(model.resources.flatMap((r) => r.operations).map((o) => [o.name, o]));
    expect(byName.listRecords.pagination).toEqual({ type: 'offset', offset: 'offset', limit: 'limit', items: '$.data' });
    expect(byName.listEvents.pagination).toEqual({ type: 'cursor', cursor: 'starting_after', nextCursor: '$.meta.next_cursor', limit: 'page_size', items: '$.events' });
    expect(byName.listExports.pagination).toBeUndefined();
    expect(byName.submitJob.async).toEqual({ id: '$.data.job_id', poll: { operation: 'getJob', with: { job_id: '{{id}}', queue: '{{queue}}' } } });
    expect(model.auth).toEqual({
      type: 'oauth2',
      flow: 'clientCredentials',
      tokenEndpoint: 'https://auth.jobs.example.com/oauth/token',
      scopes: ['jobs:read'],
      clientIdVariable: 'JOBS_API_CLIENT_ID',
      clientSecretVariable: 'JOBS_API_CLIENT_SECRET',
      tokenVariable: 'JOBS_API_TOKEN',
    });
  });

  test('while the runtime does not accept them, they are left out, reported with their switch, and the file validates without warnings', async () => {
    expect(RUNTIME_VOCABULARY).toEqual({ pagination: false, async: false, oauth2ClientCredentials: false });
    const { result, diagnostics } = await importCapability(JOBS);
    expect(diagnostics).toEqual([]);
    const ops = operations(result.document);
    expect(ops.listRecords.pagination).toBeUndefined();
    expect(ops.submitJob.async).toBeUndefined();
    const consumes = (result.document.capability as { consumes: Array<Record<string, unknown>> }).consumes[0];
    expect(consumes.authentication).toEqual({ type: 'bearer', token: '{{JOBS_API_TOKEN}}' });
    const messages = pending(result.report);
    expect(messages).toHaveLength(4);
    expect(messages[0]).toContain('switch: RUNTIME_VOCABULARY.pagination in runtime/openapi/model.ts');
    expect(messages[2]).toContain('switch: RUNTIME_VOCABULARY.async in runtime/openapi/model.ts');
    expect(messages[3]).toContain('switch: RUNTIME_VOCABULARY.oauth2ClientCredentials in runtime/openapi/model.ts');
  });

  test('switched on, the naftiko writer emits them in the issue 9 vocabulary and reports nothing pending', async () => {
    const result = await importOpenApi(JOBS, { vocabulary: ALL_ON });
    const ops = operations(result.document);
    expect(ops.listRecords.pagination).toEqual({ type: 'offset', offset: 'offset', limit: 'limit', items: '$.data' });
    expect(ops.submitJob.async).toEqual({ id: '$.data.job_id', poll: { operation: 'getJob', with: { job_id: '{{id}}', queue: '{{queue}}' } } });
    const consumes = (result.document.capability as { consumes: Array<Record<string, unknown>> }).consumes[0];
    expect(consumes.authentication).toEqual({
      type: 'oauth2',
      flow: 'clientCredentials',
      tokenEndpoint: 'https://auth.jobs.example.com/oauth/token',
      clientId: '{{JOBS_API_CLIENT_ID}}',
      clientSecret: '{{JOBS_API_CLIENT_SECRET}}',
      scopes: ['jobs:read'],
    });
    expect(result.document.binds).toEqual([{ namespace: 'env', keys: { JOBS_API_CLIENT_ID: 'JOBS_API_CLIENT_ID', JOBS_API_CLIENT_SECRET: 'JOBS_API_CLIENT_SECRET' } }]);
    expect(pending(result.report)).toEqual([]);
  });

  test('hints that have no equivalent are reported as not expressible', async () => {
    const { report } = await importOpenApi(JOBS);
    const lost = report.filter((e) => e.kind === 'not-expressible').map((e) => `${e.subject}: ${e.message}`);
    expect(lost).toEqual([
      "GET /exports (listExports): x-speakeasy-pagination type 'url' has no equivalent (offset, page, cursor and Link-header pagination do)",
      'POST /legacy-jobs (submitLegacyJob): the 202 response points at its job with a Location header; polling a URL has no equivalent (an OpenAPI link to the status operation does)',
    ]);
  });
});

describe('--format ikanos', () => {
  const schema = JSON.parse(readFileSync(fixture('openapi/ikanos-beta5/ikanos-schema.json'), 'utf8')) as Record<string, unknown>;
  const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
  const sources = [
    'junction/openapi-users.json',
    'junction/openapi-org-custom-credentials.json',
    'openapi/shipyard/naftiko-shipyard-maritime-registry-api.yaml',
    'openapi/shipyard/naftiko-shipyard-legacy-dockyard-api.yaml',
    'openapi/petstore-swagger2.yaml',
    'openapi/petstore-oas30.yaml',
    'openapi/petstore-oas31.json',
    'openapi/no-operation-ids.yaml',
    'openapi/security-schemes.yaml',
    'openapi/circular.yaml',
    'openapi/pagination-async.yaml',
  ];

  test.each(sources)('%s gives a document valid against the official beta5 schema', async (source) => {
    const result = await importOpenApi(fixture(source), { format: 'ikanos' });
    const valid = validate(result.document);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(result.document.ikanos).toBe('1.0.0-beta5');
  });

  test('the same model as the naftiko output: names made kebab-case, parameters keyed by name, losses reported', async () => {
    const naftiko = await importOpenApi(fixture('junction/openapi-users.json'), { namespace: 'users' });
    const ikanos = await importOpenApi(fixture('junction/openapi-users.json'), { namespace: 'users', format: 'ikanos' });
    expect(ikanos.model).toEqual(naftiko.model);
    const consumes = (ikanos.document.capability as { consumes: Array<{ resources: Record<string, { path: string; operations: Record<string, Record<string, unknown>> }> }> }).consumes[0];
    const user = consumes.resources['v2-user-user-id'];
    expect(user.path).toBe('/v2/user/{user_id}');
    expect(Object.keys(user.operations)).toEqual(['patch-user-v2-user-user-id-patch', 'delete-user-v2-user-user-id-delete', 'get-user-v2-user-user-id-get']);
    expect(user.operations['patch-user-v2-user-user-id-patch'].inputParameters).toEqual({ user_id: { in: 'path' }, body: { in: 'body' } });
    expect(ikanos.report.map((e) => e.message)).toContain('input parameters carry only `in` and `value`: types, required, enums, patterns, defaults, descriptions and JSON Schemas are left out');
  });
});

describe('names', () => {
  test.each([
    ['GET', '/pets', 'list-pets'],
    ['GET', '/pets/{petId}', 'get-pets-by-pet-id'],
    ['POST', '/pets', 'create-pets'],
    ['PUT', '/pets/{petId}', 'replace-pets-by-pet-id'],
    ['PATCH', '/pets/{petId}', 'update-pets-by-pet-id'],
    ['DELETE', '/stores/{store_id}/orders/{orderId}', 'delete-stores-by-store-id-orders-by-order-id'],
    ['HEAD', '/', 'head'],
  ])('%s %s is named %s', (method, path, name) => {
    expect(operationNameFromPath(method, path)).toBe(name);
  });

  test('resources, namespaces and environment variables', () => {
    expect(resourceNameFromPath('/v2/user/{user_id}/insurance')).toBe('v2-user-user-id-insurance');
    expect(resourceNameFromPath('/')).toBe('root');
    expect(kebab('Swagger Petstore (v2)')).toBe('swagger-petstore-v2');
    expect(envName('vitable-groups')).toBe('VITABLE_GROUPS');
    expect(envName('3d-api')).toBe('API_3D_API');
  });
});
