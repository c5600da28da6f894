/** Sentinel rank of a positive that cannot be ranked (a cold positive in the `full` protocol): a miss for every metric. */
export const MISS = -1;

/** Metric names as they appear in reports: `recall@K`, `hr@K`, `ndcg@K`, `mrr`, `top1`, `rewardPerUser`. */
export type MetricKind = 'recall' | 'hr' | 'ndcg' | 'mrr' | 'top1' | 'reward';

/** 1 when the 0-based `rank` is below `k` (Recall@K = HR@K with one positive). */
export function hitAt(rank: number, k: number): number {
  return rank >= 0 && rank < k ? 1 : 0;
}

/** NDCG@K with one positive: `1 / log2(rank + 2)` when `rank < k`, else 0. */
export function ndcgAt(rank: number, k: number): number {
  return rank >= 0 && rank < k ? 1 / Math.log2(rank + 2) : 0;
}

/** Reciprocal rank `1 / (rank + 1)` without cut-off; 0 for a miss. */
export function reciprocalRank(rank: number): number {
  return rank >= 0 ? 1 / (rank + 1) : 0;
}

/** 1 when the positive is ranked first. */
export function top1(rank: number): number {
  return rank === 0 ? 1 : 0;
}

/** Value of one case-level metric for a rank (`reward` is the top-1 reward: `reward` if rank 0 else 0). */
export function caseMetric(kind: MetricKind, rank: number, k: number, reward = 0): number {
  switch (kind) {
    case 'recall':
    case 'hr':
      return hitAt(rank, k);
    case 'ndcg':
      return ndcgAt(rank, k);
    case 'mrr':
      return reciprocalRank(rank);
    case 'top1':
      return top1(rank);
    case 'reward':
      return rank === 0 ? reward : 0;
  }
}

/**
 * Expected value of a case-level metric when the positive's rank is uniform over `n` items
 * (a random agent; exact, not simulated).
 */
export function expectedUniform(kind: MetricKind, n: number, k: number, reward = 0): number {
  if (!(n >= 1)) return 0;
  let sum = 0;
  for (let r = 0; r < n; r++) sum += caseMetric(kind, r, k, reward);
  return sum / n;
}
