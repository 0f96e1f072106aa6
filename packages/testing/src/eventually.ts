/**
 * Retries an assertion until it holds or `timeoutMs` passes, then throws its last failure:
 * for effects that arrive asynchronously with no event to await (routing changes arrive by
 * NOTIFY at every gateway).
 */
export async function eventually(assertion: () => Promise<void>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
