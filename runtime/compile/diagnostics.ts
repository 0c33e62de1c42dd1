import type { Diagnostic } from '../errors.js';
import type { SourceMap, SourceRef } from './plan.js';

/** Collects the problems of one file, each pinned to the line and column of the offending node. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];

  constructor(
    readonly file: string,
    readonly positions: SourceMap,
  ) {}

  /** Source position of a node, falling back to its nearest positioned ancestor. */
  ref(pointer: string): SourceRef {
    const [line, col] = locate(this.positions, pointer);
    return { file: this.file, pointer, line, col };
  }

  add(severity: Diagnostic['severity'], pointer: string, message: string): void {
    this.list.push({ severity, ...this.ref(pointer), pointer: this.written(pointer), message });
  }

  warn(pointer: string, message: string): void {
    this.add('warning', pointer, message);
  }

  error(pointer: string, message: string): void {
    this.add('error', pointer, message);
  }

  /** A diagnostic names the node as the file writes it: positions of a normalized (Ikanos) document translate their pointers back. */
  private written(pointer: string): string {
    const positions = this.positions as SourceMap & { original?: (pointer: string) => string };
    return positions.original ? positions.original(pointer) : pointer;
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }
}

/** Line and column of `pointer`, or of its nearest ancestor that has a position; `[0, 0]` when none has. */
export function locate(positions: SourceMap, pointer: string): [number, number] {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
    const found = positions.get(p);
    if (found) return found;
    if (p === '') return [0, 0];
  }
}
