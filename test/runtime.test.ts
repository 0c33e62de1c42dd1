import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRuntime, loadCapability, type Capability, type Runtime } from '../runtime/index.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';
import { failure } from './support/failure.js';

const TOKEN = 'tok-SECRET-9f8e7d';
const FILE_KEY = 'key-from-file-123';
let server: RecordingServer;
let capability: Capability;
let runtime: Runtime;

beforeAll(async () => {
  server = await startRecordingServer();
  capability = await loadCapability(new URL('./fixtures/features.yaml', import.meta.url));
  runtime = createRuntime(capability, {
    env: { FEAT_TOKEN: TOKEN, BASIC_USER: 'ann', BASIC_PASS: 'pa:ss' },
    baseUri: server.url,
    retry: { limit: 0 },
  });
});
afterAll(async () => {
  runtime.close();
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.handler = () => ({});
});

describe('path parameters', () => {
  test('each value is one percent-encoded segment', async () => {
    for (const [value, encoded] of [
      ['a/b', 'a%2Fb'],
      ['../../admin', '..%2F..%2Fadmin'],
      ['x?y=1#z', 'x%3Fy%3D1%23z'],
      ['sp ace', 'sp%20ace'],
      ['héllo✓', 'h%C3%A9llo%E2%9C%93'],
      ['http://evil.example', 'http%3A%2F%2Fevil.example'],
    ]) {
      await runtime.invoke('get-item', { item_id: value });
      expect(server.requests.at(-1)!.url).toBe(`/items/${encoded}?sort=asc`);
    }
  });

  test('dot segments and empty values are refused before sending', async () => {
    for (const value of ['..', '.', '']) {
      const error = await failure(runtime.invoke('get-item', { item_id: value }));
      expect(error.code).toBe('INPUT_INVALID');
      expect(error.message).toContain("'item_id'");
    }
    expect(server.requests).toHaveLength(0);
  });

  test('{{x}} placeholders and undeclared placeholders are filled from inputs', async () => {
    await runtime.invoke('list-crew', { imo: 'IMO 9' });
    await runtime.invoke('list-teams', { org: 'acme' });
    expect(server.requests.map((r) => r.url)).toEqual(['/ships/IMO%209/crew', '/orgs/acme/teams']);
    const error = await failure(runtime.invoke('list-teams', {}));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toContain("'org'");
  });
});

describe('query, headers and cookies', () => {
  test('typed values, arrays as repeated keys, declaration order, defaults, absent values omitted', async () => {
    await runtime.invoke('get-item', { item_id: '1', tags: ['a', 'b c'], limit: '10', ratio: '2.5', active: 'false', session: 's=1', 'X-Trace': 't-1', code: undefined });
    const [request] = server.requests;
    expect(request.url).toBe('/items/1?limit=10&ratio=2.5&active=false&tags=a&tags=b%20c&sort=asc');
    expect(request.headers['x-trace']).toBe('t-1');
    expect(request.headers['x-client']).toBe('naftiko-tests');
    expect(request.headers.cookie).toBe('session=s%3D1');
    expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  test('null inputs are omitted, never sent as text', async () => {
    await runtime.invoke('get-item', { item_id: '1', limit: null });
    expect(server.requests.at(-1)!.url).toBe('/items/1?sort=asc');
  });

  test('type, enum and pattern errors name the parameter and send nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ limit: 'ten' }, "parameter 'limit' (query, integer) must be an integer (got \"ten\")"],
      [{ limit: '1.5' }, 'must be an integer'],
      [{ ratio: 'x' }, "parameter 'ratio' (query, number) must be a number"],
      [{ active: 'yes' }, 'must be a boolean (true or false)'],
      [{ sort: 'up' }, 'must be one of "asc", "desc" (got "up")'],
      [{ code: 'abcd' }, 'must match pattern ^[A-Z]{3}$'],
      [{ tags: '{"a":1}' }, "parameter 'tags' (query, array) must be an array"],
      [{ 'X-Trace': 'a\r\nInjected: 1' }, "header 'X-Trace' contains a line break"],
    ];
    for (const [inputs, message] of cases) {
      const error = await failure(runtime.invoke('get-item', { item_id: '1', ...inputs }));
      expect(error.code).toBe('INPUT_INVALID');
      expect(error.message).toContain(message);
      expect(error.operation).toBe('feat.get-item');
    }
    const missing = await failure(runtime.invoke('get-item', {}));
    expect(missing.message).toBe("feat.get-item: missing required parameter 'item_id' (path, string)");
    const unknown = await failure(runtime.invoke('get-item', { item_id: '1', limt: 3 }));
    expect(unknown.message).toContain("unknown input 'limt'; did you mean 'limit'?");
    expect(server.requests).toHaveLength(0);
  });

  test('a resource path may carry a fixed query; a parameter value template reads another input', async () => {
    await runtime.invoke('search', { userId: 'u 1' });
    expect(server.requests[0].url).toBe('/search?mode=fast&q=u%201');
  });

  test('placeholders inside a fixed query are filled and encoded, declared query parameters follow', async () => {
    await runtime.invoke('search-code', { owner: 'acme&co', name: 'a b', page: 2 });
    expect(server.requests[0].url).toBe('/code?q=repo:acme%26co/a%20b+lang:ts&page=2');
  });
});

describe('bodies', () => {
  const body = () => server.requests.at(-1)!;

  test('several in: body parameters become properties of one JSON object', async () => {
    await runtime.invoke('post-props', { name: 'n', size: '3' });
    expect(body().headers['content-type']).toBe('application/json');
    expect(body().body).toBe('{"name":"n","size":3}');
  });

  test('a parameter schema is enforced with ajv and errors name the JSON pointer', async () => {
    const error = await failure(runtime.invoke('post-schema', { payload: { member: { gender: 'other' } } }));
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toContain('at /member/first_name: is required');
    expect(error.message).toContain('at /member/gender: must be one of "female", "male"');
    expect(server.requests).toHaveLength(0);
    await runtime.invoke('post-schema', { payload: '{"member":{"first_name":"Jane"}}' });
    expect(JSON.parse(body().body)).toEqual({ member: { first_name: 'Jane' } });
  });

  test('json data templates keep the type of a whole-value placeholder', async () => {
    await runtime.invoke('post-json-data', { name: 'Ever Given', crew: ['a', 'b'] });
    expect(JSON.parse(body().body)).toEqual({ name: 'Ever Given', crew: ['a', 'b'], fixed: 1 });
  });

  test('raw JSON templates escape strings and write other values as JSON', async () => {
    await runtime.invoke('post-raw', { shipImo: 'IMO "9"', crewIds: [1, 2] });
    expect(body().headers['content-type']).toBe('application/json');
    expect(JSON.parse(body().body)).toEqual({ shipImo: 'IMO "9"', crewIds: [1, 2] });
  });

  test('text, form and multipart bodies', async () => {
    await runtime.invoke('post-text', { who: 'world' });
    expect(body().method).toBe('PUT');
    expect(body().headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(body().body).toBe('hello world');

    await runtime.invoke('post-form', { scope: 'read write' });
    expect(body().headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(body().body).toBe('grant_type=client_credentials&scope=read+write');

    await runtime.invoke('post-multipart', { content: 'file body' });
    const type = String(body().headers['content-type']);
    const boundary = type.split('boundary=')[1];
    expect(type).toMatch(/^multipart\/form-data; boundary=naftiko-[0-9a-f]{24}$/);
    expect(body().body).toBe(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--${boundary}--\r\n`,
    );
  });

  test('body: {type: json} without data takes the body input', async () => {
    await runtime.invoke('post-json-input', { body: [{ a: 1 }] });
    expect(body().body).toBe('[{"a":1}]');
    const error = await failure(runtime.invoke('post-json-input', {}));
    expect(error.message).toContain("missing required parameter 'body'");
  });
});

describe('secrets and auth', () => {
  test('apikey in the query from a bind file; errors and prepare() never show it', async () => {
    await runtime.invoke('list-things');
    expect(server.requests[0].url).toBe(`/things?api_key=${FILE_KEY}`);
    const prepared = runtime.prepare('list-things');
    expect(prepared.url).toBe(`${server.url}/things?api_key=***`);
    server.handler = () => ({ status: 401, body: { detail: `bad key ${FILE_KEY}` } });
    const error = await failure(runtime.invoke('list-things'));
    expect(error.code).toBe('HTTP_ERROR');
    expect(JSON.stringify(error.toJSON())).not.toContain(FILE_KEY);
    expect(error.message).not.toContain(FILE_KEY);
    expect(error.toJSON()).toMatchObject({ code: 'HTTP_ERROR', status: 401, method: 'GET', url: `${server.url}/things?api_key=***`, body: { detail: 'bad key ***' } });
  });

  test('basic auth', async () => {
    await runtime.invoke('whoami');
    expect(server.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('ann:pa:ss').toString('base64')}`);
    expect(runtime.prepare('whoami').headers.authorization).toBe('Basic ***');
  });

  test('a missing secret stops the call before anything is sent, naming the variable and the operation', async () => {
    const bare = createRuntime(capability, { env: {}, baseUri: server.url });
    const error = await failure(bare.invoke('get-item', { item_id: '1' }));
    expect(error.code).toBe('SECRET_MISSING');
    expect(error.message).toBe('feat.get-item: secret {{env.FEAT_TOKEN}} is unavailable: environment variable FEAT_TOKEN is not set');
    expect(error.toJSON()).toMatchObject({ operation: 'feat.get-item', variable: 'FEAT_TOKEN' });
    const fromFile = await failure(bare.invoke('needs-missing'));
    expect(fromFile.code).toBe('SECRET_MISSING');
    expect(fromFile.message).toContain("key 'not-in-file' is missing from bind file file:///./shared/keys.yaml");
    expect(server.requests).toHaveLength(0);
    bare.close();
  });

  test('prepare() resolves everything, masks secrets and sends nothing', () => {
    const prepared = runtime.prepare('post-props', { name: 'n' });
    expect(prepared).toEqual({
      operation: 'feat.post-props',
      method: 'POST',
      url: `${server.url}/bodies`,
      headers: { 'X-Client': 'naftiko-tests', authorization: 'Bearer ***', 'content-type': 'application/json', 'user-agent': 'naftiko-runtime', accept: 'application/json' },
      body: { name: 'n' },
    });
    expect(JSON.stringify(prepared)).not.toContain(TOKEN);
    expect(server.requests).toHaveLength(0);
  });
});

describe('operation names', () => {
  test('namespace-qualified names, did-you-mean and ambiguity', async () => {
    await runtime.invoke('feat.get-item', { item_id: '1' });
    expect(server.requests).toHaveLength(1);
    const typo = await failure(() => runtime.find('get-itme'));
    expect(typo.code).toBe('OPERATION_NOT_FOUND');
    expect(typo.message).toBe("no operation named 'get-itme'; did you mean 'feat.get-item'?");
    const ambiguous = await failure(() => runtime.find('get'));
    expect(ambiguous.code).toBe('OPERATION_NOT_FOUND');
    expect(ambiguous.message).toBe("operation name 'get' is ambiguous: use one of keyed.things.get, keyed.other.get");
    await runtime.invoke('keyed.other.get');
    expect(server.requests.at(-1)!.url).toBe(`/other?api_key=${FILE_KEY}`);
  });

  test('operations describe their inputs as a JSON Schema', () => {
    const op = runtime.find('feat.get-item');
    expect(op).toMatchObject({ namespace: 'feat', name: 'get-item', id: 'feat.get-item', method: 'GET', path: '/items/{item_id}' });
    expect(op.inputs.required).toEqual(['item_id']);
    expect((op.inputs.properties as Record<string, unknown>).sort).toEqual({ type: 'string', enum: ['asc', 'desc'], default: 'asc', 'x-in': 'query' });
  });
});

describe('responses and outputs', () => {
  test('JSONPath outputs: one match, wildcards, none, coercion', async () => {
    server.handler = () => ({ body: { id: 7, count: '5', children: [{ name: 'a' }, { name: 'b' }] } });
    expect(await runtime.invoke('get-item', { item_id: '1' })).toEqual({ id: '7', count: 5, names: ['a', 'b'], missing: null });
  });

  test('an impossible coercion is OUTPUT_INVALID', async () => {
    server.handler = () => ({ body: { id: 'x', count: 'many' } });
    const error = await failure(runtime.invoke('get-item', { item_id: '1' }));
    expect(error.code).toBe('OUTPUT_INVALID');
    expect(error.message).toContain('count');
  });

  test('raw formats are converted before JSONPath, operations without outputs return result', async () => {
    server.handler = () => ({ headers: { 'content-type': 'text/csv' }, body: 'id,name\n1,"a, b"\n' });
    expect(await runtime.invoke('get-csv')).toEqual({ rows: [{ id: '1', name: 'a, b' }] });
    server.handler = () => ({ headers: { 'content-type': 'application/xml' }, body: '<root><user><id>1</id></user><user><id>2</id></user></root>' });
    expect(await runtime.invoke('get-xml')).toEqual({ users: [{ id: '1' }, { id: '2' }] });
    server.handler = () => ({ body: { any: ['thing'] } });
    expect(await runtime.invoke('get-raw')).toEqual({ result: { any: ['thing'] } });
    server.handler = () => ({ status: 204 });
    expect(await runtime.invoke('get-item', { item_id: '1' })).toEqual({ id: null, count: null, names: null, missing: null });
  });

  test('invalid JSON is RESPONSE_INVALID', async () => {
    server.handler = () => ({ headers: { 'content-type': 'application/json' }, body: '{nope' });
    const error = await failure(runtime.invoke('get-raw'));
    expect(error.code).toBe('RESPONSE_INVALID');
    expect(error.message).toContain('feat.get-raw');
  });

  test('HTTP errors carry status, parsed body, method and URL', async () => {
    server.handler = () => ({ status: 404, body: { detail: 'User not found' } });
    const error = await failure(runtime.invoke('get-item', { item_id: 'u1' }));
    expect(error.toJSON()).toEqual({
      name: 'HttpError',
      code: 'HTTP_ERROR',
      operation: 'feat.get-item',
      message: `feat.get-item: GET ${server.url}/items/u1?sort=asc answered 404: User not found`,
      retryable: false,
      status: 404,
      body: { detail: 'User not found' },
      method: 'GET',
      url: `${server.url}/items/u1?sort=asc`,
    });
  });

  test('one runtime serves many concurrent invocations', async () => {
    server.handler = (r) => ({ body: { id: r.url.split('/')[2].split('?')[0] } });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => runtime.invoke('get-item', { item_id: String(i) })));
    expect(results.map((r) => r.id)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
  });
});

describe('network failures', () => {
  test('a closed port is NETWORK, a slow server is TIMEOUT, an abort is ABORTED', async () => {
    const closed = createRuntime(capability, { env: { FEAT_TOKEN: TOKEN }, baseUri: 'http://127.0.0.1:9', retry: { limit: 0 } });
    const network = await failure(closed.invoke('get-item', { item_id: '1' }));
    expect(network.code).toBe('NETWORK');
    expect(JSON.stringify(network.toJSON())).not.toContain(TOKEN);
    closed.close();

    server.handler = () => new Promise((resolve) => setTimeout(() => resolve({}), 500));
    const timeout = await failure(runtime.invoke('get-item', { item_id: '1' }, { timeout: 50 }));
    expect(timeout.code).toBe('TIMEOUT');

    const controller = new AbortController();
    const pending = runtime.invoke('get-item', { item_id: '1' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await failure(pending)).code).toBe('ABORTED');
  });
});
