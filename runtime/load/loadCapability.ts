import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYamlText } from 'yaml';
import { SpecError, formatDiagnostic, type Diagnostic } from '../errors.js';
import type { BindPlan, Capability, OperationInfo, OperationPlan, SourceMap } from '../types.js';
import { DiagnosticSink, token } from '../compile/diagnostics.js';
import { compileAuth } from '../compile/compileAuth.js';
import { compileOperation, type ConsumesContext } from '../compile/compileOperation.js';
import { compileTemplate, isLiteral, type TemplateScope } from '../compile/template.js';
import { parseYaml } from './parseYaml.js';
import { readDocument } from './readDocument.js';

type Raw = Record<string, unknown>;

/** Result of reading a capability without throwing on its errors. */
export interface Inspection {
  /** The capability, when it has no errors. */
  capability?: Capability;
  /** Every error and warning of the file and of the files it imports. */
  diagnostics: Diagnostic[];
}

interface LoadedFile {
  file: string;
  data: Raw;
  sink: DiagnosticSink;
  /** False when the file cannot be read, parsed or validated. */
  ok: boolean;
}

/**
 * Reads, validates and compiles a capability file and the files it imports. Throws `SpecError`
 * (code SPEC_INVALID) listing every error as `file:line:col: message`; warnings are kept on the
 * returned capability.
 */
export async function loadCapability(path: string | URL): Promise<Capability> {
  const { capability, diagnostics } = inspectCapability(path);
  if (capability) return capability;
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const shown = errors.slice(0, 10).map(formatDiagnostic).join('\n');
  const more = errors.length > 10 ? `\n… and ${errors.length - 10} more` : '';
  throw new SpecError(`${errors.length === 1 ? 'invalid capability' : `invalid capability (${errors.length} errors)`}:\n${shown}${more}`, diagnostics);
}

/** Like `loadCapability`, but returns the diagnostics instead of throwing (for `naftiko validate`). */
export function inspectCapability(path: string | URL): Inspection {
  const file = resolve(typeof path === 'string' ? path : fileURLToPath(path));
  const files = new Map<string, LoadedFile>();
  const root = readCapabilityFile(file, files);
  if (!root.ok) return { diagnostics: root.sink.list };

  const binds: BindPlan[] = [];
  collectBinds(root, binds);
  const plans: OperationPlan[] = [];
  const namespaces = new Map<string, string>();
  const capability = isObject(root.data.capability) ? root.data.capability : undefined;
  const consumes = capability?.consumes ?? root.data.consumes;
  const consumesPointer = capability ? '/capability/consumes' : '/consumes';

  if (Array.isArray(consumes)) {
    consumes.forEach((entry: unknown, i) => {
      const pointer = `${consumesPointer}/${i}`;
      if (!isObject(entry)) return;
      if (typeof entry.import === 'string' || (entry.type === undefined && typeof entry.location === 'string')) {
        compileImport(root, entry, pointer, files, binds, plans, namespaces);
      } else {
        compileConsumes(root, entry, pointer, binds, plans, namespaces);
      }
    });
  }
  assignIds(plans, root.sink);
  checkExposedCalls(root, plans);

  const diagnostics = [...files.values()].flatMap((f) => f.sink.list);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };

  const info = isObject(root.data.info) ? root.data.info : {};
  const label = typeof info.label === 'string' ? info.label : typeof info.title === 'string' ? info.title : undefined;
  const sources = new Map<string, SourceMap>([...files.values()].map((f) => [f.file, f.sink.positions]));
  const result: Capability = {
    file,
    document: root.data,
    binds,
    plans,
    operations: plans.map(describeOperation),
    warnings: diagnostics,
    sources,
  };
  if (label !== undefined) result.label = label;
  if (typeof info.description === 'string') result.description = info.description;
  return { capability: result, diagnostics };
}

function readCapabilityFile(file: string, files: Map<string, LoadedFile>): LoadedFile {
  const emptySink = new DiagnosticSink(file, new Map());
  const failed: LoadedFile = { file, data: {}, sink: emptySink, ok: false };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    emptySink.error('', `cannot read capability file: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    files.set(file, failed);
    return failed;
  }
  let parsed: { data: unknown; positions: SourceMap };
  try {
    parsed = parseYaml(text, file);
  } catch (error) {
    if (error instanceof SpecError) emptySink.list.push(...error.diagnostics);
    else emptySink.error('', (error as Error).message);
    files.set(file, failed);
    return failed;
  }
  // Dialect stage: every version is read into one model (the array shape), positions still in this file.
  files.set(file, failed);
  const read = readDocument(parsed.data, parsed.positions, file, (location, section) => importSection(resolve(dirname(file), location), section, files));
  const sink = new DiagnosticSink(file, read.positions);
  sink.list.push(...read.diagnostics);
  const loaded: LoadedFile = { file, data: isObject(read.data) ? read.data : {}, sink, ok: isObject(read.data) && !sink.hasErrors };
  if (!isObject(read.data) && !sink.hasErrors) sink.error('', 'a capability file must be a YAML map');
  files.set(file, loaded);
  return loaded;
}

/** The entries of one section of an imported file (Ikanos exposes/aggregates/binds imports); a file being read is a cycle. */
function importSection(target: string, section: 'exposes' | 'aggregates' | 'binds', files: Map<string, LoadedFile>): { entries: unknown[]; file: string } | { error: string } {
  const imported = files.get(target) ?? readCapabilityFile(target, files);
  if (!imported.ok) return { error: `${target}: ${imported.sink.list.find((d) => d.severity === 'error')?.message ?? 'imports itself'}` };
  const capability = isObject(imported.data.capability) ? imported.data.capability : {};
  const entries = section === 'binds' ? imported.data.binds : capability[section];
  return { entries: Array.isArray(entries) ? entries : [], file: target };
}

function collectBinds(source: LoadedFile, binds: BindPlan[]): void {
  if (!Array.isArray(source.data.binds)) return;
  source.data.binds.forEach((raw: unknown, i) => {
    if (!isObject(raw) || typeof raw.namespace !== 'string' || !isObject(raw.keys)) return;
    if (binds.some((b) => b.namespace === raw.namespace)) return;
    const pointer = `/binds/${i}`;
    const keys = Object.fromEntries(Object.entries(raw.keys).map(([k, v]) => [k, String(v)]));
    const bind: BindPlan = { namespace: raw.namespace, keys, source: source.sink.ref(pointer) };
    if (typeof raw.location === 'string') {
      bind.location = raw.location;
      bind.values = readBindFile(raw.location, dirname(source.file), `${pointer}/location`, source.sink);
    }
    binds.push(bind);
  });
}

/** Reads a flat YAML/JSON key file named by a `file://` location, relative to the capability. */
function readBindFile(location: string, base: string, pointer: string, sink: DiagnosticSink): Record<string, string> {
  if (!location.startsWith('file://')) {
    sink.warn(pointer, `bind location '${location}' is not a file:// URI; its keys are read from the environment instead`);
    return {};
  }
  let path = decodeURIComponent(location.slice('file://'.length));
  // `file:///./shared/x.yaml` is how real files write a path relative to the capability.
  if (path.startsWith('/./') || path.startsWith('/../')) path = path.slice(1);
  const full = resolve(base, path);
  try {
    const data: unknown = parseYamlText(readFileSync(full, 'utf8'));
    if (!isObject(data)) throw new Error('it is not a map of keys to values');
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  } catch (error) {
    sink.warn(pointer, `bind file ${full} cannot be read (${(error as Error).message.split('\n')[0]}); its secrets will be reported missing`);
    return {};
  }
}

function compileImport(
  root: LoadedFile,
  entry: Raw,
  pointer: string,
  files: Map<string, LoadedFile>,
  binds: BindPlan[],
  plans: OperationPlan[],
  namespaces: Map<string, string>,
): void {
  const name = typeof entry.import === 'string' ? entry.import : undefined;
  if (typeof entry.location !== 'string') {
    root.sink.error(pointer, `import '${name ?? '?'}' has no 'location'`);
    return;
  }
  const target = resolve(dirname(root.file), entry.location);
  let imported = files.get(target);
  if (!imported) {
    imported = readCapabilityFile(target, files);
    if (imported.ok) collectBinds(imported, binds);
  }
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
  compileConsumes(imported, alias ? { ...consumes, namespace: alias } : consumes, `${listPointer}/${index}`, binds, plans, namespaces);
}

function compileConsumes(source: LoadedFile, entry: Raw, pointer: string, binds: BindPlan[], plans: OperationPlan[], namespaces: Map<string, string>): void {
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
  if (baseUri.raw.trim() === '') sink.warn(`${pointer}/baseUri`, `namespace '${namespace}' has an empty baseUri: give one with --base-uri, baseUris or NAFTIKO_BASE_URI_${envSuffix(namespace)}`);
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
  if (!Array.isArray(entry.resources)) return;
  entry.resources.forEach((resource: unknown, r) => {
    if (!isObject(resource) || !Array.isArray(resource.operations)) return;
    const resourcePointer = `${pointer}/resources/${r}`;
    resource.operations.forEach((operation: unknown, o) => {
      if (!isObject(operation) || operation.name === undefined) return;
      plans.push(compileOperation(ctx, resource, resourcePointer, operation, `${resourcePointer}/operations/${o}`));
    });
  });
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
function checkExposedCalls(root: LoadedFile, plans: OperationPlan[]): void {
  const capability = root.data.capability;
  if (!isObject(capability) || !Array.isArray(capability.exposes)) return;
  const known = new Set(plans.map((p) => `${p.namespace}.${p.name}`));
  const namespaces = new Set(plans.map((p) => p.namespace));
  const visit = (node: unknown, pointer: string): void => {
    if (Array.isArray(node)) node.forEach((child, i) => visit(child, `${pointer}/${i}`));
    else if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        const at = `${pointer}/${token(key)}`;
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
    method: plan.method,
    path: plan.pathTemplate,
    inputs: plan.inputSchema,
    outputs: plan.outputs.map((o) => ({ name: o.name, ...(o.type ? { type: o.type } : {}), value: o.path.expression })),
  };
  if (plan.description !== undefined) info.description = plan.description;
  return info;
}

/** `NAFTIKO_BASE_URI_<NAMESPACE>`: namespace upper-cased, every other character than A-Z0-9 as `_`. */
export function envSuffix(namespace: string): string {
  return namespace.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

function isObject(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
