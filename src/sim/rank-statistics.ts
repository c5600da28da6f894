/**
 * Kendall's τ-b between two scorings of the same objects (ties in either count as neither
 * concordant nor discordant; τ-b divides by √((n0 − n1)(n0 − n2))). 1 = the same order, −1 = reversed;
 * NaN when either scoring is constant.
 */
export function kendallTau(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`expected two scorings of the same objects, actual ${a.length} and ${b.length} values`);
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const x = Math.sign(a[i] - a[j]);
      const y = Math.sign(b[i] - b[j]);
      if (x === 0) tiesA++;
      if (y === 0) tiesB++;
      if (x * y > 0) concordant++;
      else if (x * y < 0) discordant++;
    }
  }
  const pairs = (a.length * (a.length - 1)) / 2;
  return (concordant - discordant) / Math.sqrt((pairs - tiesA) * (pairs - tiesB));
}

/**
 * Area under the ROC curve of `scores` for binary `labels` (1 positive, 0 negative): the chance a
 * positive scores above a negative, ties counting one half (Mann–Whitney, with mid-ranks). NaN when
 * either class is empty.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (scores.length !== labels.length) throw new RangeError(`expected a label per score, actual ${scores.length} scores and ${labels.length} labels`);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((i, j) => scores[i] - scores[j]);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && scores[order[end]] === scores[order[start]]) end++;
    const midRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSum += midRank;
      }
    }
    start = end;
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
