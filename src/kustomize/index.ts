/**
 * The `kustomize build` engine: loads a tree of kustomizations below a root folder (never reading
 * outside it), runs generators, patches and transformers as kustomize v5 does, and prints the result in
 * `kubectl kustomize`'s YAML form. Also Flux's extras: a generated kustomization for plain folders, the
 * Kustomization object's own fields, and `postBuild` variable substitution. Problems come back as
 * diagnostics with a stable code and the file at fault.
 */
export { type BuildOptions, type BuildResult, build, buildOrThrow, type Diagnostic } from './build.js';
export { KustomizeError, type KustomizeErrorCode } from './errors.js';
export { type FluxExtras, type SubstituteOptions, substitute } from './flux.js';
export type { LoadRestrictor } from './fs.js';
export { contentHash } from './hash.js';
export { toYamlDocument, toYamlStream } from './yaml-output.js';
