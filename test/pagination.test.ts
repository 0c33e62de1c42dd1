/**
 * `pagination:` against a real paged API: every style walks every record in order and stops where it
 * should, a walk is always bounded, a page token resumes a walk in another runtime, and the CLI's
 * `--all` writes NDJSON.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createRuntime, inspectCapability, loadCapability, type Capability, type PageProgress, type Runtime } from '../runtime/index.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';
import { pagedApi } from './support/pagedApi.js';
import { nextLink } from '../runtime/invoke/paginator.js';
import { failure } from './support/failure.js';
import { BASE_ENV, naftiko } from './support/cli.js';
import { runCli } from '../runtime/cli/runCli.js';

const FILE = new URL('./fixtures/behaviours/pages.yaml', import.meta.url);
const KEY = 'keyed-api-key-5e6f';
let server: RecordingServer;
let capability: Capability;
let runtime: Runtime;

beforeAll(async () => {
  server = await startRecordingServer(pagedApi());
  capability = await loadCapability(FILE);
  runtime = createRuntime(capability, { baseUri: server.url, env: { KEYED_API_KEY: KEY }, retry: { limit: 0 } });
});
afterAll(async () => {
  runtime.close();
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.handler = pagedApi();
});

async function collect(name: string, inputs: Record<string, unknown> = {}, options: Parameters<Runtime['items']>[2] = {}): Promise<number[]> {
  const ids: number[] = [];
  for await (const record of runtime.items(name, inputs, options)) ids.push((record as { id: number }).id);
  return ids;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const urls = () => server.requests.map((r) => r.url);

describe('each style reads every record, in order', () => {
  test('offset: the offset grows by the records read; a page shorter than the limit is the last', async () => {
    expect(await collect('list-offset')).toEqual(range(1, 25));
    expect(urls()).toEqual(['/offset?offset=0&limit=10', '/offset?offset=10&limit=10', '/offset?offset=20&limit=10']);
  });

  test("offset: the caller's inputs are the start", async () => {
    expect(await collect('list-offset', { offset: 18, limit: 4 })).toEqual(range(19, 25));
    expect(urls()).toEqual(['/offset?offset=18&limit=4', '/offset?offset=22&limit=4']);
  });

  test('offset: total ends the walk without asking for an empty page', async () => {
    server.handler = pagedApi({ total: 20 });
    expect(await collect('list-offset-total')).toEqual(range(1, 20));
    expect(urls()).toEqual(['/offset?offset=0&limit=10', '/offset?offset=10&limit=10']);
  });

  test('offset: an empty page ends the walk', async () => {
    server.handler = pagedApi({ total: 20 });
    expect(await collect('list-offset')).toEqual(range(1, 20));
    expect(urls()).toEqual(['/offset?offset=0&limit=10', '/offset?offset=10&limit=10', '/offset?offset=20&limit=10']);
  });

  test('page: page numbers from the default, a short page is the last', async () => {
    expect(await collect('list-page', { limit: 7 })).toEqual(range(1, 25));
    expect(urls()).toEqual(['/page?page=1&limit=7', '/page?page=2&limit=7', '/page?page=3&limit=7', '/page?page=4&limit=7']);
  });

  test('page: hasMore false ends the walk (no limit to compare with)', async () => {
    expect(await collect('list-more')).toEqual(range(1, 25));
    expect(urls()).toEqual(['/more?page=1', '/more?page=2', '/more?page=3']);
  });

  test('cursor: the next cursor from the body, has_more false at the end', async () => {
    expect(await collect('list-cursor', { limit: 10 })).toEqual(range(1, 25));
    expect(urls()).toEqual(['/cursor?limit=10', '/cursor?starting_after=10&limit=10', '/cursor?starting_after=20&limit=10']);
  });

  test('cursor: a missing or null next cursor ends the walk', async () => {
    server.handler = (r) => ({ body: { data: [{ id: r.url.includes('after') ? 2 : 1 }], ...(r.url.includes('after') ? { next_cursor: null } : { next_cursor: 'x' }) } });
    expect(await collect('list-cursor-loop')).toEqual([1, 2]);
    server.requests.length = 0;
    server.handler = () => ({ body: { data: [{ id: 1 }] } });
    expect(await collect('list-cursor-loop')).toEqual([1]);
    expect(server.requests).toHaveLength(1);
  });

  test('cursor: a cursor that comes back ends the walk instead of looping', async () => {
    expect(await collect('list-cursor-loop')).toEqual([1, 2, 3, 1, 2, 3]);
    expect(urls()).toEqual(['/cursor-loop', '/cursor-loop?after=c1']);
  });

  test('cursor: the starting cursor counts as seen', async () => {
    expect(await collect('list-cursor-loop', { after: 'c1' })).toEqual([1, 2, 3]);
    expect(urls()).toEqual(['/cursor-loop?after=c1']);
  });

  test('link: rel="next" of the Link header, relative to the page, until there is none', async () => {
    expect(await collect('list-link', { per_page: 10 })).toEqual(range(1, 25));
    expect(urls()).toEqual(['/link?per_page=10', '/link?page=2&per_page=10', '/link?page=3&per_page=10']);
  });

  test('link: the next URL may be in the body', async () => {
    expect(await collect('list-link-body')).toEqual(range(1, 25));
    expect(urls()).toEqual(['/link-body', '/link-body?page=2', '/link-body?page=3']);
  });

  test('link: a next URL on another origin is refused, after the records already read', async () => {
    server.handler = pagedApi({ linkOrigin: 'http://127.0.0.2:8080' });
    const ids: number[] = [];
    const error = await failure(async () => {
      for await (const record of runtime.items('list-link')) ids.push((record as { id: number }).id);
    });
    expect(ids).toEqual(range(1, 10));
    expect(error).toMatchObject({ code: 'RESPONSE_INVALID', retryable: false });
    expect(error.message).toBe("pages.list-link: the next page's link points to another origin (http://127.0.0.2:8080); it is not followed, since the credentials would go with it");
    expect(server.requests).toHaveLength(1);
  });

  test("link: the namespace's query key goes with every page, never into a page token", async () => {
    server.handler = (request) => {
      const reply = pagedApi()(request) as { body: unknown; headers: Record<string, string> };
      // This server writes the key into its next links, as some do.
      reply.headers.link = reply.headers.link.replace(/<([^>]*page=[2-9][^>]*)>/, `<$1&api_key=${KEY}>`);
      return reply;
    };
    expect(await collect('list-keyed-link')).toHaveLength(25);
    expect(urls()).toEqual([`/link?per_page=10&api_key=${KEY}`, `/link?page=2&per_page=10&api_key=${KEY}`, `/link?page=3&per_page=10&api_key=${KEY}`]);
    const page = await runtime.invokePage('list-keyed-link');
    expect(Buffer.from(page.nextPageToken!, 'base64url').toString()).not.toContain(KEY);
  });
});

describe('a secret in a next link', () => {
  test('is masked like everything read from a response: it never reaches a page token', async () => {
    server.handler = (request) => {
      const reply = pagedApi()(request) as { body: unknown; headers: Record<string, string> };
      reply.headers.link = reply.headers.link.replace(/<([^>]*page=2[^>]*)>/, `<$1&sig=${KEY}>`);
      return reply;
    };
    const page = await runtime.invokePage('list-keyed-link');
    expect(Buffer.from(page.nextPageToken!, 'base64url').toString()).toContain('sig=***');
    expect(Buffer.from(page.nextPageToken!, 'base64url').toString()).not.toContain(KEY);
  });
});

describe('Link headers (RFC 8288)', () => {
  test.each([
    ['<https://a.test/p2>; rel="next"', 'https://a.test/p2'],
    ['<https://a.test/p2>; rel=next', 'https://a.test/p2'],
    ['<https://a.test/p1>; rel="prev", <https://a.test/p3>; rel="next"', 'https://a.test/p3'],
    ['<https://a.test/p3>; rel="next last"', 'https://a.test/p3'],
    ['<https://a.test/p3>; title="a, b; c"; REL="Next"', 'https://a.test/p3'],
    ['<https://a.test/?a=1,2>; rel="next"', 'https://a.test/?a=1,2'],
    ['<https://a.test/p1>; rel="prev"', undefined],
    ['<https://a.test/p1>; rel="nextpage"', undefined],
    ['', undefined],
  ])('%s → %s', (header, next) => {
    expect(nextLink(header)).toBe(next);
  });

  test('repeated Link headers are read together', () => {
    expect(nextLink(['<https://a.test/p1>; rel="prev"', '<https://a.test/p3>; rel="next"'])).toBe('https://a.test/p3');
  });
});

describe('a walk is always bounded', () => {
  test('maxPages in the file stops the walk, and the last progress says more pages exist', async () => {
    const progress: PageProgress[] = [];
    expect(await collect('list-offset-bounded', {}, { onPage: (p) => progress.push(p) })).toEqual(range(1, 10));
    expect(progress).toEqual([
      { pages: 1, records: 5, more: true },
      { pages: 2, records: 10, more: true },
    ]);
  });

  test('maxPages from the caller wins', async () => {
    expect(await collect('list-offset', {}, { maxPages: 1 })).toEqual(range(1, 10));
    expect(server.requests).toHaveLength(1);
  });

  test('the last progress of a complete walk says no more', async () => {
    const progress: PageProgress[] = [];
    await collect('list-page', {}, { onPage: (p) => progress.push(p) });
    expect(progress.at(-1)).toEqual({ pages: 3, records: 25, more: false });
  });

  test('breaking out of the loop sends nothing more', async () => {
    for await (const record of runtime.items('list-offset')) if ((record as { id: number }).id === 3) break;
    expect(server.requests).toHaveLength(1);
  });

  test('an abort stops the walk', async () => {
    const controller = new AbortController();
    const error = await failure(async () => {
      for await (const record of runtime.items('list-offset', {}, { signal: controller.signal })) if ((record as { id: number }).id === 10) controller.abort();
    });
    expect(error.code).toBe('ABORTED');
    expect(server.requests).toHaveLength(1);
  });
});

describe('invokePage and its token', () => {
  test('one page at a time: records, outputs and an opaque token, null on the last page', async () => {
    const first = await runtime.invokePage('list-page', { limit: 10 });
    expect(first.items).toHaveLength(10);
    expect(first.outputs).toEqual({ page: 1 });
    expect(typeof first.nextPageToken).toBe('string');
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);

    const second = await runtime.invokePage('list-page', { limit: 10 }, { pageToken: first.nextPageToken });
    const third = await runtime.invokePage('list-page', { limit: 10 }, { pageToken: second.nextPageToken });
    expect(third.items.map((r) => (r as { id: number }).id)).toEqual(range(21, 25));
    expect(third.nextPageToken).toBeNull();
  });

  test('a token resumes the walk in another runtime (after a crash)', async () => {
    const first = await runtime.invokePage('list-cursor', { limit: 10 });
    const other = createRuntime(await loadCapability(FILE), { baseUri: server.url, env: {} });
    try {
      const ids: number[] = [];
      let token: string | null = first.nextPageToken;
      while (token !== null) {
        const page = await other.invokePage('list-cursor', { limit: 10 }, { pageToken: token });
        ids.push(...page.items.map((r) => (r as { id: number }).id));
        token = page.nextPageToken;
      }
      expect(ids).toEqual(range(11, 25));
    } finally {
      other.close();
    }
  });

  test('a link walk resumes from its token', async () => {
    const first = await runtime.invokePage('list-link');
    const second = await runtime.invokePage('list-link', {}, { pageToken: first.nextPageToken });
    expect(second.items.map((r) => (r as { id: number }).id)).toEqual(range(11, 20));
    expect(urls().at(-1)).toBe('/link?page=2&per_page=10');
  });

  test('maxPages counts across tokens: the last page it allows says truncated', async () => {
    const first = await runtime.invokePage('list-offset-bounded');
    const second = await runtime.invokePage('list-offset-bounded', {}, { pageToken: first.nextPageToken });
    expect(second).toMatchObject({ nextPageToken: null, truncated: true });
  });

  test("another operation's token, a tampered token, or garbage is INPUT_INVALID; nothing is sent", async () => {
    const page = await runtime.invokePage('list-offset');
    server.requests.length = 0;
    const errors = await Promise.all([
      failure(runtime.invokePage('list-page', {}, { pageToken: page.nextPageToken })),
      failure(runtime.invokePage('list-offset', {}, { pageToken: Buffer.from(JSON.stringify({ v: 1, op: 'pages.list-offset', at: { type: 'offset', offset: -5 }, pages: 1, read: 0, seen: [] })).toString('base64url') })),
      failure(runtime.invokePage('list-offset', {}, { pageToken: 'not a token' })),
    ]);
    expect(errors.map((e) => e.code)).toEqual(['INPUT_INVALID', 'INPUT_INVALID', 'INPUT_INVALID']);
    expect(errors[0].message).toBe("pages.list-page: pageToken belongs to operation 'pages.list-offset', not 'pages.list-page'");
    expect(server.requests).toHaveLength(0);
  });

  test('a link token pointing to another origin is refused before anything is sent', async () => {
    const token = Buffer.from(JSON.stringify({ v: 1, op: 'pages.list-link', at: { type: 'link', url: 'http://127.0.0.2:9/link?page=2' }, pages: 1, read: 10, seen: [] })).toString('base64url');
    const error = await failure(runtime.invokePage('list-link', {}, { pageToken: token }));
    expect(error.code).toBe('INPUT_INVALID');
    expect(server.requests).toHaveLength(0);
  });

  test('an operation without pagination is INPUT_INVALID for items() and invokePage()', async () => {
    const shop = createRuntime(await loadCapability(new URL('./fixtures/behaviours/shop.yaml', import.meta.url)), { env: { SHOP_TOKEN: 'x' }, baseUri: server.url });
    try {
      expect((await failure(shop.invokePage('list-orders'))).message).toBe("shop.list-orders: the operation declares no pagination: call invoke(), or add 'pagination:' to it");
      expect((await failure(async () => shop.items('list-orders').next())).code).toBe('INPUT_INVALID');
    } finally {
      shop.close();
    }
  });

  test('an HTTP error on a later page is thrown with its retryable flag', async () => {
    const base = pagedApi();
    server.handler = (r) => (r.url.includes('offset=10') ? { status: 503 } : base(r));
    const error = await failure(collect('list-offset'));
    expect(error).toMatchObject({ code: 'HTTP_ERROR', status: 503, retryable: true });
  });

  test('describe() names the style', () => {
    expect(runtime.find('list-cursor').pagination).toEqual({ type: 'cursor', maxPages: 1000 });
    expect(runtime.find('list-offset-bounded').pagination).toEqual({ type: 'offset', maxPages: 2 });
  });
});

describe('naftiko run --all', () => {
  test('writes each record as one JSON line, every page', async () => {
    const result = await naftiko(['run', FILE.pathname, 'list-cursor', '--all', '--base-uri', server.url]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).id)).toEqual(range(1, 25));
    expect(lines.every((line) => !line.includes('\n') && line.startsWith('{'))).toBe(true);
    expect(result.stderr).toBe('');
  });

  test('progress (pages, records) goes to stderr only when it is a terminal', async () => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), env: BASE_ENV, stderrIsTTY: true };
    expect(await runCli(['run', FILE.pathname, 'list-offset', '--all', '--base-uri', server.url], io)).toBe(0);
    expect(stderr).toBe('\r1 page, 10 records…\r2 pages, 20 records…\r3 pages, 25 records\n');
    expect(stdout.trimEnd().split('\n')).toHaveLength(25);
  });

  test('--max-pages stops the walk and warns on stderr that more pages exist', async () => {
    const result = await naftiko(['run', FILE.pathname, 'list-offset', 'limit=4', '--all', '--max-pages', '2', '--base-uri', server.url]);
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(8);
    expect(result.stderr).toBe('naftiko: warning: stopped after 2 pages (--max-pages 2); more pages exist\n');
  });

  test('a page that fails ends with its exit code, the records before it written', async () => {
    const base = pagedApi();
    server.handler = (r) => (r.url.includes('offset=10') ? { status: 500, body: { detail: 'boom' } } : base(r));
    const result = await naftiko(['run', FILE.pathname, 'list-offset', '--all', '--retries', '0', '--base-uri', server.url]);
    expect(result.code).toBe(3);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(10);
    expect(result.stderr).toContain('HTTP_ERROR');
  });

  test('--all on an operation without pagination is exit 1; --max-pages without --all, or below 1, is a usage error', async () => {
    const shop = new URL('./fixtures/behaviours/shop.yaml', import.meta.url).pathname;
    expect((await naftiko(['run', shop, 'list-orders', '--all', '--base-uri', server.url], { SHOP_TOKEN: 'x' })).code).toBe(1);
    expect((await naftiko(['run', FILE.pathname, 'list-offset', '--max-pages', '2'])).code).toBe(2);
    expect((await naftiko(['run', FILE.pathname, 'list-offset', '--all', '--max-pages', '0'])).code).toBe(2);
  });

  test('--all --dry-run prints the first page request', async () => {
    const result = await naftiko(['run', FILE.pathname, 'list-offset', '--all', '--dry-run', '--base-uri', server.url]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).url).toBe(`${server.url}/offset?offset=0&limit=10`);
    expect(server.requests).toHaveLength(0);
  });
});

describe('validation', () => {
  test('names that are not declared inputs and bad JSONPaths are load errors with file:line:col', async () => {
    const { diagnostics } = await inspectCapability(new URL('./fixtures/behaviours/mistakes.yaml', import.meta.url));
    expect(diagnostics.filter((d) => d.message.includes('pagination')).map((d) => `${d.line}:${d.col} ${d.message}`)).toEqual([
      "62:17 operation 'broken-pages.undeclared-limit': pagination.limit names 'lmit', which is not a declared input parameter (did you mean 'limit'? inputs: offset, limit)",
      "69:17 operation 'broken-pages.bad-items-path': pagination.items: invalid JSONPath '$.data[?@.id ==]': expected a query, a literal or a function call, found ']' at character 16",
    ]);
  });

  test('a missing key and an unknown style are schema errors with file:line:col', async () => {
    const { diagnostics } = await inspectCapability(new URL('./fixtures/behaviours/schema-mistakes.yaml', import.meta.url));
    expect(diagnostics.filter((d) => d.message.includes('pagination')).map((d) => `${d.line}:${d.col} ${d.severity}`)).toEqual(['17:15 error', '24:17 error']);
  });

  test('naftiko validate prints them as file:line:col and exits 1', async () => {
    const result = await naftiko(['validate', new URL('./fixtures/behaviours/mistakes.yaml', import.meta.url).pathname]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/mistakes\.yaml:62:17: error: operation 'broken-pages\.undeclared-limit': pagination\.limit names 'lmit'/);
  });
});
