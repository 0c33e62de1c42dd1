/**
 * Authentication that callers of an exposed server must present (spec 3.16 on `exposes`). Secrets are
 * resolved once, when the server is compiled, so a missing one stops `serve` instead of failing calls.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { compileTemplate, headerText, renderTemplate, type BindPlan, type DiagnosticSink, type SecretStore } from '../internal.js';
import { isObject } from '../util/isObject.js';
import type { ExposedAuth } from './types.js';

type Headers = Record<string, string | string[] | undefined>;

/**
 * Compiles an expose's `authentication`: `bearer` (token), `apikey` (key, value, placement header or
 * query) and `basic`. Other types (digest, oauth2) are reported through `unsupported`, since serving
 * without the declared protection would be worse than not serving.
 */
export function compileExposedAuth(
  raw: unknown,
  pointer: string,
  sink: DiagnosticSink,
  secrets: { binds: BindPlan[]; store: SecretStore; owner: string },
  unsupported: (pointer: string, message: string) => void,
): ExposedAuth | undefined {
  if (!isObject(raw)) return undefined;
  const resolve = (field: string): string => {
    const value = raw[field];
    if (typeof value !== 'string' || value === '') {
      sink.error(`${pointer}/${field}`, `${String(raw.type)} authentication needs '${field}'`);
      return '';
    }
    const template = compileTemplate(value, { binds: secrets.binds, undeclaredIsSecret: true });
    return renderTemplate(template, secrets.store, secrets.owner, (name: string) => {
      sink.error(`${pointer}/${field}`, `'{{${name}}}' is not a bound variable: authentication values can only use binds or the environment`);
      return '';
    }).value;
  };

  switch (String(raw.type ?? '').toLowerCase()) {
    case 'bearer': {
      const matches = matcher(resolve('token').replace(/^bearer\s+/i, ''));
      return { type: 'bearer', verify: (headers) => matches(credentials(headers, 'bearer')) };
    }
    case 'apikey': {
      const key = typeof raw.key === 'string' ? raw.key : '';
      if (key === '') sink.error(`${pointer}/key`, "apikey authentication needs 'key' (the header or query parameter name)");
      const matches = matcher(resolve('value'));
      if (raw.placement === 'query') return { type: 'apikey', queryParameter: key, verify: (_headers, query) => matches(query?.get(key) ?? undefined) };
      return { type: 'apikey', verify: (headers) => matches(headerText(headers[key.toLowerCase()])) };
    }
    case 'basic': {
      const matches = matcher(`${resolve('username')}:${resolve('password')}`);
      return {
        type: 'basic',
        verify: (headers) => {
          const encoded = credentials(headers, 'basic');
          return matches(encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8'));
        },
      };
    }
    default:
      unsupported(`${pointer}/type`, `exposed authentication type '${String(raw.type)}' is not supported (use bearer, apikey or basic)`);
      return undefined;
  }
}

/** The credentials after `Authorization: <scheme> `, or undefined. */
function credentials(headers: Headers, scheme: string): string | undefined {
  const value = headerText(headers.authorization);
  if (value === undefined) return undefined;
  const space = value.indexOf(' ');
  if (space < 0 || value.slice(0, space).toLowerCase() !== scheme) return undefined;
  return value.slice(space + 1).trim();
}

/**
 * Whether a presented credential is `expected`, compared in constant time; hashing first keeps the
 * length of the secret from leaking too. The expected digest is computed once, not per request.
 */
function matcher(expected: string): (given: string | undefined) => boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const wanted = digest(expected);
  return (given) => given !== undefined && expected !== '' && timingSafeEqual(digest(given), wanted);
}

