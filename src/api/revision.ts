/**
 * A Flux revision taken apart: the named pointer (branch, tag, full ref or chart version) and the digest
 * (`<algorithm>:<hex>`). `main@sha1:abc` has both; `sha1:abc` only a digest; `6.0.3` only a name.
 */
export interface Revision {
  /** Branch, tag, full ref (`refs/pull/1/head`) or version; empty when the revision is a bare digest. */
  name: string;
  /** Digest algorithm, e.g. `sha1` or `sha256`; empty when there is no digest. */
  algorithm: string;
  /** Hex digest; empty when there is no digest. */
  hash: string;
}

const DIGEST = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
const SHA1_HEX = /^[0-9a-f]{40}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

function hexAlgorithm(hex: string): string | undefined {
  if (SHA1_HEX.test(hex)) return 'sha1';
  if (SHA256_HEX.test(hex)) return 'sha256';
  return undefined;
}

/**
 * Parses a Flux revision: `main@sha1:<hex>`, `refs/pull/1/head@sha1:<hex>`, `sha1:<hex>`,
 * `v1.0.0@sha256:<hex>`, `sha256:<hex>`, a chart version `6.0.3`, and the legacy forms `main/<hex>` and a
 * bare `<hex>` (taken as sha1 for 40 digits, sha256 for 64).
 */
export function parseRevision(revision: string): Revision {
  const at = revision.lastIndexOf('@');
  if (at >= 0) {
    const m = DIGEST.exec(revision.slice(at + 1));
    if (m) return { name: revision.slice(0, at), algorithm: m[1]!, hash: m[2]! };
  }
  const m = DIGEST.exec(revision);
  if (m && !revision.includes('/')) return { name: '', algorithm: m[1]!, hash: m[2]! };
  const slash = revision.lastIndexOf('/');
  if (slash >= 0) {
    const hex = revision.slice(slash + 1);
    const algorithm = hexAlgorithm(hex);
    if (algorithm) return { name: revision.slice(0, slash), algorithm, hash: hex };
  }
  const algorithm = hexAlgorithm(revision);
  if (algorithm) return { name: '', algorithm, hash: revision };
  return { name: revision, algorithm: '', hash: '' };
}

/** Formats a revision as Flux does: `<name>@<algorithm>:<hash>`, `<algorithm>:<hash>`, or `<name>`. */
export function formatRevision(revision: Revision): string {
  const digest = revision.hash ? `${revision.algorithm}:${revision.hash}` : '';
  if (revision.name && digest) return `${revision.name}@${digest}`;
  return revision.name || digest;
}

/**
 * Rewrites a legacy revision (`main/<hex>`, bare `<hex>`) into the current form (`main@sha1:<hex>`,
 * `sha1:<hex>`); current revisions come back unchanged.
 */
export function normalizeRevision(revision: string): string {
  return formatRevision(parseRevision(revision));
}

/** The digest part of a revision (`sha1:<hex>`), or `''` when it has none. */
export function revisionDigest(revision: string): string {
  const r = parseRevision(revision);
  return r.hash ? `${r.algorithm}:${r.hash}` : '';
}

/** Whether two revisions are the same once legacy forms are normalised (`main/<hex>` equals `main@sha1:<hex>`). */
export function revisionsEqual(a: string, b: string): boolean {
  return normalizeRevision(a) === normalizeRevision(b);
}

/** The Git branch revision `<branch>@sha1:<commit>`. */
export function gitRevision(name: string, commit: string): string {
  const algorithm = hexAlgorithm(commit) ?? 'sha1';
  return formatRevision({ name, algorithm, hash: commit });
}
