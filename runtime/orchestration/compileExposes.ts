/**
 * Compiles a capability's `exposes` into what adapters serve. Unlike `loadCapability`, which keeps
 * loading files whose exposes call operations that do not exist (real files do), serving needs every
 * reference to resolve: each bad one is reported as `file:line:col`, all at once.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { NotSupportedError, SpecError, formatDiagnostic, type Capability, type Diagnostic, type Runtime } from '../index.js';
import { DiagnosticSink, capabilityInternals, runtimeInternals, type CapabilityInternals, type SecretStore } from '../internal.js';
import { HTTP_METHODS, MUSTACHE, isOneOf } from '../util/vocabulary.js';
import { isObject } from '../util/isObject.js';
import { resolveFileLocation } from '../util/fileLocation.js';
import { collectFunctions, resolveRef, type AggregateFunction, type ResolvedUnit } from './aggregates.js';
import { binaryResponse } from './binaryResponse.js';
import { compileExposedAuth } from './exposedAuth.js';
import { compileForward } from './forward.js';
import { checkInputs, compileInputs, inputSchema, type ExposedInput } from './inputs.js';
import { compileOrchestration, type Orchestration } from './compileOrchestration.js';
import { outputSchema } from './outputSchema.js';
import type { ExposeSpec, ExposedAuth, ExposedOperation, McpExposeSpec, McpPromptSpec, McpResourceSpec, RestExposeSpec, RestOperationSpec, ToolHints } from './types.js';

type Raw = Record<string, unknown>;

/** Address used when an expose declares none: loopback, so nothing is exposed to the network by default. */
const DEFAULT_ADDRESS = '127.0.0.1';

interface Context {
  /** The capability file, against which relative resource locations resolve. */
  file: string;
  capability: CapabilityInternals;
  runtime: Runtime;
  sink: DiagnosticSink;
  secrets: SecretStore;
  functions: Map<string, AggregateFunction>;
  unsupported: (pointer: string, message: string) => void;
}

/**
 * Compiles every `rest` and `mcp` expose of a capability; `skill` and `control` exposes are not served
 * and are left out. Throws SPEC_INVALID listing every unresolvable reference (unknown call target or
 * namespace, ref, lookup index, bad JSONPath) as `file:line:col`, then NOT_SUPPORTED for features this
 * runtime refuses (script steps, digest/oauth2 on exposes), and SECRET_MISSING for an unset auth secret.
 * Bound values (exposed authentication, `with:` injections) are read through the runtime's own secret
 * store, so they are masked in everything the runtime and the adapters send back.
 */
export function compileExposes(capability: Capability, runtime: Runtime): ExposeSpec[] {
  const internals = capabilityInternals(capability);
  const sink = new DiagnosticSink(capability.file, internals.sources.get(capability.file) ?? new Map());
  const refused: Diagnostic[] = [];
  const root = isObject(internals.document.capability) ? internals.document.capability : {};
  const ctx: Context = {
    file: capability.file,
    capability: internals,
    runtime,
    sink,
    secrets: runtimeInternals(runtime).secrets,
    functions: collectFunctions(root.aggregates, sink),
    unsupported: (pointer, message) => refused.push({ severity: 'error', ...sink.ref(pointer), message }),
  };
  const specs: ExposeSpec[] = [];
  (Array.isArray(root.exposes) ? root.exposes : []).forEach((entry: unknown, i) => {
    const pointer = `/capability/exposes/${i}`;
    if (!isObject(entry)) return;
    if (entry.type === 'rest') specs.push(compileRest(entry, pointer, ctx));
    else if (entry.type === 'mcp') specs.push(compileMcp(entry, pointer, ctx));
  });

  // A function referenced by several units reports its problems once.
  const seen = new Set<string>();
  const errors = sink.list
    .filter((d) => d.severity === 'error' && !seen.has(formatDiagnostic(d)) && seen.add(formatDiagnostic(d)))
    .sort((a, b) => a.line - b.line || a.col - b.col);
  throwServeProblems(capability.file, errors, refused);
  return specs;
}

/**
 * What stops `file` from being served, if anything: its errors (SPEC_INVALID), else what it declares
 * that this runtime cannot serve (NOT_SUPPORTED).
 */
export function throwServeProblems(file: string, errors: Diagnostic[], refused: Diagnostic[]): void {
  if (errors.length > 0) {
    throw new SpecError(`cannot serve ${file} (${errors.length} error${errors.length === 1 ? '' : 's'}):\n${errors.map(formatDiagnostic).join('\n')}`, errors);
  }
  if (refused.length > 0) {
    throw new NotSupportedError(`cannot serve ${file}:\n${refused.map(formatDiagnostic).join('\n')}`, { diagnostics: refused });
  }
}

function compileRest(entry: Raw, pointer: string, ctx: Context): RestExposeSpec {
  const { sink } = ctx;
  const namespace = String(entry.namespace ?? '');
  if (typeof entry.port !== 'number') sink.error(`${pointer}/port`, `rest expose '${namespace}' has no port`);
  const operations: RestOperationSpec[] = [];
  (Array.isArray(entry.resources) ? entry.resources : []).forEach((resource: unknown, r) => {
    const resourcePointer = `${pointer}/resources/${r}`;
    if (!isObject(resource) || typeof resource.path !== 'string') {
      sink.error(resourcePointer, 'resource has no path');
      return;
    }
    const path = normalizePath(resource.path);
    const placeholders = [...path.matchAll(/\{([^{}/]+)\}/g)].map((m) => m[1]);
    const resourceInputs = compileInputs(resource.inputParameters, `${resourcePointer}/inputParameters`, sink, false);
    (Array.isArray(resource.operations) ? resource.operations : []).forEach((op: unknown, o) => {
      const opPointer = `${resourcePointer}/operations/${o}`;
      if (!isObject(op)) return;
      const compiled = compileRestOperation(op, opPointer, path, placeholders, resourceInputs, namespace, ctx);
      if (!compiled) return;
      if (operations.some((other) => other.method === compiled.method && other.path === path)) {
        sink.error(`${opPointer}/method`, `${compiled.method} ${path} is declared twice`);
        return;
      }
      operations.push(compiled);
    });
    if (isObject(resource.forward)) operations.push(compileRestForward(resource.forward, `${resourcePointer}/forward`, path, placeholders, ctx));
  });
  const spec: RestExposeSpec = { type: 'rest', namespace, address: exposeAddress(entry), port: Number(entry.port), operations, source: sink.ref(pointer) };
  if (typeof entry.description === 'string') spec.description = entry.description;
  const auth = compileAuth(entry, pointer, namespace, ctx);
  if (auth) spec.auth = auth;
  return spec;
}

function compileRestOperation(
  op: Raw,
  pointer: string,
  path: string,
  placeholders: string[],
  resourceInputs: ExposedInput[],
  namespace: string,
  ctx: Context,
): RestOperationSpec | undefined {
  const { sink } = ctx;
  const resolved = resolveRef(op, pointer, ctx.functions, sink);
  const { unit, at } = resolved;
  const method = String(unit.method ?? '').toUpperCase();
  if (!isOneOf(HTTP_METHODS, method)) {
    sink.error(at('method'), `operation on ${path} needs a method (GET, POST, PUT, PATCH or DELETE)`);
    return undefined;
  }
  // Parameters inherited from an aggregate function are MCP-style: required unless they say otherwise.
  const own = compileInputs(unit.inputParameters, at('inputParameters'), sink, !('inputParameters' in op) && resolved.from !== undefined);
  // Copies: placing an input below must not change the resource's inputs for its other operations.
  const inputs = [...resourceInputs.filter((r) => !own.some((o) => o.name === r.name)), ...own].map((input) => ({ ...input }));
  for (const input of inputs) {
    if (input.in === undefined) input.in = placeholders.includes(input.name) ? 'path' : method === 'GET' || method === 'DELETE' || method === 'HEAD' ? 'query' : 'body';
    if (input.in === 'path') {
      input.required = true;
      if (!placeholders.includes(input.name)) sink.error(at('inputParameters'), `path parameter '${input.name}' does not appear in the path '${path}'`);
    }
  }
  for (const name of placeholders) if (!inputs.some((i) => i.name === name)) inputs.push({ name, type: 'string', required: true, in: 'path' });

  const name = typeof unit.name === 'string' ? unit.name : `${method} ${path}`;
  const operation = exposed(name, unit, inputs, resolved, [namespace], ctx);
  if (!operation) return undefined;
  const binary = binaryResponse(op);
  return {
    method,
    path,
    operation,
    parameters: inputs.map((i) => ({ name: i.name, in: i.in ?? 'query', ...(i.bodyPath ? { value: i.bodyPath } : {}) })),
    ...(binary ? { binary } : {}),
  };
}

function compileRestForward(forward: Raw, pointer: string, path: string, placeholders: string[], ctx: Context): RestOperationSpec {
  const targetNamespace = String(forward.targetNamespace ?? '');
  if (!ctx.runtime.operations.some((op) => op.namespace === targetNamespace)) {
    ctx.sink.error(`${pointer}/targetNamespace`, `forward targetNamespace '${targetNamespace}' is not consumed or imported`);
  }
  const trustedHeaders = Array.isArray(forward.trustedHeaders) ? forward.trustedHeaders.map(String) : [];
  const rest = placeholders[placeholders.length - 1];
  return {
    method: '*',
    path,
    operation: compileForward(`forward ${path}`, targetNamespace, trustedHeaders, rest, ctx.runtime),
    parameters: rest === undefined ? [] : [{ name: rest, in: 'path' }],
    forward: { targetNamespace, trustedHeaders },
  };
}

function compileMcp(entry: Raw, pointer: string, ctx: Context): McpExposeSpec {
  const { sink } = ctx;
  const namespace = String(entry.namespace ?? '');
  const tools: ExposedOperation[] = [];
  (Array.isArray(entry.tools) ? entry.tools : []).forEach((raw: unknown, t) => {
    const toolPointer = `${pointer}/tools/${t}`;
    if (!isObject(raw)) return;
    const resolved = resolveRef(raw, toolPointer, ctx.functions, sink);
    const name = resolved.unit.name;
    if (typeof name !== 'string') {
      sink.error(toolPointer, 'tool has no name');
      return;
    }
    if (tools.some((tool) => tool.name === name)) sink.error(resolved.at('name'), `tool name '${name}' is used twice`);
    const inputs = compileInputs(resolved.unit.inputParameters, resolved.at('inputParameters'), sink, true);
    const tool = exposed(name, resolved.unit, inputs, resolved, [namespace], ctx);
    if (tool) tools.push(tool);
  });
  const spec: McpExposeSpec = {
    type: 'mcp',
    namespace,
    transport: entry.transport === 'stdio' ? 'stdio' : 'http',
    address: exposeAddress(entry),
    tools,
    resources: compileResources(entry.resources, `${pointer}/resources`, namespace, ctx),
    prompts: compilePrompts(entry.prompts, `${pointer}/prompts`, ctx),
    source: sink.ref(pointer),
  };
  if (typeof entry.port === 'number') spec.port = entry.port;
  if (typeof entry.path === 'string' && entry.path !== '') spec.path = entry.path;
  if (typeof entry.description === 'string') spec.description = entry.description;
  const auth = compileAuth(entry, pointer, namespace, ctx);
  if (auth) spec.auth = auth;
  return spec;
}

function compileResources(list: unknown, pointer: string, namespace: string, ctx: Context): McpResourceSpec[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((raw: unknown, i): McpResourceSpec[] => {
    const at = `${pointer}/${i}`;
    if (!isObject(raw) || typeof raw.name !== 'string' || typeof raw.uri !== 'string') {
      ctx.sink.error(at, "a resource needs 'name' and 'uri'");
      return [];
    }
    const base: Omit<McpResourceSpec, 'read'> = { name: raw.name, uri: raw.uri };
    if (typeof raw.label === 'string') base.title = raw.label;
    if (typeof raw.description === 'string') base.description = raw.description;
    if (typeof raw.mimeType === 'string') base.mimeType = raw.mimeType;
    if (typeof raw.location === 'string') return staticResources(base, raw.location, `${at}/location`, ctx);

    const resolved: ResolvedUnit = { unit: raw, at: (field) => `${at}/${field}` };
    const operation = exposed(raw.name, raw, [], resolved, [namespace], ctx);
    if (!operation) return [];
    return [
      {
        ...base,
        async read() {
          const value = await operation.run({});
          if (typeof value === 'string') return { text: value, mimeType: base.mimeType ?? 'text/plain' };
          return { text: JSON.stringify(value, null, 2), mimeType: base.mimeType ?? 'application/json' };
        },
      },
    ];
  });
}

/** A `location: file:///dir` resource: every file below the directory, at `uri/relative/path`. */
function staticResources(base: Omit<McpResourceSpec, 'read'>, location: string, pointer: string, ctx: Context): McpResourceSpec[] {
  const directory = resolveFileLocation(location, dirname(ctx.file));
  if (directory === undefined) {
    ctx.sink.error(pointer, `resource location '${location}' must be a file:/// URI`);
    return [];
  }
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    ctx.sink.error(pointer, `resource location ${directory} is not a directory`);
    return [];
  }
  const prefix = base.uri.replace(/\/+$/, '');
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((file) => statSync(join(directory, file)).isFile())
    .sort()
    .map((file) => {
      const relative = file.split(/[\\/]/).join('/');
      const mimeType = base.mimeType ?? MIME_TYPES[extname(file).toLowerCase()] ?? 'text/plain';
      return { ...base, name: `${base.name}/${relative}`, uri: `${prefix}/${relative}`, mimeType, read: async () => ({ text: readFileSync(join(directory, file), 'utf8'), mimeType }) };
    });
}

const MIME_TYPES: Record<string, string> = {
  '.md': 'text/markdown',
  '.json': 'application/json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.csv': 'text/csv',
  '.xml': 'application/xml',
};

function compilePrompts(list: unknown, pointer: string, ctx: Context): McpPromptSpec[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((raw: unknown, i): McpPromptSpec[] => {
    const at = `${pointer}/${i}`;
    if (!isObject(raw) || typeof raw.name !== 'string') {
      ctx.sink.error(at, 'prompt has no name');
      return [];
    }
    const args = (Array.isArray(raw.arguments) ? raw.arguments : []).filter(isObject).map((a) => {
      const arg: McpPromptSpec['arguments'][number] = { name: String(a.name), required: a.required === true };
      if (typeof a.description === 'string') arg.description = a.description;
      return arg;
    });
    const names = new Set(args.map((a) => a.name));
    const messages: Array<{ role: 'user' | 'assistant'; content: string }> = [];
    (Array.isArray(raw.messages) ? raw.messages : []).forEach((message: unknown, m) => {
      const messagePointer = `${at}/messages/${m}`;
      if (!isObject(message)) return;
      if (message.call !== undefined || message.steps !== undefined) {
        ctx.unsupported(messagePointer, `prompt '${raw.name}': messages backed by call/steps are not supported; write static content`);
        return;
      }
      if (message.role !== 'user' && message.role !== 'assistant') ctx.sink.error(`${messagePointer}/role`, "a prompt message's role must be user or assistant");
      messages.push({ role: message.role === 'assistant' ? 'assistant' : 'user', content: String(message.content ?? '') });
    });
    const prompt: McpPromptSpec = {
      name: raw.name,
      arguments: args,
      // `{argument}` placeholders (spec 3.5.8); braces around anything else are left as written.
      render: (values) => messages.map((m) => ({ role: m.role, text: m.content.replace(/\{([A-Za-z0-9_-]+)\}/g, (whole, name: string) => (names.has(name) ? (values[name] ?? '') : whole)) })),
    };
    if (typeof raw.label === 'string') prompt.title = raw.label;
    if (typeof raw.description === 'string') prompt.description = raw.description;
    return [prompt];
  });
}

/** An exposed operation from a compiled unit: inputs are checked, then the orchestration runs. */
function exposed(name: string, unit: Raw, inputs: ExposedInput[], resolved: ResolvedUnit, namespaces: string[], ctx: Context): ExposedOperation | undefined {
  // A `ref` survives resolution only when it names no function, which is already reported.
  if (typeof unit.ref === 'string') return undefined;
  const orchestration: Orchestration | undefined = compileOrchestration(unit, resolved.at, {
    runtime: ctx.runtime,
    sink: ctx.sink,
    unsupported: ctx.unsupported,
    values: {
      inputNames: new Set(inputs.map((i) => i.name)),
      namespaces: resolved.from ? [...namespaces, resolved.from.namespace] : namespaces,
      binds: ctx.capability.binds,
      secrets: ctx.secrets,
      operation: name,
    },
  });
  if (!orchestration) return undefined;
  const operation: ExposedOperation = {
    name,
    inputSchema: inputSchema(inputs),
    run: async (args, options = {}) => orchestration(checkInputs(name, inputs, args ?? {}), options),
  };
  if (typeof unit.label === 'string') operation.title = unit.label;
  if (typeof unit.description === 'string') operation.description = unit.description;
  const output = outputSchema(unit.outputParameters);
  if (output) operation.outputSchema = output;
  const hints: ToolHints | undefined = resolved.hints;
  if (hints) operation.hints = hints;
  return operation;
}

function compileAuth(entry: Raw, pointer: string, namespace: string, ctx: Context): ExposedAuth | undefined {
  return compileExposedAuth(entry.authentication, `${pointer}/authentication`, ctx.sink, { binds: ctx.capability.binds, store: ctx.secrets, owner: namespace }, ctx.unsupported);
}

/** `/users/{{username}}` → `/users/{username}`; always one leading slash, no trailing one. */
function normalizePath(path: string): string {
  const single = path.replace(MUSTACHE, '{$1}').trim();
  const slashed = single.startsWith('/') ? single : `/${single}`;
  return slashed.length > 1 ? slashed.replace(/\/+$/, '') : slashed;
}

/** The address an expose listens on: its own, else loopback. */
export function exposeAddress(entry: Raw): string {
  return typeof entry.address === 'string' && entry.address !== '' ? entry.address : DEFAULT_ADDRESS;
}

