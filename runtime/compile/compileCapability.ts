/**
 * The compile driver: turns a read and validated capability document (and the files it imports) into
 * one plan per consumed operation, plus the public `Capability` built on them. Reading files is the
 * loader's job, asked for through a {@link SourceReader}.
 */
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from '../errors.js';
import type { Capability, OperationHints, OperationInfo } from '../types.js';
import { isObject } from '../util/isObject.js';
import { escapeToken } from '../util/jsonPointer.js';
import type { BindPlan, OperationPlan, SourceMap } from './plan.js';
import type { DiagnosticSink } from './diagnostics.js';
import { compileAsync } from './compileAsync.js';
import { compileAuth } from './compileAuth.js';
import { compileIdempotencyHeader, compileOperation, type ConsumesContext } from './compileOperation.js';
import { compileTemplate, isLiteral, type TemplateScope } from './template.js';
import { sealCapability } from './capabilityInternals.js';

type Raw = Record<string, unknown>;

/** A file as the loader read it. */
export interface SourceFile {
  /** Absolute path. */
  file: string;
  data: Raw;
  sink: DiagnosticSink;
  /** False when the file cannot be read, parsed or validated. */
  ok: boolean;
}

/** How the compiler asks the loader for the files a capability names. */
export interface SourceReader {
  /** Reads, parses and validates a capability or shared consumes file (once per path). */
  read(file: string): SourceFile;
  /** Every source file read so far. */
  files(): SourceFile[];
  /**
   * Reads a flat key file named by a bind's `location`, relative to `base`; problems are warnings on
   * `pointer`, and give no values.
   */
  readBindFile(location: string, base: string, pointer: string, sink: DiagnosticSink): Record<string, string>;
}

/** Result of reading a capability without throwing on its errors. */
export interface Inspection {
  /** The capability, when it has no errors. */
  capability?: Capability;
  /** Every error and warning of the file and of the files it imports. */
  diagnostics: Diagnostic[];
}

/** Compiles the capability whose root file `root` is; its imports and bind files come from `reader`. */
export function compileCapability(root: SourceFile, reader: SourceReader): Inspection {
  if (!root.ok) return { diagnostics: root.sink.list };
  const binds: BindPlan[] = [];
  collectBinds(root, binds, reader);
  const plans: OperationPlan[] = [];
  const namespaces = new Map<string, string>();
  const jobLinks: JobLink[] = [];
  const capability = isObject(root.data.capability) ? root.data.capability : undefined;
  const consumes = capability?.consumes ?? root.data.consumes;
  const consumesPointer = capability ? '/capability/consumes' : '/consumes';

  if (Array.isArray(consumes)) {
    consumes.forEach((entry: unknown, i) => {
      const pointer = `${consumesPointer}/${i}`;
      if (!isObject(entry)) return;
      if (typeof entry.import === 'string' || (entry.type === undefined && typeof entry.location === 'string')) {
        compileImport(root, entry, pointer, reader, binds, plans, namespaces, jobLinks);
      } else {
        compileConsumes(root, entry, pointer, binds, plans, namespaces, jobLinks);
      }
    });
  }
  assignIds(plans, root.sink);
  // Jobs name their poll operation by id, which assignIds may just have qualified with the resource.
  for (const link of jobLinks) link();
  checkExposedCalls(root, plans);

  const files = reader.files();
  const diagnostics = files.flatMap((f) => f.sink.list);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };

  const info = isObject(root.data.info) ? root.data.info : {};
  const label = typeof info.label === 'string' ? info.label : typeof info.title === 'string' ? info.title : undefined;
  const result: Capability = { file: root.file, operations: plans.map(describeOperation), warnings: diagnostics };
  if (label !== undefined) Object.assign(result, { label });
  if (typeof info.description === 'string') Object.assign(result, { description: info.description });
  const sources = new Map<string, SourceMap>(files.map((f) => [f.file, f.sink.positions]));
  return { capability: sealCapability(result, { document: root.data, binds, plans, sources }), diagnostics };
}

function collectBinds(source: SourceFile, binds: BindPlan[], reader: SourceReader): void {
  if (!Array.isArray(source.data.binds)) return;
  source.data.binds.forEach((raw: unknown, i) => {
    if (!isObject(raw) || typeof raw.namespace !== 'string' || !isObject(raw.keys)) return;
    if (binds.some((b) => b.namespace === raw.namespace)) return;
    const pointer = `/binds/${i}`;
    const keys = Object.fromEntries(Object.entries(raw.keys).map(([k, v]) => [k, String(v)]));
    const bind: BindPlan = { namespace: raw.namespace, keys, source: source.sink.ref(pointer) };
    if (typeof raw.location === 'string') {
      bind.location = raw.location;
      bind.values = reader.readBindFile(raw.location, dirname(source.file), `${pointer}/location`, source.sink);
    }
    binds.push(bind);
  });
}

function compileImport(
  root: SourceFile,
  entry: Raw,
  pointer: string,
  reader: SourceReader,
  binds: BindPlan[],
  plans: OperationPlan[],
  namespaces: Map<string, string>,
  jobLinks: JobLink[],
): void {
  const name = typeof entry.import === 'string' ? entry.import : undefined;
  if (typeof entry.location !== 'string') {
    root.sink.error(pointer, `import '${name ?? '?'}' has no 'location'`);
    return;
  }
  const target = resolve(dirname(root.file), entry.location);
  const known = reader.files().some((f) => f.file === target);
  const imported = reader.read(target);
  if (!known && imported.ok) collectBinds(imported, binds, reader);
  if (!imported.ok) {
    root.sink.error(`${pointer}/location`, `import '${name ?? entry.location}' cannot be resolved: ${target}: ${imported.sink.list[0]?.message ?? 'is invalid'}`);
    return;
  }
  const cap = isObject(imported.data.capability) ? imported.data.capability : undefined;
  const list = cap?.consumes ?? imported.data.consumes;
  const listPointer = cap ? '/capability/consumes' : '/consumes';
  const candidates = Array.isArray(list) ? (list as unknown[]).map((e, i) => [e, i] as const).filter(([e]) => isObject(e) && e.namespace !== undefined) : [];
  const found = name === undefined && candidates.length === 1 ? candidates[0] : candidates.find(([e]) => (e as Raw).namespace === name);
  if (!found) {
    const available = candidates.map(([e]) => `'${String((e as Raw).namespace)}'`).join(', ') || 'none';
    root.sink.error(`${pointer}/import`, `import '${name}' cannot be resolved: ${entry.location} has no consumes namespace '${name}' (it has ${available})`);
    return;
  }
  const [consumes, index] = found as readonly [Raw, number];
  const alias = typeof entry.as === 'string' ? entry.as : undefined;
  compileConsumes(imported, alias ? { ...consumes, namespace: alias } : consumes, `${listPointer}/${index}`, binds, plans, namespaces, jobLinks);
}

/** Links an operation's `async:` block to its poll operation, once every operation has its final id. */
type JobLink = () => void;

function compileConsumes(source: SourceFile, entry: Raw, pointer: string, binds: BindPlan[], plans: OperationPlan[], namespaces: Map<string, string>, jobLinks: JobLink[]): void {
  const { sink } = source;
  const namespace = String(entry.namespace ?? '');
  if (namespace === '') {
    sink.error(pointer, "consumes entry has no 'namespace'");
    return;
  }
  const previous = namespaces.get(namespace);
  if (previous !== undefined) {
    sink.error(`${pointer}/namespace`, `namespace '${namespace}' is declared twice (first at ${previous})`);
    return;
  }
  const ref = sink.ref(`${pointer}/namespace`);
  namespaces.set(namespace, `${ref.file}:${ref.line}`);

  const scope: TemplateScope = { binds, undeclaredIsSecret: false };
  const baseUri = compileTemplate(String(entry.baseUri ?? ''), { binds, undeclaredIsSecret: true });
  if (baseUri.raw.trim() === '') sink.warn(`${pointer}/baseUri`, `namespace '${namespace}' has an empty baseUri: give one with --base-uri, baseUris or ${baseUriVariable(namespace)}`);
  else if (isLiteral(baseUri) && !/^https?:\/\//i.test(baseUri.raw)) sink.warn(`${pointer}/baseUri`, `namespace '${namespace}': baseUri '${baseUri.raw}' is not an http(s) URL`);

  const ctx: ConsumesContext = {
    namespace,
    baseUri,
    auth: compileAuth(entry, pointer, scope, sink),
    parameters: [
      { list: defaultHeaders(entry), pointer: `${pointer}/defaultHeaders` },
      { list: entry.inputParameters, pointer: `${pointer}/inputParameters` },
    ],
    scope,
    sink,
  };
  const idempotencyHeader = compileIdempotencyHeader(entry.idempotencyKey, `${pointer}/idempotencyKey`, sink);
  if (idempotencyHeader !== undefined) ctx.idempotencyHeader = idempotencyHeader;
  if (!Array.isArray(entry.resources)) return;
  const compiled: Array<{ plan: OperationPlan; operation: Raw; pointer: string }> = [];
  entry.resources.forEach((resource: unknown, r) => {
    if (!isObject(resource) || !Array.isArray(resource.operations)) return;
    const resourcePointer = `${pointer}/resources/${r}`;
    resource.operations.forEach((operation: unknown, o) => {
      if (!isObject(operation) || operation.name === undefined) return;
      const operationPointer = `${resourcePointer}/operations/${o}`;
      const plan = compileOperation(ctx, resource, resourcePointer, operation, operationPointer);
      plans.push(plan);
      compiled.push({ plan, operation, pointer: operationPointer });
    });
  });
  // A job's poll operation may be declared anywhere in the namespace, so jobs are linked once all are compiled.
  const namespacePlans = compiled.map((c) => c.plan);
  for (const { plan, operation, pointer: at } of compiled) {
    if (operation.async === undefined) continue;
    jobLinks.push(() => {
      const job = compileAsync(operation.async, `${at}/async`, plan, namespacePlans, scope, sink);
      if (job !== undefined) plan.async = job;
    });
  }
}

/** Some generated files declare `defaultHeaders: {Name: value}`; they are fixed header parameters. */
function defaultHeaders(entry: Raw): unknown[] {
  if (!isObject(entry.defaultHeaders)) return [];
  return Object.entries(entry.defaultHeaders).map(([name, value]) => ({ name, in: 'header', value: String(value) }));
}

/**
 * Operation ids are `namespace.name`. Real files reuse a name inside a namespace (under different
 * resources): those keep loading, with a warning, and are addressed as `namespace.resource.name`.
 */
function assignIds(plans: OperationPlan[], sink: DiagnosticSink): void {
  const byId = new Map<string, OperationPlan[]>();
  for (const plan of plans) byId.set(plan.id, [...(byId.get(plan.id) ?? []), plan]);
  for (const group of byId.values()) {
    if (group.length < 2) continue;
    const seen = new Map<string, number>();
    for (const plan of group) {
      let candidate = `${plan.namespace}.${plan.resource}.${plan.name}`;
      const n = (seen.get(candidate) ?? 0) + 1;
      seen.set(candidate, n);
      if (n > 1) candidate += `#${n}`;
      plan.id = candidate;
    }
    const first = group[1].source;
    sink.list.push({
      severity: 'warning',
      ...first,
      message: `duplicate operation name '${group[0].name}' in namespace '${group[0].namespace}' (${group.length} operations): address them as ${group.map((p) => p.id).join(', ')}`,
    });
  }
}

/** Exposed `call: namespace.operation` references that name nothing are reported, not fatal: real files have them. */
function checkExposedCalls(root: SourceFile, plans: OperationPlan[]): void {
  const capability = root.data.capability;
  if (!isObject(capability) || !Array.isArray(capability.exposes)) return;
  const known = new Set(plans.map((p) => `${p.namespace}.${p.name}`));
  const namespaces = new Set(plans.map((p) => p.namespace));
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) node.forEach((child, i) => visit(child, `${pointer}/${i}`));
    else if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        const at = `${pointer}/${escapeToken(key)}`;
        if (key === 'call' && typeof value === 'string') {
          const ns = value.slice(0, value.indexOf('.'));
          if (!value.includes('.') || !namespaces.has(ns)) root.sink.warn(at, `call '${value}' names namespace '${ns || value}', which is not consumed or imported`);
          else if (!known.has(value)) root.sink.warn(at, `call '${value}' names no operation of namespace '${ns}'`);
        } else visit(value, at);
      }
    }
  };
  visit(capability.exposes, '/capability/exposes');
}

function describeOperation(plan: OperationPlan): OperationInfo {
  const info: OperationInfo = {
    namespace: plan.namespace,
    name: plan.name,
    id: plan.id,
    resource: plan.resource,
    method: plan.method,
    path: plan.pathTemplate,
    baseUri: plan.baseUri.raw.trim(),
    baseUriVariable: baseUriVariable(plan.namespace),
    outputFormat: plan.outputFormat,
    hints: methodHints(plan.method),
    inputs: plan.inputSchema,
    outputs: plan.outputs.map((o) => ({ name: o.name, ...(o.type ? { type: o.type } : {}), value: o.path.expression })),
  };
  if (plan.label !== undefined) info.label = plan.label;
  if (plan.description !== undefined) info.description = plan.description;
  if (plan.pagination !== undefined) info.pagination = { type: plan.pagination.type, maxPages: plan.pagination.maxPages };
  if (plan.async !== undefined) info.async = { pollOperation: plan.async.pollOperation, timeout: plan.async.timeout };
  return info;
}

/** `NAFTIKO_BASE_URI_<NAMESPACE>`: namespace upper-cased, every other character than A-Z0-9 as `_`. */
export function baseUriVariable(namespace: string): string {
  return `NAFTIKO_BASE_URI_${namespace.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * What an HTTP method says about a call. POST only adds (not destructive); PUT and PATCH overwrite
 * what is there, DELETE removes it; PUT and DELETE may be repeated to the same effect.
 */
function methodHints(method: string): OperationHints {
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
      return { readOnly: true, destructive: false, idempotent: true };
    case 'PUT':
    case 'DELETE':
      return { readOnly: false, destructive: true, idempotent: true };
    case 'PATCH':
      return { readOnly: false, destructive: true, idempotent: false };
    default:
      return { readOnly: false, destructive: false, idempotent: false };
  }
}
