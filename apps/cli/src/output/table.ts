import { bold } from './style';

export interface Column<Row> {
  header: string;
  cell: (row: Row) => string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
}

/** A plain text table: a header line, then one line per row, columns two spaces apart. */
export function formatTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[], options: { color?: boolean } = {}): string {
  const cells = rows.map((row) => columns.map((column) => column.cell(row)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => (line[i] ?? '').length)));
  const render = (line: readonly string[], decorate: (text: string) => string = (text) => text) =>
    columns
      .map((column, i) => {
        const text = line[i] ?? '';
        const width = widths[i] ?? 0;
        // Padding is measured before styling: escape codes take no room on screen.
        const padding = ' '.repeat(width - text.length);
        return column.align === 'right' ? padding + decorate(text) : decorate(text) + padding;
      })
      .join('  ')
      .trimEnd();
  const header = render(
    columns.map((column) => column.header),
    options.color ? bold : undefined,
  );
  return [header, ...cells.map((line) => render(line))].join('\n') + '\n';
}
