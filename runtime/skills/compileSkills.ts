/**
 * Compiles a capability's `skill` exposes: named groups of tools for agent discovery. A skill tool either
 * derives from a tool or operation of a sibling `mcp`/`rest` expose of the same file (`from:
 * {sourceNamespace, action}`) or points at an instruction file in the skill's `location` folder. As
 * upstream, every reference is checked before anything listens.
 */
import { dirname, resolve } from 'node:path';
import { type Capability, type Diagnostic, type Runtime } from '../index.js';
import { DiagnosticSink, capabilityInternals, runtimeInternals } from '../internal.js';
import { exposeAddress, throwServeProblems } from '../orchestration/compileExposes.js';
import { compileExposedAuth } from '../orchestration/exposedAuth.js';
import type { ExposedAuth } from '../orchestration/types.js';
import { resolveFileLocation } from '../util/fileLocation.js';
import { isObject } from '../util/isObject.js';

/** One tool of a skill, as the catalog describes it. */
export interface SkillTool {
  name: string;
  description?: string;
  /** `derived`: call `invocationRef.action` on the sibling adapter; `instruction`: read the file. */
  type: 'derived' | 'instruction';
  invocationRef?: { targetNamespace: string; action: string; mode: 'mcp' | 'rest' };
  instruction?: string;
}

/** One skill: its descriptor fields (as upstream names them) and tools. */
export interface Skill {
  name: string;
  description?: string;
  /** Descriptor fields carried as written: license, compatibility, argument-hint, allowed-tools, user-invocable, disable-model-invocation, metadata. */
  fields: Record<string, unknown>;
  tools: SkillTool[];
  /** Absolute folder of the skill's files (`location: file:///./skills/x`), when it has one. */
  folder?: string;
}

/** One `exposes` entry of type `skill`. */
export interface SkillExposeSpec {
  type: 'skill';
  namespace: string;
  description?: string;
  address: string;
  port?: number;
  /** Position of the entry among the file's exposes, so adapters start in file order. */
  index: number;
  /** Credentials callers must present, when the expose declares `authentication`. */
  auth?: ExposedAuth;
  skills: Skill[];
}

const DESCRIPTOR_FIELDS = ['license', 'compatibility', 'argument-hint', 'allowed-tools', 'user-invocable', 'disable-model-invocation', 'metadata'];

/** Names every sibling adapter offers: MCP tool names, REST operation names. */
function siblingActions(exposes: unknown[]): Map<string, { mode: 'mcp' | 'rest'; actions: Set<string> }> {
  const siblings = new Map<string, { mode: 'mcp' | 'rest'; actions: Set<string> }>();
  for (const entry of exposes) {
    if (!isObject(entry) || typeof entry.namespace !== 'string') continue;
    const names = (list: unknown): string[] => (Array.isArray(list) ? list.filter(isObject).map((x) => (typeof x.name === 'string' ? x.name : typeof x.ref === 'string' ? x.ref.slice(x.ref.indexOf('.') + 1) : '')) : []);
    if (entry.type === 'mcp') siblings.set(entry.namespace, { mode: 'mcp', actions: new Set(names(entry.tools)) });
    else if (entry.type === 'rest') {
      const operations = (Array.isArray(entry.resources) ? entry.resources : []).flatMap((r: unknown) => (isObject(r) ? names(r.operations) : []));
      siblings.set(entry.namespace, { mode: 'rest', actions: new Set(operations) });
    }
  }
  return siblings;
}

/** A skill's `location`: a `file://` URI (relative to the capability, as binds write it) or a plain path. */
function folderOf(location: unknown, file: string): string | undefined {
  if (typeof location !== 'string') return undefined;
  return resolveFileLocation(location, dirname(file)) ?? resolve(dirname(file), location);
}

/**
 * Compiles every `skill` expose of a capability.
 *
 * Bound variables of the expose's `authentication` are read through the runtime's secret store.
 * @throws SpecError listing, as `file:line:col`, each tool that names an unknown sibling namespace or
 *   action, has both or neither of `from` and `instruction`, or uses `instruction` without a `location`.
 */
export function compileSkills(capability: Capability, runtime: Runtime): SkillExposeSpec[] {
  const { sources, binds, document } = capabilityInternals(capability);
  const sink = new DiagnosticSink(capability.file, sources.get(capability.file) ?? new Map());
  const refused: Diagnostic[] = [];
  const secrets = runtimeInternals(runtime).secrets;
  const root = isObject(document.capability) ? document.capability : {};
  const exposes: unknown[] = Array.isArray(root.exposes) ? root.exposes : [];
  const siblings = siblingActions(exposes);
  const specs: SkillExposeSpec[] = [];
  exposes.forEach((entry, index) => {
    if (!isObject(entry) || entry.type !== 'skill') return;
    const pointer = `/capability/exposes/${index}`;
    const skills: Skill[] = [];
    (Array.isArray(entry.skills) ? entry.skills : []).forEach((raw: unknown, s) => {
      const skillPointer = `${pointer}/skills/${s}`;
      if (!isObject(raw) || typeof raw.name !== 'string') return;
      const folder = folderOf(raw.location, capability.file);
      const skill: Skill = { name: raw.name, fields: {}, tools: [] };
      if (typeof raw.description === 'string') skill.description = raw.description;
      if (folder) skill.folder = folder;
      for (const field of DESCRIPTOR_FIELDS) if (raw[field] !== undefined) skill.fields[field] = raw[field];
      (Array.isArray(raw.tools) ? raw.tools : []).forEach((tool: unknown, t) => {
        const toolPointer = `${skillPointer}/tools/${t}`;
        if (!isObject(tool) || typeof tool.name !== 'string') return;
        const base = { name: tool.name, ...(typeof tool.description === 'string' ? { description: tool.description } : {}) };
        const from = isObject(tool.from) ? tool.from : undefined;
        if (from && tool.instruction !== undefined) sink.error(toolPointer, `skill tool '${tool.name}' cannot define both 'from' and 'instruction'`);
        else if (from) {
          const namespace = String(from.sourceNamespace ?? '');
          const action = String(from.action ?? '');
          const sibling = siblings.get(namespace);
          if (!sibling) sink.error(`${toolPointer}/from/sourceNamespace`, `skill tool '${tool.name}' names namespace '${namespace}', which is not an mcp or rest expose of this file (it has ${[...siblings.keys()].map((n) => `'${n}'`).join(', ') || 'none'})`);
          else if (!sibling.actions.has(action)) sink.error(`${toolPointer}/from/action`, `skill tool '${tool.name}' names action '${action}', which ${sibling.mode} expose '${namespace}' does not have`);
          else skill.tools.push({ ...base, type: 'derived', invocationRef: { targetNamespace: namespace, action, mode: sibling.mode } });
        } else if (typeof tool.instruction === 'string') {
          if (!folder) sink.error(`${toolPointer}/instruction`, `skill tool '${tool.name}' uses 'instruction' but skill '${raw.name}' has no 'location'`);
          else skill.tools.push({ ...base, type: 'instruction', instruction: tool.instruction });
        } else sink.error(toolPointer, `skill tool '${tool.name}' must define either 'from' or 'instruction'`);
      });
      skills.push(skill);
    });
    const spec: SkillExposeSpec = {
      type: 'skill',
      namespace: String(entry.namespace ?? ''),
      address: exposeAddress(entry),
      index,
      skills,
    };
    if (typeof entry.port === 'number') spec.port = entry.port;
    const auth = compileExposedAuth(entry.authentication, `${pointer}/authentication`, sink, { binds, store: secrets, owner: spec.namespace }, (at, message) =>
      refused.push({ severity: 'error', ...sink.ref(at), message }),
    );
    if (auth) spec.auth = auth;
    if (typeof entry.description === 'string') spec.description = entry.description;
    specs.push(spec);
  });
  throwServeProblems(capability.file, sink.list.filter((d) => d.severity === 'error'), refused);
  return specs;
}
