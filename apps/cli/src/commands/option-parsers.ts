import { InvalidArgumentError } from 'commander';

/** Commander argument parsers: a bad value is a usage error (exit 2) before any request is sent. */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number <= 0) {
    throw new InvalidArgumentError('Expected a positive integer (1, 2, 3, …).');
  }
  return number;
}

export function positiveNumber(value: string): number {
  const number = Number(value);
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value) || !Number.isFinite(number) || number <= 0) {
    throw new InvalidArgumentError('Expected a positive number (e.g. 5 or 0.5).');
  }
  return number;
}

/** A whole number from 0 up (`--min-requests 0`: judge even a tenant with no traffic). */
export function wholeNumber(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number)) {
    throw new InvalidArgumentError('Expected a whole number (0, 1, 2, …).');
  }
  return number;
}

/** A factor of at least 1: 2, 1.5 (`--max-latency-ratio`). */
export function ratio(value: string): number {
  const number = Number(value);
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value) || !Number.isFinite(number) || number < 1) {
    throw new InvalidArgumentError('Expected a factor of 1 or more (e.g. 2 or 1.5).');
  }
  return number;
}

const DURATION = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration with its unit, in milliseconds: 500ms, 30s, 1.5s, 2m, 1h. */
export function duration(value: string): number {
  const match = DURATION.exec(value.trim());
  if (match === null) {
    const hint = /^\d+(\.\d+)?$/.test(value.trim()) ? ` (${value.trim()} what? say ${value.trim()}s or ${value.trim()}ms)` : '';
    throw new InvalidArgumentError(`Expected a duration with its unit, e.g. 500ms, 30s or 2m${hint}.`);
  }
  return Number(match[1]) * (UNIT_MS[match[2]!] ?? 1);
}

/**
 * A share between 0 and 1, given as a percentage (`5%`) or a fraction (`0.05`). A bare number
 * above 1 is taken for a percentage missing its sign, and refused, saying so.
 */
export function share(value: string): number {
  const text = value.trim();
  const percent = /^(\d+(?:\.\d+)?|\.\d+)%$/.exec(text);
  if (percent !== null) {
    const number = Number(percent[1]) / 100;
    if (number > 1) throw new InvalidArgumentError(`Expected a percentage from 0% to 100%, not ${text}.`);
    return number;
  }
  if (/^(\d+(\.\d*)?|\.\d+)$/.test(text)) {
    const number = Number(text);
    if (number <= 1) return number;
    throw new InvalidArgumentError(`Expected a percentage (5%) or a fraction from 0 to 1 (0.05); did you mean ${text}%?`);
  }
  throw new InvalidArgumentError('Expected a percentage (5%) or a fraction from 0 to 1 (0.05).');
}

/**
 * Rising whole percentages, comma-separated, each with or without `%`: `10%,50%,100%` or
 * `10,50,100` → [10, 50, 100].
 */
export function risingPercentages(value: string): number[] {
  const parts = value.split(',').map((part) => part.trim());
  const numbers: number[] = [];
  for (const part of parts) {
    const match = /^(\d+)%?$/.exec(part);
    if (part === '' || match === null) {
      throw new InvalidArgumentError(`"${part}" is not a whole percentage: give rising percentages, comma-separated (e.g. 10%,50%,100%).`);
    }
    const number = Number(match[1]);
    if (number < 1 || number > 100) throw new InvalidArgumentError(`${number}% is not between 1% and 100%.`);
    const previous = numbers.at(-1);
    if (previous !== undefined && number <= previous) {
      throw new InvalidArgumentError(`Waves must rise: ${number}% comes after ${previous}% (e.g. 10%,50%,100%).`);
    }
    numbers.push(number);
  }
  return numbers;
}
