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
    let p = pointer;
    for (;;) {
      const pos = this.positions.get(p);
      if (pos) return { file: this.file, pointer, line: pos[0], col: pos[1] };
      if (p === '') return { file: this.file, pointer, line: 0, col: 0 };
      p = p.slice(0, p.lastIndexOf('/'));
    }
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
