// For tests that drive `saas` in-process (e2e/); people and scripts use the bin.
export { ExitCode } from './cli-error';
export type { CliContext, Signals } from './cli-session';
export type { Input } from './input/secret-prompt';
export type { Output } from './output/printer';
export { run } from './program';
