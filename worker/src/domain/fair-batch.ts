/**
 * Up to `size` of `candidates` (given oldest first), taken round-robin by `keyOf` (an
 * organization): the first of each key in the order each key first appears, then the second of
 * each, and so on. Within one key the candidates keep their order, so what is not taken now is
 * still first in line next time; a key alone among the candidates may fill the batch, but a key
 * with many candidates can never push out another that has some.
 */
export function roundRobinBy<T>(candidates: readonly T[], keyOf: (item: T) => string, size: number): T[] {
  const queues = new Map<string, T[]>();
  for (const item of candidates) {
    const key = keyOf(item);
    const queue = queues.get(key);
    if (queue) queue.push(item);
    else queues.set(key, [item]);
  }
  const picked: T[] = [];
  for (let round = 0; picked.length < size; round++) {
    let any = false;
    for (const queue of queues.values()) {
      if (round >= queue.length) continue;
      any = true;
      picked.push(queue[round]!);
      if (picked.length === size) break;
    }
    if (!any) break;
  }
  return picked;
}
