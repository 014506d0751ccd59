const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

/**
 * Compares two API version names the way Kubernetes orders them for discovery: GA before beta before alpha,
 * higher major first, higher minor first, and names that are not Kubernetes versions last, alphabetically.
 * Use as a sort comparator: `versions.sort(compareVersionPriority)` puts the preferred version first.
 */
export function compareVersionPriority(a: string, b: string): number {
  const ma = KUBE_VERSION.exec(a);
  const mb = KUBE_VERSION.exec(b);
  if (!ma && !mb) return a < b ? -1 : a > b ? 1 : 0;
  if (!ma) return 1;
  if (!mb) return -1;
  const stability = (m: RegExpExecArray): number => (m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0);
  const sa = stability(ma);
  const sb = stability(mb);
  if (sa !== sb) return sb - sa;
  const majorA = Number(ma[1]);
  const majorB = Number(mb[1]);
  if (majorA !== majorB) return majorB - majorA;
  return Number(mb[3] ?? 0) - Number(ma[3] ?? 0);
}
