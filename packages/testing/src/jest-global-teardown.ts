/** Jest globalTeardown: stops (and deletes) the embedded server the global setup started. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__MYSAAS_EMBEDDED_PG__?.stop();
  globalThis.__MYSAAS_EMBEDDED_PG__ = undefined;
}
