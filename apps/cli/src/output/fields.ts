import { bold } from './style';

/** One record for people: a label per line, the values lined up after it. */
export function formatFields(fields: ReadonlyArray<readonly [label: string, value: string]>, options: { color?: boolean } = {}): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length));
  return fields
    .map(([label, value]) => {
      const padded = `${label}:`.padEnd(width + 3);
      // Padding is measured before styling: escape codes take no room on screen.
      return `${options.color ? `${bold(`${label}:`)}${padded.slice(label.length + 1)}` : padded}${value}`.trimEnd();
    })
    .join('\n')
    .concat('\n');
}
