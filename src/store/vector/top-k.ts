// The best k (score, item) pairs of a stream, as a min-heap: the root is the score to beat, so most
// candidates of a long scan cost one comparison.

export interface TopK<T> {
  push (score: number, item: T): void
  /** the score a newcomer must beat: the k-th best so far (-Infinity until k were pushed) */
  floor (): number
  /** best first */
  sorted (): Array<{ item: T, score: number }>
}

export function createTopK<T> (k: number): TopK<T> {
  const scores = new Float64Array(k)
  const items: T[] = new Array(k)
  let n = 0
  return {
    push (score, item) {
      if (n < k) {
        let i = n++
        while (i > 0) { // sift up
          const parent = (i - 1) >> 1
          if (scores[parent] <= score) break
          scores[i] = scores[parent]; items[i] = items[parent]
          i = parent
        }
        scores[i] = score; items[i] = item
      } else if (score > scores[0]) {
        let i = 0
        for (;;) { // sift down from the root
          let child = 2 * i + 1
          if (child >= k) break
          if (child + 1 < k && scores[child + 1] < scores[child]) child++
          if (scores[child] >= score) break
          scores[i] = scores[child]; items[i] = items[child]
          i = child
        }
        scores[i] = score; items[i] = item
      }
    },
    floor: () => n < k ? -Infinity : scores[0],
    sorted () {
      const out: Array<{ item: T, score: number }> = []
      for (let i = 0; i < n; i++) out.push({ item: items[i], score: scores[i] })
      return out.sort((a, b) => b.score - a.score)
    },
  }
}
