/**
 * Evaluation of a parsed RFC 9535 query. The syntax tree is turned once into closures, so evaluating
 * walks the document without looking at the tree again and never runs code from the expression.
 */
import { isObject } from '../../util/isObject.js';
import { NOTHING } from './functions.js';
import type { ComparisonOperator, Expression, Query, Selector, Segment } from './parse.js';

/** Evaluates a query: `root` is what `$` selects, `current` what `@` selects. Returns the nodelist's values. */
export type QueryFunction = (root: unknown, current: unknown) => unknown[];

type Visit = (node: unknown, root: unknown, out: unknown[]) => void;
type Evaluator = (current: unknown, root: unknown) => unknown;
type Test = (current: unknown, root: unknown) => boolean;

/** Compiles a query into a function returning the values of the nodes it selects, in RFC order. */
export function compileQuery(query: Query): QueryFunction {
  const segments = query.segments.map(compileSegment);
  const fromRoot = query.root === '$';
  return (root, current) => {
    let nodes: unknown[] = [fromRoot ? root : current];
    for (let i = 0; i < segments.length && nodes.length > 0; i++) {
      const segment = segments[i];
      const next: unknown[] = [];
      for (let j = 0; j < nodes.length; j++) segment(nodes[j], root, next);
      nodes = next;
    }
    return nodes;
  };
}

/**
 * The keys of a singular query (one name or index per segment): member names as strings, array
 * indexes as numbers. `undefined` for any other query.
 */
export function singularKeys(query: Query): Array<string | number> | undefined {
  const keys: Array<string | number> = [];
  for (const segment of query.segments) {
    if (segment.descendant || segment.selectors.length !== 1) return undefined;
    const selector = segment.selectors[0];
    if (selector.kind === 'name') keys.push(selector.name);
    else if (selector.kind === 'index') keys.push(selector.index);
    else return undefined;
  }
  return keys;
}

/**
 * Follows `keys` from `node`: a string selects an object's own member, a number an array item (negative
 * from the end). Returns the node reached or `NOTHING`; allocates nothing.
 */
export function followKeys(node: unknown, keys: ReadonlyArray<string | number>): unknown {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (typeof key === 'number') {
      if (!Array.isArray(node)) return NOTHING;
      const index = key < 0 ? node.length + key : key;
      if (index < 0 || index >= node.length) return NOTHING;
      node = node[index];
    } else {
      // Own members only: `$.constructor` must not reach Object.prototype.
      if (!isObject(node) || !Object.hasOwn(node, key)) return NOTHING;
      node = node[key];
    }
  }
  return node;
}

function compileSegment(segment: Segment): Visit {
  const selectors = segment.selectors.map(compileSelector);
  const child: Visit =
    selectors.length === 1
      ? selectors[0]
      : (node, root, out) => {
          for (let i = 0; i < selectors.length; i++) selectors[i](node, root, out);
        };
  if (!segment.descendant) return child;
  // The node first, then its descendants depth first, in document order (RFC 9535 §2.5.2.2).
  const descend: Visit = (node, root, out) => {
    child(node, root, out);
    if (Array.isArray(node)) for (let i = 0; i < node.length; i++) descend(node[i], root, out);
    else if (isObject(node)) for (const value of Object.values(node)) descend(value, root, out);
  };
  return descend;
}

function compileSelector(selector: Selector): Visit {
  switch (selector.kind) {
    case 'name': {
      const name = selector.name;
      return (node, _root, out) => {
        if (isObject(node) && Object.hasOwn(node, name)) out.push(node[name]);
      };
    }
    case 'wildcard':
      return (node, _root, out) => {
        if (Array.isArray(node)) for (let i = 0; i < node.length; i++) out.push(node[i]);
        else if (isObject(node)) for (const value of Object.values(node)) out.push(value);
      };
    case 'index': {
      const index = selector.index;
      return (node, _root, out) => {
        if (!Array.isArray(node)) return;
        const i = index < 0 ? node.length + index : index;
        if (i >= 0 && i < node.length) out.push(node[i]);
      };
    }
    case 'slice':
      return (node, _root, out) => {
        if (Array.isArray(node)) slice(node, selector.start, selector.end, selector.step, out);
      };
    case 'filter': {
      const test = compileTest(selector.test);
      return (node, root, out) => {
        if (Array.isArray(node)) {
          for (let i = 0; i < node.length; i++) if (test(node[i], root)) out.push(node[i]);
        } else if (isObject(node)) {
          for (const value of Object.values(node)) if (test(value, root)) out.push(value);
        }
      };
    }
  }
}

/** RFC 9535 §2.3.4.2.2: bounds normalized and clamped, a zero step selects nothing. */
function slice(array: unknown[], start: number | undefined, end: number | undefined, step = 1, out: unknown[]): void {
  if (step === 0) return;
  const length = array.length;
  const normalize = (i: number) => (i >= 0 ? i : length + i);
  if (step > 0) {
    const lower = Math.min(Math.max(normalize(start ?? 0), 0), length);
    const upper = Math.min(Math.max(normalize(end ?? length), 0), length);
    for (let i = lower; i < upper; i += step) out.push(array[i]);
  } else {
    const upper = Math.min(Math.max(start === undefined ? length - 1 : normalize(start), -1), length - 1);
    const lower = Math.min(Math.max(end === undefined ? -1 : normalize(end), -1), length - 1);
    for (let i = upper; lower < i; i += step) out.push(array[i]);
  }
}

/** A logical expression: a comparison, `!`, `&&`, `||`, or an existence test. */
function compileTest(expression: Expression): Test {
  switch (expression.kind) {
    case 'or': {
      const operands = expression.operands.map(compileTest);
      return (current, root) => operands.some((test) => test(current, root));
    }
    case 'and': {
      const operands = expression.operands.map(compileTest);
      return (current, root) => operands.every((test) => test(current, root));
    }
    case 'not': {
      const operand = compileTest(expression.operand);
      return (current, root) => !operand(current, root);
    }
    case 'comparison':
      return compileComparison(expression.operator, compileValue(expression.left), compileValue(expression.right));
    case 'query': {
      if (expression.singular) {
        const value = compileValue(expression);
        return (current, root) => value(current, root) !== NOTHING;
      }
      const query = compileQuery(expression.query);
      return (current, root) => query(root, current).length > 0;
    }
    case 'call': {
      const call = compileCall(expression);
      // A function giving a nodelist tests its non-emptiness (§2.4.2).
      if (expression.extension.result === 'nodes') return (current, root) => (call(current, root) as unknown[]).length > 0;
      return (current, root) => call(current, root) === true;
    }
    case 'literal':
      throw new Error('a literal is not a test (the parser refuses it)');
  }
}

/** A ValueType expression: a literal, a singular query (its node or NOTHING) or a function call. */
function compileValue(expression: Expression): Evaluator {
  if (expression.kind === 'literal') {
    const value = expression.value;
    return () => value;
  }
  if (expression.kind === 'query') {
    const keys = singularKeys(expression.query);
    if (!keys) throw new Error('a non-singular query is not a value (the parser refuses it)');
    if (expression.query.root === '$') return (_current, root) => followKeys(root, keys);
    return (current) => followKeys(current, keys);
  }
  if (expression.kind === 'call') return compileCall(expression);
  throw new Error(`a ${expression.kind} expression is not a value (the parser refuses it)`);
}

function compileCall(expression: Extract<Expression, { kind: 'call' }>): Evaluator {
  const { parameters, call } = expression.extension;
  const args = expression.args.map((arg, i): Evaluator => {
    if (parameters[i] === 'logical') return compileTest(arg);
    if (parameters[i] === 'value') return compileValue(arg);
    if (arg.kind === 'query') {
      const query = compileQuery(arg.query);
      return (current, root) => query(root, current);
    }
    return compileCall(arg as Extract<Expression, { kind: 'call' }>);
  });
  if (args.length === 1) {
    const [arg] = args;
    return (current, root) => call([arg(current, root)]);
  }
  return (current, root) => call(args.map((arg) => arg(current, root)));
}

function compileComparison(operator: ComparisonOperator, left: Evaluator, right: Evaluator): Test {
  switch (operator) {
    case '==':
      return (current, root) => equal(left(current, root), right(current, root));
    case '!=':
      return (current, root) => !equal(left(current, root), right(current, root));
    case '<':
      return (current, root) => less(left(current, root), right(current, root));
    case '<=':
      return (current, root) => {
        const a = left(current, root);
        const b = right(current, root);
        return less(a, b) || equal(a, b);
      };
    case '>':
      return (current, root) => less(right(current, root), left(current, root));
    case '>=':
      return (current, root) => {
        const a = left(current, root);
        const b = right(current, root);
        return less(b, a) || equal(a, b);
      };
  }
}

/** RFC 9535 §2.3.5.2.2 equality: same type and value, arrays and objects compared deeply; no coercion. */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !equal((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** `<` holds between two numbers, or two strings in Unicode scalar value order; never otherwise. */
function less(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return scalarOrder(x) < scalarOrder(y);
  }
  return a.length < b.length;
}

/**
 * UTF-16 units reordered so that surrogates (characters above U+FFFF) sort after U+E000–U+FFFF, as
 * their code points do; JavaScript's own `<` puts them before.
 */
function scalarOrder(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  return unit >= 0xd800 ? unit + 0x2000 : unit;
}

