import { Coalescer } from './coalescer';

describe('Coalescer', () => {
  it('answers the loads of one turn with one call, each with its own value', async () => {
    const calls: number[][] = [];
    const squares = new Coalescer<number, number>(async (keys) => {
      calls.push(keys);
      return keys.map((k) => k * k);
    });
    const first = await Promise.all([squares.load(2), squares.load(3), squares.load(2)]);
    const later = await squares.load(5);
    expect(first).toEqual([4, 9, 4]);
    expect(later).toBe(25);
    expect(calls).toEqual([[2, 3, 2], [5]]);
  });

  it('fails every load of a failed call, and recovers for the next turn', async () => {
    let fail = true;
    const loader = new Coalescer<string, string>(async (keys) => {
      if (fail) throw new Error('database down');
      return keys.map((k) => k.toUpperCase());
    });
    const results = await Promise.allSettled([loader.load('a'), loader.load('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(loader.load('c')).resolves.toBe('C');
  });
});
