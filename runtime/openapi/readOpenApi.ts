import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { $RefParser } from '@apidevtools/json-schema-ref-parser';
import { HttpError, SpecError } from '../errors.js';
import { createHttpClient, parseYaml } from '../internal.js';
import { isObject, resolvePointer, type Raw } from './document.js';
import { escapeToken as token } from '../util/jsonPointer.js';
import { upgradeSwagger2 } from './upgradeSwagger2.js';

/** An OpenAPI document read, bundled (every `$ref` internal) and brought to the OpenAPI 3 shape. */
export interface OpenApiDocument {
  /** OpenAPI 3.x data; a Swagger 2.0 document is upgraded. */
  document: Raw;
  /** The version the source was written in. */
  version: '2.0' | '3.0' | '3.1';
  /** Absolute file path or URL it was read from (relative server URLs resolve against a URL). */
  location: string;
}

/** Options of `readOpenApi`. */
export interface ReadOptions {
  /** Deadline of each download, in ms (default 30 000). */
  timeout?: number;
}

const URL_PATTERN = /^https?:\/\//i;

/**
 * Reads an OpenAPI document (Swagger 2.0, OpenAPI 3.0 or 3.1; JSON or YAML) from a file or an
 * http(s) URL and resolves its external `$ref`s with json-schema-ref-parser's bundler, so that every
 * reference left points inside the document. Internal references, circular ones included, stay
 * references: the importer decides which to inline.
 *
 * @throws SpecError (file:line:col) for unreadable or malformed documents and unresolvable references;
 *   NetworkError, TimeoutError or HttpError when a URL cannot be downloaded.
 */
export async function readOpenApi(source: string, options: ReadOptions = {}): Promise<OpenApiDocument> {
  const isUrl = URL_PATTERN.test(source);
  const location = isUrl ? source : resolve(source);
  const client = createHttpClient({ timeout: options.timeout ?? 30_000 });
  try {
    const download = async (url: string): Promise<string> => {
      const response = await client.send({ method: 'GET', url, headers: { accept: 'application/json, application/yaml;q=0.9, */*;q=0.5' } }, { operation: 'import openapi', redactedUrl: url });
      const body = response.body.toString('utf8');
      if (response.status >= 300) {
        throw new HttpError(`GET ${url} answered ${response.status}`, { operation: 'import openapi', status: response.status, body: body.slice(0, 500), method: 'GET', url });
      }
      return body;
    };
    const text = isUrl ? await download(location) : readText(location);
    const parsed = parse(text, location);
    const version = detectVersion(parsed, location);
    const bundled = hasExternalRef(parsed) ? await bundle(location, parsed as Raw, download) : (parsed as Raw);
    checkInternalRefs(bundled, bundled, '', location);
    return { document: version === '2.0' ? upgradeSwagger2(bundled) : bundled, version, location };
  } finally {
    client.close();
  }
}

/** JSON documents parse as JSON (fast); YAML, and JSON with an error, through the YAML parser, which gives line:col. */
function parse(text: string, location: string): unknown {
  if (/^\s*[{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // The YAML parser reports where the problem is.
    }
  }
  return parseYaml(text, location).data;
}

/** Whether some `$ref` points outside the document (only those need the bundler). */
function hasExternalRef(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasExternalRef);
  if (!isObject(node)) return false;
  if (typeof node.$ref === 'string' && !node.$ref.startsWith('#')) return true;
  return Object.values(node).some(hasExternalRef);
}

/** Every `$ref` left must point inside the document: a dangling one is an error naming where it is. */
function checkInternalRefs(document: Raw, node: unknown, pointer: string, location: string): void {
  if (Array.isArray(node)) node.forEach((item, i) => checkInternalRefs(document, item, `${pointer}/${i}`, location));
  if (!isObject(node)) return;
  if (typeof node.$ref === 'string' && resolvePointer(document, node.$ref) === undefined) {
    throw specError(location, `cannot resolve a $ref: '${node.$ref}' (at ${pointer}) points at nothing in the document`, pointer);
  }
  for (const [key, value] of Object.entries(node)) {
    // Extensions and examples are free-form: a `$ref` there is data, not a reference.
    if (!key.startsWith('x-') && key !== 'example' && key !== 'examples') checkInternalRefs(document, value, `${pointer}/${token(key)}`, location);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw specError(file, `cannot read OpenAPI document: ${message}`);
  }
}

function detectVersion(data: unknown, location: string): OpenApiDocument['version'] {
  if (!isObject(data)) throw specError(location, 'not an OpenAPI document: expected a map at the top level');
  if (data.swagger !== undefined) {
    if (String(data.swagger) === '2.0') return '2.0';
    throw specError(location, `unsupported Swagger version '${String(data.swagger)}' (2.0 is read)`, '/swagger');
  }
  const openapi = typeof data.openapi === 'string' ? data.openapi : undefined;
  if (openapi === undefined) throw specError(location, "not an OpenAPI document: it has neither 'openapi' nor 'swagger'");
  if (/^3\.0\.\d+/.test(openapi)) return '3.0';
  if (/^3\.[1-9]\.\d+/.test(openapi)) return '3.1';
  throw specError(location, `unsupported OpenAPI version '${openapi}' (2.0, 3.0.x and 3.1.x are read)`, '/openapi');
}

async function bundle(location: string, data: Raw, download: (url: string) => Promise<string>): Promise<Raw> {
  try {
    // Our own http resolver: the same client, deadline and errors as the document itself (the library's
    // would refuse local addresses, which stand-in servers and intranet APIs use).
    return (await new $RefParser().bundle(location, data, {
      resolve: {
        http: false,
        naftikoHttp: { order: 200, canRead: URL_PATTERN, read: (file: { url: string }) => download(file.url) },
      },
    })) as Raw;
  } catch (error) {
    if (error instanceof HttpError || !(error instanceof Error)) throw error;
    const cause = (error as { errors?: Error[] }).errors?.[0] ?? error;
    throw specError(location, `cannot resolve a $ref: ${cause.message.split('\n')[0]}`);
  }
}

function specError(file: string, message: string, pointer = ''): SpecError {
  return new SpecError(`${file}: ${message}`, [{ severity: 'error', file, line: 0, col: 0, pointer, message }]);
}
