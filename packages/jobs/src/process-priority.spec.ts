import { spawn, type ChildProcess } from 'node:child_process';
import { getPriority } from 'node:os';
import { lowerPriority } from './process-priority';

describe('lowerPriority', () => {
  let child: ChildProcess;
  beforeEach(() => {
    // Another process, so that this test's own priority stays as it was.
    child = spawn(process.execPath, ['-e', 'setTimeout(() => undefined, 30_000)'], { stdio: 'ignore' });
  });
  afterEach(() => {
    child.kill();
  });

  it('lowers a process to the niceness asked, and never raises it again', () => {
    const pid = child.pid!;
    const before = getPriority(pid);
    expect(lowerPriority(Math.min(19, before + 7), pid)).toBe(Math.min(19, before + 7));
    expect(getPriority(pid)).toBe(Math.min(19, before + 7));
    // A lower niceness asked later (or 0, the setting's "leave it") keeps the lower priority.
    expect(lowerPriority(before + 1, pid)).toBe(Math.min(19, before + 7));
    expect(lowerPriority(0, pid)).toBe(Math.min(19, before + 7));
  });
});
