import { InvalidArgumentError } from 'commander';
import { duration, positiveInteger, positiveNumber, ratio, risingPercentages, share, wholeNumber } from './option-parsers';

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

describe('rollout option parsers', () => {
  it('duration takes a number and its unit, in milliseconds', () => {
    expect(duration('500ms')).toBe(500);
    expect(duration('30s')).toBe(30_000);
    expect(duration('1.5s')).toBe(1500);
    expect(duration('2m')).toBe(120_000);
    expect(duration('1h')).toBe(3_600_000);
    expect(() => duration('30')).toThrow('(30 what? say 30s or 30ms)');
    for (const bad of ['', 's', '-1s', '1d', '1 m', 'thirty seconds', '1e3ms']) expect(() => duration(bad)).toThrow(InvalidArgumentError);
  });

  it('share takes a percentage or a fraction from 0 to 1, and says a bare number above 1 is missing its %', () => {
    expect(share('5%')).toBe(0.05);
    expect(share('0.5%')).toBe(0.005);
    expect(share('100%')).toBe(1);
    expect(share('0')).toBe(0);
    expect(share('0.05')).toBe(0.05);
    expect(share('1')).toBe(1);
    expect(() => share('5')).toThrow('did you mean 5%?');
    for (const bad of ['101%', '-5%', 'five', '', '%', '1.5.5']) expect(() => share(bad)).toThrow(InvalidArgumentError);
  });

  it('wholeNumber takes 0 up; ratio takes factors of 1 or more', () => {
    expect(wholeNumber('0')).toBe(0);
    expect(wholeNumber('25')).toBe(25);
    for (const bad of ['-1', '1.5', '', 'x']) expect(() => wholeNumber(bad)).toThrow(InvalidArgumentError);
    expect(ratio('1')).toBe(1);
    expect(ratio('2.5')).toBe(2.5);
    for (const bad of ['0.9', '0', '-2', 'x2', '']) expect(() => ratio(bad)).toThrow(InvalidArgumentError);
  });

  it('risingPercentages takes comma-separated whole percentages, with or without %, each above the last', () => {
    expect(risingPercentages('10%,50%,100%')).toEqual([10, 50, 100]);
    expect(risingPercentages('10, 50 ,100')).toEqual([10, 50, 100]);
    expect(risingPercentages('25')).toEqual([25]);
    expect(() => risingPercentages('50,50')).toThrow('Waves must rise: 50% comes after 50%');
    expect(() => risingPercentages('10.5,20')).toThrow('"10.5" is not a whole percentage');
    expect(() => risingPercentages('10,,20')).toThrow('"" is not a whole percentage');
    expect(() => risingPercentages('0')).toThrow('0% is not between 1% and 100%.');
    expect(() => risingPercentages('101%')).toThrow('101% is not between 1% and 100%.');
  });
});
