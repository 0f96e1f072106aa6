import { formatFields } from './fields';
import { formatTable, type Column } from './table';

/** Where text goes: process.stdout / process.stderr, or a buffer in tests. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Writes to one output, with every registered secret blanked out on the way: the admin token
 * must not reach a terminal, a log or a CI transcript even when a server echoes it back.
 */
export class Printer {
  constructor(
    private readonly output: Output,
    private readonly secrets: ReadonlySet<string>,
    /** Styling only for a person at a terminal; NO_COLOR (no-color.org) turns it off too. */
    readonly color: boolean,
  ) {}

  write(text: string): void {
    let safe = text;
    for (const secret of this.secrets) safe = safe.split(secret).join('***');
    this.output.write(safe);
  }

  line(text = ''): void {
    this.write(`${text}\n`);
  }

  /** For scripts: the answer as the control plane gave it, pretty-printed. */
  json(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  table<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): void {
    this.write(formatTable(columns, rows, { color: this.color }));
  }

  /** One record, a field per line (`saas pools show`). */
  fields(fields: ReadonlyArray<readonly [label: string, value: string]>): void {
    this.write(formatFields(fields, { color: this.color }));
  }
}
