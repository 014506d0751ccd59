import { isNamespacedBuiltin } from '../schema/index.js';

/**
 * Reports whether a kind is cluster-scoped: built-in kinds as the schema table says, everything else
 * (custom resources included) counts as namespaced, as in kustomize.
 */
export function isClusterScoped(group: string, kind: string): boolean {
  return isNamespacedBuiltin(group, kind) === false;
}
