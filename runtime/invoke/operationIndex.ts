import { OperationNotFoundError } from '../errors.js';
import { suggest } from '../util/suggest.js';

/** Something an index can find: an entry whose plan carries the operation's names. */
export interface Indexed {
  plan: { id: string; namespace: string; resource: string; name: string };
}

/**
 * Finds operations by every name they answer to: id, `namespace.name`, `namespace.resource.name` and
 * the bare name. An exact id always wins over a bare name that happens to equal it.
 */
export class OperationIndex<T extends Indexed> {
  readonly #byName = new Map<string, T[]>();

  constructor(entries: T[]) {
    const add = (key: string, entry: T) => {
      const list = this.#byName.get(key);
      if (!list) this.#byName.set(key, [entry]);
      else if (!list.includes(entry)) list.push(entry);
    };
    for (const entry of entries) {
      const { id, namespace, resource, name } = entry.plan;
      add(id, entry);
      add(`${namespace}.${name}`, entry);
      add(`${namespace}.${resource}.${name}`, entry);
      add(name, entry);
    }
    for (const entry of entries) this.#byName.set(entry.plan.id, [entry]);
  }

  /** The operation `name` designates; OPERATION_NOT_FOUND with suggestions, or with the candidates when ambiguous. */
  find(name: string): T {
    const found = this.#byName.get(name);
    if (found?.length === 1) return found[0];
    if (found && found.length > 1) {
      const candidates = found.map((e) => e.plan.id);
      throw new OperationNotFoundError(`operation name '${name}' is ambiguous: use one of ${candidates.join(', ')}`, { name, candidates });
    }
    // Every alias of an operation is a candidate, but each operation is suggested once, by its id.
    const suggestions = [...new Set(suggest(name, [...this.#byName.keys()], 10).flatMap((key) => this.#byName.get(key)!.map((e) => e.plan.id)))].slice(0, 3);
    const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => `'${s}'`).join(' or ')}?` : '';
    throw new OperationNotFoundError(`no operation named '${name}'${hint}`, { name, suggestions });
  }
}
