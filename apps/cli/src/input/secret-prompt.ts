import { StringDecoder } from 'node:string_decoder';
import { CliError } from '../cli-error';

/** Where answers come from: process.stdin, or a stream in tests. */
export interface Input {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeListener(event: 'data' | 'end', listener: (...args: never[]) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** A terminal that can be asked without echo: raw mode keeps the typed characters off the screen. */
export const canAskSecretOn = (input: Input | undefined): input is Input & Required<Pick<Input, 'setRawMode'>> =>
  input?.isTTY === true && typeof input.setRawMode === 'function';

const ENTER = new Set(['\r', '\n']);
const ERASE = new Set(['\u007f', '\b']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const ESCAPE = '\u001b';

/**
 * Reads one line from a terminal with nothing echoed. In raw mode Ctrl-C arrives as a character
 * rather than a signal, so it is handled here: it cancels, as does Ctrl-D on an empty line.
 */
export function readSecret(input: Input, prompt: { write(text: string): void }, question: string): Promise<string> {
  if (!canAskSecretOn(input)) throw new Error('readSecret needs a terminal');
  const decoder = new StringDecoder('utf8');
  prompt.write(question);
  input.setRawMode(true);
  return new Promise((resolve, reject) => {
    let secret = '';
    const finish = (cancelled: boolean) => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.setRawMode(false);
      input.pause();
      prompt.write('\n');
      if (cancelled) reject(new CliError('cancelled; nothing was changed'));
      else resolve(secret);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of typeof chunk === 'string' ? chunk : decoder.write(chunk)) {
        if (ENTER.has(char)) return finish(false);
        if (char === CTRL_C || (char === CTRL_D && secret === '')) return finish(true);
        if (char === CTRL_D) return finish(false);
        // An arrow or function key: the rest of the chunk is its escape sequence, not the secret.
        if (char === ESCAPE) return;
        if (ERASE.has(char)) secret = Array.from(secret).slice(0, -1).join('');
        else if (char >= ' ') secret += char;
      }
    };
    const onEnd = () => finish(true);
    input.on('data', onData);
    input.on('end', onEnd);
    input.resume();
  });
}
