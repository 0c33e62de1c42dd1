import type { Capability } from '../types.js';
import { InputError } from '../errors.js';
import type { BindPlan, OperationPlan, SourceMap } from './plan.js';

/** What a loaded capability holds beyond its public fields. */
export interface CapabilityInternals {
  /** The parsed root document (plain data), in the array shape the compiler reads. */
  document: Record<string, unknown>;
  binds: BindPlan[];
  /** Compiled operations of every consumed namespace, including imported ones, in `operations` order. */
  plans: OperationPlan[];
  /** Positions of every node of every file loaded, for later diagnostics (exposes). */
  sources: Map<string, SourceMap>;
}

const registry = new WeakMap<Capability, CapabilityInternals>();

/** Freezes the public part of a capability and keeps its internals where only the runtime can reach them. */
export function sealCapability(capability: Capability, internals: CapabilityInternals): Capability {
  registry.set(capability, internals);
  return Object.freeze(capability);
}

/** The internals of a capability `loadCapability` returned; anything else is refused. */
export function capabilityInternals(capability: Capability): CapabilityInternals {
  const internals = registry.get(capability);
  if (internals === undefined) throw new InputError('not a loaded capability: pass what loadCapability() returned');
  return internals;
}
