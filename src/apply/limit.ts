/**
 * Runs `fn` over `items` with at most `limit` calls in flight and returns the results in input order. All
 * started calls settle before it rejects with the first error (by input order), so no request is left running.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const errors: { index: number; error: unknown }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      if (errors.length) return;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (error) {
        errors.push({ index: i, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (errors.length) {
    errors.sort((a, b) => a.index - b.index);
    throw errors[0]!.error;
  }
  return results;
}
