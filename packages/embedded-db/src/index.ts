export { freePort } from './free-port';
export { runningServerPid } from './server-pid';
export { startEmbeddedPostgres, type EmbeddedPostgresOptions, type RunningPostgres } from './embedded-postgres';
