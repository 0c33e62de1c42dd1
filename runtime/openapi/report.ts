/**
 * What an import or export could not carry over, collected while it runs and printed on stderr.
 * Nothing the OpenAPI document says is dropped without an entry here.
 */

/** How far from the source an entry is. */
export type ReportKind =
  /** The capability format cannot say it; the file does something close, or nothing. */
  | 'not-expressible'
  /** Worth knowing, nothing is lost (a choice made among alternatives). */
  | 'note';

export interface ReportEntry {
  kind: ReportKind;
  /** What the entry is about: `GET /pets/{id}`, `security scheme 'oauth'`, `server 2`… */
  subject: string;
  message: string;
}

/** Collects report entries; one per import or export. */
export class Report {
  readonly entries: ReportEntry[] = [];

  notExpressible(subject: string, message: string): void {
    this.entries.push({ kind: 'not-expressible', subject, message });
  }

  note(subject: string, message: string): void {
    this.entries.push({ kind: 'note', subject, message });
  }
}

const LABELS: Record<ReportKind, string> = {
  'not-expressible': 'not expressible',
  note: 'note',
};

/** One line an entry: `not expressible: GET /pets: style 'deepObject' of query parameter 'filter' …`. */
export function formatReportEntry(entry: ReportEntry): string {
  return `${LABELS[entry.kind]}: ${entry.subject}: ${entry.message}`;
}
