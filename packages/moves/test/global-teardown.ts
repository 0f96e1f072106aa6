import testingTeardown from '@mysaas/testing/jest-global-teardown';

/** Stops the second cluster global-setup started, then the usual teardown. */
export default async function teardown(): Promise<void> {
  await globalThis.__MOVES_LOGICAL_PG__?.stop();
  await testingTeardown();
}
