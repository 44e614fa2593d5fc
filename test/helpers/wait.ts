// Polling for an outcome in tests (a job run, a delivery, a row): the check's value once it is
// neither undefined, null nor false, or an error naming what never came. Not a timing assertion:
// the limit only keeps a broken run from hanging.
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | null | false> | T | undefined | null | false, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
