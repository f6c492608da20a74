import { expect, test } from 'vitest';
import { createSequencePool } from '../../../src/providers/local/sequence-pool.js';

/** A stand-in sequence holding some tokens, as a context sequence would after a call. */
function fakeSequence(name: string, held: number[]) {
  return {
    name,
    held,
    compareContextTokens(tokens: number[]) {
      let index = 0;
      while (index < held.length && held[index] === tokens[index]) index += 1;
      return { firstDifferentIndex: index };
    },
  };
}

test('a call takes the free sequence holding the longest prefix of its prompt', async () => {
  const pool = createSequencePool([fakeSequence('empty', []), fakeSequence('shared', [1, 2, 3, 4]), fakeSequence('other', [9, 9])]);
  const lease = await pool.acquire([1, 2, 3, 7, 8]);
  expect(lease.sequence.name).toBe('shared');
  expect(lease.reusedPrefixTokens).toBe(3);
});

test('the last prompt token never counts as reused: it is decoded again for its logits', async () => {
  const pool = createSequencePool([fakeSequence('same', [1, 2, 3])]);
  expect((await pool.acquire([1, 2, 3])).reusedPrefixTokens).toBe(2);
});

test('calls beyond the pool wait, first come first served, and run when a sequence frees', async () => {
  const pool = createSequencePool([fakeSequence('only', [])]);
  const first = await pool.acquire([1]);
  const order: string[] = [];
  const second = pool.acquire([2]).then((lease) => {
    order.push('second');
    return lease;
  });
  const third = pool.acquire([3]).then((lease) => {
    order.push('third');
    return lease;
  });
  expect(pool.busy).toBe(1);
  first.release();
  first.release(); // twice is harmless: it must not free the sequence again
  (await second).release();
  (await third).release();
  expect(order).toEqual(['second', 'third']);
  expect(pool.busy).toBe(0);
  expect(pool.peakBusy).toBe(1);
});

test('an abort while waiting rejects that call and leaves the queue to the others', async () => {
  const pool = createSequencePool([fakeSequence('only', [])]);
  const first = await pool.acquire([1]);
  const controller = new AbortController();
  const cancelled = pool.acquire([2], controller.signal);
  const next = pool.acquire([3]);
  controller.abort(new Error('stop'));
  await expect(cancelled).rejects.toThrow('stop');
  first.release();
  const lease = await next;
  expect(lease.sequence.name).toBe('only');
  await expect(pool.acquire([4], AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
});

test('concurrent calls each hold their own sequence', async () => {
  const pool = createSequencePool([fakeSequence('a', []), fakeSequence('b', [])]);
  const [one, two] = await Promise.all([pool.acquire([1]), pool.acquire([2])]);
  expect(one.sequence).not.toBe(two.sequence);
  expect(pool.peakBusy).toBe(2);
});
