/** Jest globalTeardown: stops (and deletes) the embedded server postgres-setup started. */
export default async function teardown(): Promise<void> {
  await globalThis.__MODULES_EMBEDDED_PG__?.stop();
  globalThis.__MODULES_EMBEDDED_PG__ = undefined;
}
