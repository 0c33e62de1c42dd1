/**
 * Values written in exposes (`with` entries, `lookupValue`, mock output `value`s), compiled once into
 * functions of the run's scope: the exposed inputs and the outputs of the steps run so far.
 */
import { KeyPath, compileJsonPath, compileTemplate, selectValue, stringify, type BindPlan, type CompiledPath, type SecretStore } from '../internal.js';
import { MUSTACHE, WHOLE_MUSTACHE } from '../util/vocabulary.js';

/** What a value can read while an exposed unit runs. */
export interface Scope {
  /** The checked exposed inputs. */
  inputs: Record<string, unknown>;
  /** Inputs and step outputs by step name (steps win on a clash): the root of `$.step.field` paths. */
  document: Record<string, unknown>;
}

export type ValueFn = (scope: Scope) => unknown;

/** Names a value may refer to, fixed when the unit is compiled. */
export interface ValueContext {
  /** Declared input names of the unit. */
  inputNames: Set<string>;
  /** Namespaces that qualify input references (`shipyard-tools.imo`): the adapter's, the aggregate's. */
  namespaces: string[];
  binds: BindPlan[];
  secrets: SecretStore;
  /** Unit name, for SECRET_MISSING messages. */
  operation: string;
}

const QUALIFIED = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_*-]+)$/;

/**
 * Compiles one value:
 * - numbers, booleans, lists and maps are used as they are;
 * - `$.step.field` is a JSONPath over the scope document;
 * - `{{name}}` alone keeps the referenced value's type (an array stays an array); mixed with text it
 *   is rendered into the text. A name is an input, `namespace.input`, a bound variable (`binds`), or a
 *   dotted path into the scope document (`{{get-ship.imo_number}}`);
 * - `namespace.input` (spec 3.18) and a bare declared input name (the aggregate example's
 *   `location: "location"`) refer to that input;
 * - anything else is a static string.
 *
 * Throws when a JSONPath (`$.…`, `$[…]`) is invalid: using it as text would send the wrong value.
 */
export function compileValue(raw: unknown, ctx: ValueContext): ValueFn {
  if (typeof raw !== 'string') return () => raw;
  const text = raw.trim();
  if (text.startsWith('$')) {
    const path = tryJsonPath(text);
    if (path) return (scope) => select(path, scope.document);
  }
  const whole = WHOLE_MUSTACHE.exec(text);
  if (whole) return compileName(whole[1], ctx);
  if (raw.includes('{{')) return compileMustache(raw, ctx);
  const qualified = QUALIFIED.exec(text);
  if (qualified && ctx.namespaces.includes(qualified[1])) return (scope) => scope.inputs[qualified[2]];
  if (ctx.inputNames.has(text)) return (scope) => scope.inputs[text];
  return () => raw;
}

/** Renders `{{name}}` placeholders into text; a name that resolves to nothing renders as empty text. */
export function compileMustache(text: string, ctx: ValueContext): (scope: Scope) => string {
  const pieces: Array<string | ValueFn> = [];
  let last = 0;
  for (const match of text.matchAll(MUSTACHE)) {
    if (match.index > last) pieces.push(text.slice(last, match.index));
    pieces.push(compileName(match[1], ctx));
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push(text.slice(last));
  return (scope) => pieces.map((p) => (typeof p === 'string' ? p : stringify(p(scope)))).join('');
}

/** `{{$.a.b}}` → `$.a.b`: the spec writes mapping paths both ways. */
export function stripMustache(expression: string): string {
  const whole = WHOLE_MUSTACHE.exec(expression.trim());
  return whole ? whole[1] : expression.trim();
}

/**
 * Evaluates a compiled JSONPath: `undefined` when nothing matches, the node when one does, every
 * match when several do. With `many`, a path that can select several nodes (wildcards, filters)
 * always gives an array, even of one match.
 */
export function select(path: CompiledPath, document: unknown, many = false): unknown {
  return many && !(path instanceof KeyPath) ? path.evaluate(document) : selectValue(path, document);
}

function compileName(name: string, ctx: ValueContext): ValueFn {
  if (ctx.inputNames.has(name)) return (scope) => scope.inputs[name];
  const qualified = QUALIFIED.exec(name);
  if (qualified && ctx.namespaces.includes(qualified[1]) && ctx.inputNames.has(qualified[2])) return (scope) => scope.inputs[qualified[2]];
  const part = compileTemplate(`{{${name}}}`, { binds: ctx.binds, undeclaredIsSecret: false }).parts[0];
  if (part.kind === 'secret') return () => ctx.secrets.resolve(part, ctx.operation);
  const keys = name.split('.');
  return (scope) => {
    let node: unknown = scope.document;
    for (const key of keys) {
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
      node = (node as Record<string, unknown>)[key];
    }
    return node;
  };
}

/** `$5` or `$HOME` is text, not a path; `$`, `$.…` and `$[…]` are paths, and a broken one throws. */
function tryJsonPath(text: string): CompiledPath | undefined {
  return text === '$' || text[1] === '.' || text[1] === '[' ? compileJsonPath(text) : undefined;
}
