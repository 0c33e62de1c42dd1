import type { Runtime } from '../types.js';
import { InputError } from '../errors.js';
import type { SecretStore } from './secretStore.js';

/** What a runtime shares with the adapters built on it (through runtime/internal.ts only). */
export interface RuntimeInternals {
  /** The runtime's one secret store: adapters resolve bound values and mask output through it. */
  secrets: SecretStore;
}

const registry = new WeakMap<Runtime, RuntimeInternals>();

export function attachRuntimeInternals(runtime: Runtime, internals: RuntimeInternals): void {
  registry.set(runtime, internals);
}

/** The internals of a runtime `createRuntime` returned; anything else is refused. */
export function runtimeInternals(runtime: Runtime): RuntimeInternals {
  const internals = registry.get(runtime);
  if (internals === undefined) throw new InputError('not a runtime: pass what createRuntime() returned');
  return internals;
}
