/**
 * The orchestration engine shared by every adapter: compiles what an exposed unit does (mock values, one
 * `call`, or `steps` with `mappings`) into one function of its checked inputs. Every reference is
 * resolved here, once; a run only fills values in.
 */
import type { InvocationResult, OperationInfo, Runtime } from '../index.js';
import { compileJsonPath, type CompiledPath, type DiagnosticSink } from '../internal.js';
import { isObject } from '../util/isObject.js';
import { escapeToken } from '../util/jsonPointer.js';
import { compileValue, select, stripMustache, type Scope, type ValueContext, type ValueFn } from './values.js';
import { compileMappedOutputs, compileOrchestratedOutputs } from './mapOutputs.js';
import { lookup } from './lookup.js';
import type { RunOptions } from './types.js';

type Raw = Record<string, unknown>;

/** Runs a compiled unit on checked inputs. */
export type Orchestration = (inputs: Record<string, unknown>, options: RunOptions) => Promise<unknown>;

/** What compiling a unit needs besides the unit. */
export interface OrchestrationContext {
  runtime: Runtime;
  sink: DiagnosticSink;
  values: ValueContext;
  /** Records a feature this runtime refuses to run (script steps). */
  unsupported: (pointer: string, message: string) => void;
}

interface CompiledCall {
  id: string;
  /** Input names the consumed operation takes: only these are passed. */
  accepts: Set<string>;
  with: Array<[string, ValueFn]>;
  /** The step output is the named outputs when the operation declares some, else the converted body. */
  declaresOutputs: boolean;
  /** The consumed operation's outputs, to read on each record of a list answer. */
  outputs: Array<{ name: string; path: CompiledPath }>;
  xml: boolean;
}

type Step =
  | { kind: 'call'; name: string; call: CompiledCall }
  | { kind: 'lookup'; name: string; index: string; match: string; value: ValueFn; fields: string[] };

/**
 * Compiles a unit by mode: `steps` (orchestrated), `call` (simple), or `outputParameters` alone (mock).
 * `at(field)` gives the pointer of a field (fields inherited through `ref` live in the aggregate).
 * Returns undefined, with an error recorded, when the unit does nothing.
 */
export function compileOrchestration(unit: Raw, at: (field: string) => string, ctx: OrchestrationContext): Orchestration | undefined {
  const outputs = Array.isArray(unit.outputParameters) ? unit.outputParameters : [];
  if (Array.isArray(unit.steps)) return compileSteps(unit, outputs, at, ctx);
  if (unit.call !== undefined) {
    const call = compileCall(unit.call, unit.with, at('call'), at('with'), ctx);
    const map = outputs.length > 0 ? compileMappedOutputs(outputs, at('outputParameters'), ctx.sink, ctx.values) : undefined;
    if (!call) return undefined;
    return async (inputs, options) => {
      const scope: Scope = { inputs, document: { ...inputs } };
      const result = await execute(ctx.runtime, call, scope, options);
      options.onUpstreamStatus?.(result.status);
      const output = stepOutput(call, result);
      return map ? map(output, { scope, xml: call.xml && !call.declaresOutputs }) : output;
    };
  }
  if (outputs.length > 0) {
    const map = compileMappedOutputs(outputs, at('outputParameters'), ctx.sink, ctx.values);
    return async (inputs) => map(undefined, { scope: { inputs, document: { ...inputs } }, xml: false });
  }
  ctx.sink.error(at('call'), `'${String(unit.name ?? unit.ref ?? '?')}' has no call, no steps and no static outputParameters: it does nothing`);
  return undefined;
}

function compileSteps(unit: Raw, outputs: unknown[], at: (field: string) => string, ctx: OrchestrationContext): Orchestration | undefined {
  const { sink } = ctx;
  const steps: Step[] = [];
  (unit.steps as unknown[]).forEach((raw, i) => {
    const pointer = `${at('steps')}/${i}`;
    if (!isObject(raw) || typeof raw.name !== 'string') {
      sink.error(pointer, 'step has no name');
      return;
    }
    const name = raw.name;
    if (steps.some((s) => s.name === name)) sink.error(`${pointer}/name`, `step name '${name}' is used twice`);
    switch (raw.type ?? (raw.call !== undefined ? 'call' : undefined)) {
      case 'call': {
        const call = compileCall(raw.call, raw.with, `${pointer}/call`, `${pointer}/with`, ctx);
        if (call) steps.push({ kind: 'call', name, call });
        break;
      }
      case 'lookup': {
        const index = String(raw.index ?? '');
        if (!steps.some((s) => s.kind === 'call' && s.name === index)) sink.error(`${pointer}/index`, `lookup '${name}': index '${index}' is not a previous call step`);
        if (typeof raw.match !== 'string') sink.error(`${pointer}/match`, `lookup '${name}' has no 'match' field name`);
        const fields = Array.isArray(raw.outputParameters) ? raw.outputParameters.map(String) : [];
        if (fields.length === 0) sink.error(`${pointer}/outputParameters`, `lookup '${name}' names no outputParameters to extract`);
        steps.push({ kind: 'lookup', name, index, match: String(raw.match), value: compileValueAt(raw.lookupValue, `${pointer}/lookupValue`, `lookup '${name}': lookupValue`, ctx), fields });
        break;
      }
      case 'script':
        ctx.unsupported(pointer, `step '${name}' is a script step: this runtime never runs code from a capability file`);
        break;
      default:
        sink.error(`${pointer}/type`, `step '${name}' has unknown type '${String(raw.type)}' (use call or lookup)`);
    }
  });

  const mappings = compileMappings(unit.mappings, at('mappings'), sink);
  const shape = outputs.length > 0 ? compileOrchestratedOutputs(outputs, ctx.values.operation) : undefined;
  return async (inputs, options) => {
    const document: Record<string, unknown> = { ...inputs };
    const scope: Scope = { inputs, document };
    let last: unknown;
    for (const step of steps) {
      if (step.kind === 'call') {
        last = stepOutput(step.call, await execute(ctx.runtime, step.call, scope, options));
        document[step.name] = last;
      } else {
        document[step.name] = lookup(document[step.index], step.match, step.value(scope), step.fields);
      }
    }
    if (mappings.length === 0) return last;
    const assembled: Record<string, unknown> = {};
    for (const mapping of mappings) {
      let value = select(mapping.path, document);
      // Spec 3.14.3 roots `$` at the step's output (`$.dbName`); the examples root it at the steps.
      if (value === undefined && last !== undefined) value = select(mapping.path, last);
      setPath(assembled, mapping.target, value ?? null);
    }
    return shape ? shape(assembled) : assembled;
  };
}

/** {@link compileValue}, with an invalid JSONPath reported at `pointer` (which fails the load). */
function compileValueAt(raw: unknown, pointer: string, where: string, ctx: OrchestrationContext): ValueFn {
  try {
    return compileValue(raw, ctx.values);
  } catch (error) {
    ctx.sink.error(pointer, `${where}: ${(error as Error).message}`);
    return () => undefined;
  }
}

function compileCall(call: unknown, withRaw: unknown, pointer: string, withPointer: string, ctx: OrchestrationContext): CompiledCall | undefined {
  const { sink, runtime } = ctx;
  if (typeof call !== 'string' || !/^[^.\s]+\.[^\s]+$/.test(call)) {
    sink.error(pointer, `call '${String(call)}' must be written namespace.operation`);
    return undefined;
  }
  const namespace = call.slice(0, call.indexOf('.'));
  const namespaces = [...new Set(runtime.operations.map((op) => op.namespace))];
  if (!namespaces.includes(namespace)) {
    sink.error(pointer, `call '${call}' names namespace '${namespace}', which is not consumed or imported (namespaces: ${namespaces.join(', ') || 'none'})`);
    return undefined;
  }
  let info: OperationInfo;
  try {
    info = runtime.find(call);
  } catch (error) {
    sink.error(pointer, `call '${call}': ${(error as Error).message}`);
    return undefined;
  }
  const accepts = new Set(Object.keys((info.inputs.properties ?? {}) as Record<string, unknown>));
  // Keys the operation does not take are left out: the runtime rejects unknown inputs, and real files
  // inject values their consumed operation never declared (the aggregate example's `location`).
  const injected = isObject(withRaw) ? Object.entries(withRaw).filter(([name]) => accepts.has(name)) : [];
  return {
    id: info.id,
    accepts,
    with: injected.map(([name, value]) => [name, compileValueAt(value, `${withPointer}/${escapeToken(name)}`, `call '${call}': with '${name}'`, ctx)]),
    declaresOutputs: info.outputs.length > 0,
    outputs: info.outputs.map((o) => ({ name: o.name, path: compileJsonPath(o.value) })),
    xml: info.outputFormat === 'xml',
  };
}

/**
 * Calls the consumed operation. Exposed inputs whose names the operation takes flow in implicitly
 * (`{{userId}}` in a consumed parameter reads the exposed `userId`); `with` entries override them, and
 * one that resolves to nothing removes the input rather than sending an empty value.
 */
function execute(runtime: Runtime, call: CompiledCall, scope: Scope, options: RunOptions): Promise<InvocationResult> {
  const args: Record<string, unknown> = {};
  for (const name of call.accepts) if (scope.inputs[name] !== undefined) args[name] = scope.inputs[name];
  for (const [name, value] of call.with) {
    const resolved = value(scope);
    if (resolved === undefined || resolved === null) delete args[name];
    else args[name] = resolved;
  }
  return runtime.execute(call.id, args, { signal: options.signal });
}

/**
 * Outputs written for one record (`imo-number: $.imo_number`) name nothing on a list answer: as the
 * Ikanos tutorial's fleet manifest expects, they are then read on each record, which keeps its own
 * fields and gains the named ones (so a lookup can `match: imo-number`).
 */
function stepOutput(call: CompiledCall, result: InvocationResult): unknown {
  if (!call.declaresOutputs) return result.data;
  const outputs = result.outputs as Record<string, unknown>;
  if (!Array.isArray(result.data) || call.outputs.some((o) => outputs[o.name] !== null && outputs[o.name] !== undefined)) return outputs;
  return result.data.map((record: unknown) =>
    isObject(record) ? { ...record, ...Object.fromEntries(call.outputs.map((o) => [o.name, select(o.path, record) ?? null])) } : record,
  );
}

function compileMappings(raw: unknown, pointer: string, sink: DiagnosticSink): Array<{ target: string[]; path: CompiledPath }> {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((mapping: unknown, i) => {
    const at = `${pointer}/${i}`;
    if (!isObject(mapping) || typeof mapping.targetName !== 'string' || typeof mapping.value !== 'string') {
      sink.error(at, "a mapping needs 'targetName' and 'value'");
      return [];
    }
    try {
      return [{ target: mapping.targetName.split('.'), path: compileJsonPath(stripMustache(mapping.value)) }];
    } catch (error) {
      sink.error(`${at}/value`, (error as Error).message);
      return [];
    }
  });
}

/** `route.from` → `{ route: { from: value } }`, merging with what is already there. */
function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

