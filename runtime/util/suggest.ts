/** Names from `candidates` close to `name`, best first (for "did you mean" hints). */
export function suggest(name: string, candidates: string[], max = 3): string[] {
  const lower = name.toLowerCase();
  const scored: Array<[string, number]> = [];
  for (const candidate of new Set(candidates)) {
    const c = candidate.toLowerCase();
    // A name typed in part (`get_user` for `get_user_v2_user__user_id__get`) is a strong hint.
    const distance = c.includes(lower) ? 1 + (c.length - lower.length) / 1000 : levenshtein(lower, c);
    if (distance <= Math.max(2, Math.floor(lower.length / 3))) scored.push([candidate, distance]);
  }
  return scored
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([c]) => c);
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
