import { PassThrough } from 'node:stream';
import { CliError } from '../cli-error';
import { canAskSecretOn, readSecret } from './secret-prompt';

/** A stand-in terminal: what is typed goes in, raw mode is recorded. */
function terminal() {
  const stream = new PassThrough();
  const rawModes: boolean[] = [];
  const input = Object.assign(stream, { isTTY: true, setRawMode: (raw: boolean) => rawModes.push(raw) });
  let shown = '';
  const prompt = { write: (text: string) => void (shown += text) };
  return { input, rawModes, prompt, shown: () => shown };
}

describe('readSecret', () => {
  it('reads a line in raw mode, echoing nothing of it, and leaves raw mode after', async () => {
    const t = terminal();
    const answer = readSecret(t.input, t.prompt, 'Password: ');
    t.input.write('s3cret-pass');
    t.input.write('word\r');

    await expect(answer).resolves.toBe('s3cret-password');
    expect(t.shown()).toBe('Password: \n');
    expect(t.rawModes).toEqual([true, false]);
  });

  it('erases with backspace, and skips the escape sequences of arrow keys', async () => {
    const t = terminal();
    const answer = readSecret(t.input, t.prompt, '? ');
    t.input.write('abX\u007fc\u001b[D');
    t.input.write('dé\n');
    await expect(answer).resolves.toBe('abcdé');
  });

  it.each([
    ['Ctrl-C', 'abc\u0003'],
    ['Ctrl-D on an empty line', '\u0004'],
  ])('cancels on %s', async (_key, typed) => {
    const t = terminal();
    const answer = readSecret(t.input, t.prompt, '? ');
    t.input.write(typed);
    await expect(answer).rejects.toThrow(new CliError('cancelled; nothing was changed'));
    expect(t.rawModes).toEqual([true, false]);
  });

  it('cancels when the input ends before Enter', async () => {
    const t = terminal();
    const answer = readSecret(t.input, t.prompt, '? ');
    t.input.end('abc');
    await expect(answer).rejects.toThrow('cancelled');
  });

  it('asks only on a terminal', () => {
    expect(canAskSecretOn(terminal().input)).toBe(true);
    expect(canAskSecretOn(new PassThrough())).toBe(false);
    expect(canAskSecretOn(undefined)).toBe(false);
  });
});
