import pLimit from 'p-limit';

/**
 * Runs fn over items with at most `limit` in flight (p-limit), keeping the order of the results.
 * After the first failure no new item starts; it waits for the running ones, then throws that failure.
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  const run = pLimit(Math.max(1, Math.floor(limit) || 1));
  let failed = false;
  let firstError: unknown;
  await Promise.all(
    items.map((item, i) =>
      run(async () => {
        if (failed) return;
        try {
          results[i] = await fn(item, i);
        } catch (err) {
          if (!failed) {
            failed = true;
            firstError = err;
          }
        }
      }),
    ),
  );
  if (failed) throw firstError;
  return results;
}
