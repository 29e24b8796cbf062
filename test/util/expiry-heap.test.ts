import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { ExpiryHeap, type HeapItem } from '../../src/util/expiry-heap.ts';

interface Item extends HeapItem {
  name: number;
}

it('upTo() answers like a scan of every item, whatever the sets and removals', () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('set' as const),
      item: fc.nat(30),
      expiry: fc.integer({ min: 0, max: 100 }),
    }),
    fc.record({ kind: fc.constant('remove' as const), item: fc.nat(30) }),
    fc.record({ kind: fc.constant('query' as const), time: fc.integer({ min: -1, max: 101 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const heap = new ExpiryHeap<Item>();
      const items = Array.from({ length: 31 }, (_, name) => ({ name, expiry: 0, heapIndex: -1 }));
      const model = new Map<number, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          heap.set(items[o.item] as Item, o.expiry);
          model.set(o.item, o.expiry);
        } else if (o.kind === 'remove') {
          heap.remove(items[o.item] as Item);
          model.delete(o.item);
        } else {
          const got = heap
            .upTo(o.time)
            .map((i) => i.name)
            .sort((a, b) => a - b);
          const want = [...model]
            .filter(([, e]) => e <= o.time)
            .map(([n]) => n)
            .sort((a, b) => a - b);
          assert.deepEqual(got, want);
        }
        assert.equal(heap.size, model.size);
      }
    }),
    { numRuns: 500 },
  );
});
