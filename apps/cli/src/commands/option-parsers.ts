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
