/**
 * Names from `candidates` close to `name`, best first (for "did you mean" hints). A candidate is close
 * when it contains the name, when it is a few edits away, or when the words of the name (split at
 * `_`, `-`, `.` and spaces) start its words in order, each allowing one typo: `get_usr` finds
 * `get_user_v2_user__user_id__get`, whose whole name is far too long for an edit distance to help.
 */
export function suggest(name: string, candidates: string[], max = 3): string[] {
  const lower = name.toLowerCase();
  const queryWords = words(lower);
  const scored: Array<[string, number]> = [];
  for (const candidate of new Set(candidates)) {
    const c = candidate.toLowerCase();
    let score: number | undefined;
    // A name typed in part (`get_user` for `get_user_v2_user__user_id__get`) is a strong hint.
    if (c.includes(lower)) score = 1 + (c.length - lower.length) / 1000;
    else {
      const distance = levenshtein(lower, c);
      if (distance <= Math.max(2, Math.floor(lower.length / 3))) score = distance;
      const byWords = wordScore(queryWords, words(c));
      if (byWords !== undefined && (score === undefined || byWords < score)) score = byWords + c.length / 1000;
    }
    if (score !== undefined) scored.push([candidate, score]);
  }
  return scored
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([c]) => c);
}

function words(text: string): string[] {
  return text.split(/[\s_.-]+/).filter((w) => w !== '');
}

/**
 * How well `query` words start `candidate` words, in order: 1 plus the typos needed (and a little for
 * every candidate word skipped), or undefined when some word matches nothing. Words of two letters or
 * less must match exactly.
 */
function wordScore(query: string[], candidate: string[]): number | undefined {
  if (query.length < 2) return undefined;
  let next = 0;
  let cost = 1;
  for (const word of query) {
    let found = false;
    while (next < candidate.length) {
      const distance = prefixDistance(word, candidate[next++]);
      if (distance <= (word.length > 2 ? 1 : 0)) {
        cost += distance;
        found = true;
        break;
      }
      cost += 0.1;
    }
    if (!found) return undefined;
  }
  return cost;
}

/** Edits between `word` and the start of `candidate` (one letter more or fewer allowed). */
function prefixDistance(word: string, candidate: string): number {
  let best = Infinity;
  for (const length of [word.length - 1, word.length, word.length + 1]) {
    if (length > 0 && length <= candidate.length) best = Math.min(best, levenshtein(word, candidate.slice(0, length)));
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
