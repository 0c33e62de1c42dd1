import type { Template } from '../compile/plan.js';
import { MASK } from './redactor.js';
import type { SecretStore } from './secretStore.js';

/** Looks up caller inputs referenced by templates; throws when one is missing. */
export type InputLookup = (name: string) => unknown;

/** A rendered template and its twin with every secret masked; `secret` tells whether it used one. */
export interface Rendered {
  value: string;
  masked: string;
  secret: boolean;
}

/**
 * Renders a template to its real value and its masked twin. `encode` turns substituted values (not
 * literal text) into text, e.g. percent-encoded or JSON.
 */
export function renderTemplate(
  template: Template,
  secrets: SecretStore,
  operation: string,
  input: InputLookup,
  encode: (value: unknown) => string = stringify,
): Rendered {
  const parts = template.parts;
  if (parts.length === 1 && parts[0].kind === 'text') return { value: template.raw, masked: template.raw, secret: false };
  let value = '';
  let masked = '';
  let secret = false;
  for (const part of parts) {
    if (part.kind === 'text') {
      value += part.text;
      masked += part.text;
    } else if (part.kind === 'secret') {
      value += encode(secrets.resolve(part, operation));
      masked += MASK;
      secret = true;
    } else {
      const v = encode(input(part.name));
      value += v;
      masked += v;
    }
  }
  return { value, masked, secret };
}

/** Text of a substituted value: strings as they are, containers as JSON, nothing as empty. */
export function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
