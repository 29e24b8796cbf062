/**
 * RFC 2782 "Usage rules": records sorted by priority, lowest first; within one priority a
 * weighted random order, each pick with probability weight / (sum of the weights left),
 * weight 0 records placed first so they keep a small chance. `random` returns [0, 1).
 */
export function orderSrv<T extends { priority: number; weight: number }>(
  records: readonly T[],
  random: () => number = Math.random,
): T[] {
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
  const out: T[] = [];
  for (const p of priorities) {
    const left = records.filter((r) => r.priority === p);
    // Stable: zero weights to the front, the others in the order received.
    left.sort((a, b) => Number(a.weight !== 0) - Number(b.weight !== 0));
    while (left.length > 0) {
      const total = left.reduce((s, r) => s + r.weight, 0);
      // "a uniform random number between 0 and the running sum, inclusive"
      const pick = Math.min(total, Math.floor(random() * (total + 1)));
      let sum = 0;
      let i = 0;
      for (; i < left.length - 1; i++) {
        sum += left[i]!.weight;
        if (sum >= pick) break;
      }
      out.push(left.splice(i, 1)[0]!);
    }
  }
  return out;
}
