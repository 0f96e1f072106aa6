import { InvalidArgumentError } from 'commander';
import { positiveInteger, positiveNumber } from './option-parsers';

describe('option parsers', () => {
  it('positiveInteger takes whole numbers from 1 up', () => {
    expect(positiveInteger('1')).toBe(1);
    expect(positiveInteger('100000')).toBe(100000);
    for (const bad of ['0', '-3', '1.5', '1e3', '', ' 2', '0x10', 'ten', '99999999999999999999']) {
      expect(() => positiveInteger(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('positiveNumber takes decimals above 0', () => {
    expect(positiveNumber('0.5')).toBe(0.5);
    expect(positiveNumber('.25')).toBe(0.25);
    expect(positiveNumber('20')).toBe(20);
    for (const bad of ['0', '0.0', '-1', 'Infinity', 'NaN', '1e2', '', 'five']) {
      expect(() => positiveNumber(bad)).toThrow(InvalidArgumentError);
    }
  });
});
