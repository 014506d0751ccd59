import semver from 'semver';

/**
 * Converts a Masterminds-style constraint (as Flux and Helm write them: `>= 1.2, < 2.0`, `1.x`, `~1.2`,
 * `*`) to a node-semver range: commas are AND, `||` is OR.
 */
export function toSemverRange(constraint: string): string {
  return constraint
    .split('||')
    .map((part) =>
      part
        .split(',')
        .map((p) => p.trim().replace(/^(>=|<=|>|<|=|~|\^)\s+/, '$1'))
        .join(' '),
    )
    .join(' || ');
}

/** Parses a version as Masterminds does: a leading `v` and missing minor/patch are accepted. */
export function parseVersion(version: string): semver.SemVer | undefined {
  const v = semver.parse(version, { loose: true });
  if (v) return v;
  const m = /^v?(\d+)(?:\.(\d+))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.exec(version);
  if (!m) return undefined;
  return semver.parse(`${m[1]}.${m[2] ?? '0'}.0${m[3] ?? ''}${m[4] ?? ''}`) ?? undefined;
}

/**
 * Picks the highest of `candidates` that satisfies the constraint, or undefined. Pre-releases only
 * match when the constraint names one, as with Masterminds semver. Throws `TypeError` on an invalid
 * constraint.
 */
export function selectLatestVersion(candidates: Iterable<string>, constraint: string): string | undefined {
  const range = new semver.Range(toSemverRange(constraint), { loose: true });
  let best: { name: string; v: semver.SemVer } | undefined;
  for (const name of candidates) {
    const v = parseVersion(name);
    if (!v || !range.test(v)) continue;
    if (!best || semver.gt(v, best.v) || (semver.eq(v, best.v) && name < best.name)) best = { name, v };
  }
  return best?.name;
}
