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
    this.list.push({ severity, ...this.ref(pointer), message });
  }

  warn(pointer: string, message: string): void {
    this.add('warning', pointer, message);
  }

  error(pointer: string, message: string): void {
    this.add('error', pointer, message);
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }
}
