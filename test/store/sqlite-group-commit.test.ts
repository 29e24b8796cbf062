import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteDriver } from '../../src/store/sqlite/sqlite-driver.ts';

const dir = mkdtempSync(join(tmpdir(), 'ims-group-commit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function open() {
  const path = join(dir, `g${n++}.sqlite`);
  const driver = new SqliteDriver(path);
  await driver.run('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
  // Another connection: sees only what is committed.
  const other = new Database(path, { readonly: true });
  const committed = () =>
    Object.fromEntries(
      (other.prepare('SELECT k, v FROM t ORDER BY k').all() as { k: string; v: number }[]).map((r) => [
        r.k,
        r.v,
      ]),
    );
  return { driver, committed, close: () => other.close() };
}

describe('SQLite driver: group commit', () => {
  it('write transactions of one event-loop turn settle together, each only once committed', async () => {
    const { driver, committed, close } = await open();
    const seen: Record<string, number>[] = [];
    const writes = ['a', 'b', 'c'].map((k, i) =>
      driver
        .transaction(async (tx) => {
          await tx.run('INSERT INTO t VALUES (?, ?)', [k, i]);
          return k;
        })
        .then((k) => {
          // Durable before the caller hears of it: another connection already sees it.
          seen.push(committed());
          return k;
        }),
    );
    assert.deepEqual(await Promise.all(writes), ['a', 'b', 'c']);
    for (const s of seen) assert.deepEqual(s, { a: 0, b: 1, c: 2 });
    await driver.close();
    close();
  });

  it('a failing transaction is undone alone; the others of its batch commit', async () => {
    const { driver, committed, close } = await open();
    const ok1 = driver.transaction((tx) => tx.run('INSERT INTO t VALUES (?, ?)', ['x', 1]));
    const bad = driver.transaction(async (tx) => {
      await tx.run('INSERT INTO t VALUES (?, ?)', ['y', 2]);
      throw new Error('refused');
    });
    const dup = driver.transaction((tx) => tx.run('INSERT INTO t VALUES (?, ?)', ['x', 3]));
    const ok2 = driver.transaction((tx) => tx.run('INSERT INTO t VALUES (?, ?)', ['z', 4]));
    const [r1, rBad, rDup, r2] = await Promise.allSettled([ok1, bad, dup, ok2]);
    assert.equal(r1.status, 'fulfilled');
    assert.match(String(rBad.status === 'rejected' && rBad.reason), /refused/);
    assert.match(String(rDup.status === 'rejected' && rDup.reason), /UNIQUE/);
    assert.equal(r2.status, 'fulfilled');
    assert.deepEqual(committed(), { x: 1, z: 4 });
    await driver.close();
    close();
  });

  it('reads outside a transaction see the last commit, never the open batch, and do not wait', async () => {
    const { driver, committed, close } = await open();
    const write = driver.transaction((tx) => tx.run('INSERT INTO t VALUES (?, ?)', ['r', 7]));
    const read = driver.get<{ v: number }>('SELECT v FROM t WHERE k = ?', ['r']);
    const snap = driver.snapshot((tx) => tx.get<{ v: number }>('SELECT v FROM t WHERE k = ?', ['r']));
    // Queued in the same turn: the read answers from the last commit, before the batch's.
    assert.equal(await read, undefined);
    await write;
    // A snapshot queued behind the write reads inside the batch and settles once it is committed.
    assert.deepEqual(await snap, { v: 7 });
    assert.deepEqual(await driver.get('SELECT v FROM t WHERE k = ?', ['r']), { v: 7 });
    // Later turns open new batches.
    await driver.transaction((tx) => tx.run('UPDATE t SET v = 8 WHERE k = ?', ['r']));
    assert.deepEqual(committed(), { r: 8 });
    assert.deepEqual(await driver.all('SELECT k, v FROM t'), [{ k: 'r', v: 8 }]);
    await assert.rejects(driver.get('SELECT nope FROM t'), /no such column/);
    await driver.close();
    close();
  });

  it('close() commits a batch still open', async () => {
    const { driver, committed, close } = await open();
    const write = driver.transaction((tx) => tx.run('INSERT INTO t VALUES (?, ?)', ['c', 1]));
    const closing = driver.close();
    await write;
    await closing;
    assert.deepEqual(committed(), { c: 1 });
    close();
  });
});
