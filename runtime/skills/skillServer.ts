/**
 * The skill adapter: a read-only catalog of a `skill` expose over HTTP, with the routes and JSON shapes
 * of the reference engine (Ikanos), built on Hono.
 *
 * - `GET /skills` → `{ count, skills: [{ name, description, license?, tools: [toolName…] }] }`
 * - `GET /skills/{name}` → `{ name, description, …descriptor fields, tools: [{ name, description, type,
 *   invocationRef: { targetNamespace, action, mode } | instruction }] }`
 * - `GET /skills/{name}/contents` → `{ files: [{ name, path }] }`, the files of the skill's `location`
 * - `GET /skills/{name}/contents/{file}` → one of those files
 *
 * Unknown skills and files are 404; a path that would leave the skill's folder is 400. Declared
 * authentication is checked on every request (401 otherwise).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { Hono, type Context } from 'hono';
import { authGuard, hostGuard, isLoopbackAddress, type Refuse } from '../serve/guards.js';
import { listen, type RunningServer } from '../serve/listen.js';
import type { SkillExposeSpec } from './compileSkills.js';

/** Options of {@link startSkillServer}; `port` and `address` override the expose's. */
export interface SkillServerOptions {
  port?: number;
  address?: string;
  log?: (line: string) => void;
}

const MEDIA_TYPES: Record<string, string> = {
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.html': 'text/html; charset=utf-8',
};

async function listFiles(folder: string): Promise<Array<{ name: string; path: string }>> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => {
      const path = relative(folder, join(e.parentPath, e.name)).split(sep).join('/');
      return { name: e.name, path };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The Hono application serving one skill expose, usable without a socket (`app.request()`). On a
 * loopback address (`loopback`), requests naming another Host are refused, against DNS rebinding.
 */
function skillApp(spec: SkillExposeSpec, options: { loopback?: boolean } = {}): Hono {
  const app = new Hono();
  const byName = new Map(spec.skills.map((s) => [s.name, s]));
  const fail = (c: Context, status: 400 | 404, code: string, message: string) => c.json({ error: { code, message } }, status);
  const refuse: Refuse = (status, message, headers) => Response.json({ error: { code: status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message } }, { status, headers });
  if (options.loopback) app.use(hostGuard(refuse));
  if (spec.auth) app.use(authGuard(refuse, spec.auth, spec.namespace));

  app.get('/skills', (c) =>
    c.json({
      count: spec.skills.length,
      skills: spec.skills.map((s) => ({
        name: s.name,
        ...(s.description !== undefined ? { description: s.description } : {}),
        ...(s.fields.license !== undefined ? { license: s.fields.license } : {}),
        tools: s.tools.map((t) => t.name),
      })),
    }),
  );

  app.get('/skills/:name', (c) => {
    const skill = byName.get(c.req.param('name'));
    if (!skill) return fail(c, 404, 'NOT_FOUND', `skill not found: ${c.req.param('name')}`);
    return c.json({ name: skill.name, ...(skill.description !== undefined ? { description: skill.description } : {}), ...skill.fields, tools: skill.tools });
  });

  app.get('/skills/:name/contents', async (c) => {
    const skill = byName.get(c.req.param('name'));
    if (!skill?.folder) return fail(c, 404, 'NOT_FOUND', skill ? `skill '${skill.name}' has no location` : `skill not found: ${c.req.param('name')}`);
    try {
      return c.json({ files: await listFiles(skill.folder) });
    } catch {
      return fail(c, 404, 'NOT_FOUND', `skill '${skill.name}': its location cannot be read`);
    }
  });

  app.get('/skills/:name/contents/*', async (c) => {
    const skill = byName.get(c.req.param('name'));
    const prefix = `/skills/${encodeURIComponent(c.req.param('name'))}/contents/`;
    const requested = decodeURIComponent(new URL(c.req.url).pathname.slice(prefix.length));
    if (!skill?.folder) return fail(c, 404, 'NOT_FOUND', `skill not found: ${c.req.param('name')}`);
    const full = resolve(skill.folder, requested);
    if (requested === '' || requested.split('/').includes('..') || !full.startsWith(skill.folder + sep)) {
      return fail(c, 400, 'INPUT_INVALID', `'${requested}' is not a file of skill '${skill.name}'`);
    }
    try {
      if (!(await stat(full)).isFile()) throw new Error('not a file');
      return c.body(new Uint8Array(await readFile(full)), 200, { 'content-type': MEDIA_TYPES[extname(full)] ?? 'application/octet-stream' });
    } catch {
      return fail(c, 404, 'NOT_FOUND', `skill '${skill.name}' has no file '${requested}'`);
    }
  });

  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `${c.req.method} ${new URL(c.req.url).pathname} is not a route of skill server '${spec.namespace}'` } }, 404));
  return app;
}

/** Starts serving `spec`; resolves once listening, rejects when the address and port are taken. */
export async function startSkillServer(spec: SkillExposeSpec, options: SkillServerOptions = {}): Promise<RunningServer> {
  const address = options.address ?? spec.address;
  return listen(skillApp(spec, { loopback: isLoopbackAddress(address) }).fetch, { port: options.port ?? spec.port ?? 0, address, ...(options.log ? { log: options.log } : {}) });
}
