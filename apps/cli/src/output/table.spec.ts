import { formatTable, type Column } from './table';

interface Row {
  name: string;
  count: number;
}

const COLUMNS: Column<Row>[] = [
  { header: 'NAME', cell: (r) => r.name },
  { header: 'COUNT', cell: (r) => String(r.count), align: 'right' },
  { header: 'NOTE', cell: (r) => (r.count > 5 ? 'many' : '') },
];

describe('formatTable', () => {
  it('pads each column to its widest cell, numbers to the right, two spaces apart, no trailing blanks', () => {
    const text = formatTable(COLUMNS, [
      { name: 'acme', count: 12 },
      { name: 'globex-corporation', count: 3 },
    ]);
    expect(text).toBe(
      ['NAME                COUNT  NOTE', 'acme                   12  many', 'globex-corporation      3', ''].join('\n'),
    );
  });

  it('prints the header alone for no rows', () => {
    expect(formatTable(COLUMNS, [])).toBe('NAME  COUNT  NOTE\n');
  });

  it('has no escape codes unless asked for color, and then only on the header, aligned as without', () => {
    const rows = [{ name: 'acme', count: 12 }];
    const plain = formatTable(COLUMNS, rows);
    const colored = formatTable(COLUMNS, rows, { color: true });
    expect(plain).not.toContain('\u001b');
    expect(colored.split('\n')[0]).toContain('\u001b[1mNAME\u001b[22m');
    expect(colored.replaceAll('\u001b[1m', '').replaceAll('\u001b[22m', '')).toBe(plain);
  });
});
