/** adapters/certs: runs tasks one at a time per key, in the order they were queued. */

/** A queue per key; a failed task does not stop the ones queued after it. */
export function serializedBy<K>(): <T>(key: K, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<K, Promise<unknown>>()
  return (key, task) => {
    const result = (tails.get(key) ?? Promise.resolve()).then(task)
    const tail = result.catch(() => undefined)
    tails.set(key, tail)
    // Drop the entry once idle so a store that saw 100k hostnames does not keep 100k promises.
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key)
    })
    return result
  }
}
