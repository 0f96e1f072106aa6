import { formatCount, formatDuration, formatMs, formatOptional, formatPercent, formatTimestamp } from './format';

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [999.9, '999ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [59_960, '59.9s'],
    [60_000, '1m'],
    [182_000, '3m 2s'],
    [3_600_000, '1h'],
    [7_500_000, '2h 5m'],
    [86_400_000 * 3 + 3_600_000 * 4 + 59_000, '3d 4h'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('shows — for no age at all (nothing queued), or a value that is not one', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(-5)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});

describe('formatPercent', () => {
  it.each([
    [0, '0%'],
    [0.25, '25%'],
    [1 / 3, '33.3%'],
    [1, '100%'],
  ])('%d reads %s', (share, text) => {
    expect(formatPercent(share)).toBe(text);
  });
});

describe('formatOptional', () => {
  it('shows — for null (no limit) and the number otherwise', () => {
    expect(formatOptional(null)).toBe('—');
    expect(formatOptional(2.5)).toBe('2.5');
  });
});

describe('formatTimestamp', () => {
  it('drops the milliseconds of an ISO time, and shows — for none', () => {
    expect(formatTimestamp('2026-11-26T12:00:00.123Z')).toBe('2026-11-26T12:00:00Z');
    expect(formatTimestamp('2026-11-26T12:00:00Z')).toBe('2026-11-26T12:00:00Z');
    expect(formatTimestamp(null)).toBe('—');
  });
});

describe('formatCount', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [10_000, '10,000'],
    [1_234_567, '1,234,567'],
    [-4200, '-4,200'],
    [2.5, '2.5'],
  ])('%d reads %s', (n, text) => {
    expect(formatCount(n)).toBe(text);
  });

  it('shows — for none', () => {
    expect(formatCount(null)).toBe('—');
    expect(formatCount(Number.NaN)).toBe('—');
  });
});

describe('formatMs', () => {
  it.each([
    [0, '0 ms'],
    [340, '340 ms'],
    [1234, '1,234 ms'],
    [1234.6, '1,235 ms'],
    [9999, '9,999 ms'],
    [10_000, '10,000 ms (10s)'],
    [83_000, '83,000 ms (1m 23s)'],
  ])('%d reads %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  it('shows — for no time measured', () => {
    expect(formatMs(null)).toBe('—');
    expect(formatMs(-1)).toBe('—');
  });
});
