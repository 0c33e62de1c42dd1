/**
 * Hands out names unique among those already taken: `name`, then `name-2`, `name-3`… (with the
 * separator given; names listed in `reserved` are never handed out).
 */
export class UniqueNames {
  private readonly taken: Set<string>;

  constructor(
    private readonly separator = '-',
    reserved: Iterable<string> = [],
  ) {
    this.taken = new Set(reserved);
  }

  take(name: string): string {
    let unique = name;
    for (let n = 2; this.taken.has(unique); n++) unique = `${name}${this.separator}${n}`;
    this.taken.add(unique);
    return unique;
  }
}
