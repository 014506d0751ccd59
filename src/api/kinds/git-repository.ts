import { type Static, Type } from '@sinclair/typebox';
import { type ApiObject, defineKind } from '../kind.js';
import { Duration, LocalObjectReference, StringEnum, TIMEOUT_PATTERN } from '../schema-kit.js';
import {
  ArtifactSchema,
  Conditions,
  Interval,
  LastHandledReconcileAt,
  ObservedGeneration,
} from './common.js';

const GitRepositoryIncludeSchema = Type.Object({
  fromPath: Type.Optional(
    Type.String({ description: 'Path to copy from the included repository; defaults to the root.' }),
  ),
  repository: LocalObjectReference('The GitRepository to include.'),
  toPath: Type.Optional(
    Type.String({ description: 'Path to copy to; defaults to the name of the GitRepository.' }),
  ),
});

const GitRepositoryRefSchema = Type.Object(
  {
    branch: Type.Optional(
      Type.String({ description: 'Branch to check out; `master` when no other field is set.' }),
    ),
    commit: Type.Optional(
      Type.String({ description: 'Commit SHA to check out; takes precedence over all other fields.' }),
    ),
    name: Type.Optional(
      Type.String({
        description:
          'Full Git reference (`refs/heads/main`, `refs/pull/1/head`); precedence over branch, tag, semver.',
      }),
    ),
    semver: Type.Optional(Type.String({ description: 'SemVer range of tags; precedence over tag.' })),
    tag: Type.Optional(Type.String({ description: 'Tag to check out; precedence over branch.' })),
  },
  { description: 'The Git reference to resolve and watch for changes; defaults to the master branch.' },
);

/** The schema of a GitRepository's spec. */
export const GitRepositorySpecSchema = Type.Object(
  {
    ignore: Type.Optional(
      Type.String({ description: 'Extra .sourceignore patterns, overriding the defaults.' }),
    ),
    include: Type.Optional(
      Type.Array(GitRepositoryIncludeSchema, {
        description: 'Other GitRepositories to include in the artifact.',
      }),
    ),
    interval: Interval('The interval at which the GitRepository URL is checked for updates.'),
    provider: Type.Optional(
      StringEnum(['generic', 'aws', 'azure', 'github'] as const, {
        description: 'The OIDC provider for authentication.',
      }),
    ),
    proxySecretRef: Type.Optional(LocalObjectReference('Secret with the proxy address and credentials.')),
    recurseSubmodules: Type.Optional(Type.Boolean({ description: 'Whether to clone submodules.' })),
    ref: Type.Optional(GitRepositoryRefSchema),
    secretRef: Type.Optional(
      LocalObjectReference(
        'Secret with credentials: username/password, bearerToken, identity/known_hosts, ca.crt, tls.crt/tls.key.',
      ),
    ),
    serviceAccountName: Type.Optional(
      Type.String({ description: 'Service account for workload identity (aws, azure).' }),
    ),
    sparseCheckout: Type.Optional(
      Type.Array(Type.String(), { description: 'Directories to check out; all when empty.' }),
    ),
    suspend: Type.Optional(Type.Boolean({ description: 'Tells the controller to suspend reconciliation.' })),
    timeout: Type.Optional(
      Duration({
        pattern: TIMEOUT_PATTERN,
        default: '60s',
        description: 'Timeout for Git operations like cloning.',
      }),
    ),
    url: Type.String({
      pattern: '^(http|https|ssh)://.*$',
      description: 'The repository URL (http, https or ssh).',
    }),
    verify: Type.Optional(
      Type.Object(
        {
          mode: Type.Optional(
            StringEnum(['head', 'HEAD', 'Tag', 'TagAndHEAD'] as const, {
              default: 'HEAD',
              description: 'What to verify: the HEAD commit, the tag, or both.',
            }),
          ),
          secretRef: LocalObjectReference('Secret with the trusted public keys.'),
        },
        { description: 'OpenPGP signature verification of the commit or tag.' },
      ),
    ),
  },
  { description: 'GitRepositorySpec specifies the Git repository to check out and the reference to watch.' },
);

/** The schema of a GitRepository's status. */
export const GitRepositoryStatusSchema = Type.Object(
  {
    artifact: Type.Optional(ArtifactSchema),
    conditions: Conditions(),
    includedArtifacts: Type.Optional(
      Type.Array(ArtifactSchema, { description: 'Artifacts of the included repositories.' }),
    ),
    lastHandledReconcileAt: LastHandledReconcileAt(),
    observedGeneration: ObservedGeneration(),
    observedIgnore: Type.Optional(Type.String({ description: 'The ignore patterns of the last artifact.' })),
    observedInclude: Type.Optional(
      Type.Array(GitRepositoryIncludeSchema, { description: 'The includes of the last artifact.' }),
    ),
    observedRecurseSubmodules: Type.Optional(
      Type.Boolean({ description: 'recurseSubmodules of the last artifact.' }),
    ),
    observedSparseCheckout: Type.Optional(
      Type.Array(Type.String(), { description: 'sparseCheckout of the last artifact.' }),
    ),
    sourceVerificationMode: Type.Optional(
      Type.String({ description: 'The verification mode of the last artifact.' }),
    ),
  },
  { description: 'GitRepositoryStatus records the result of the last reconciliation.' },
);

/** The spec of a GitRepository. */
export type GitRepositorySpec = Static<typeof GitRepositorySpecSchema>;
/** The status of a GitRepository. */
export type GitRepositoryStatus = Static<typeof GitRepositoryStatusSchema>;
/** A `source.toolkit.fluxcd.io/v1` GitRepository. */
export type GitRepository = ApiObject<
  'source.toolkit.fluxcd.io/v1',
  'GitRepository',
  GitRepositorySpec,
  GitRepositoryStatus
>;

/** The GitRepository kind: names, schema, CRD and validation. */
export const GitRepositoryKind = defineKind({
  group: 'source.toolkit.fluxcd.io',
  version: 'v1',
  kind: 'GitRepository',
  plural: 'gitrepositories',
  singular: 'gitrepository',
  shortNames: ['gitrepo'],
  categories: ['all', 'fluxcd', 'fluxcd-sources'],
  description: 'GitRepository is the Schema for the gitrepositories API.',
  spec: GitRepositorySpecSchema,
  status: GitRepositoryStatusSchema,
  printerColumns: [
    { jsonPath: '.spec.url', name: 'URL', type: 'string' },
    { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].status', name: 'Ready', type: 'string' },
    { jsonPath: '.status.conditions[?(@.type=="Ready")].message', name: 'Status', type: 'string' },
  ],
  rules: [
    {
      at: ['spec'],
      rule: "!has(self.serviceAccountName) || (has(self.provider) && (self.provider == 'azure' || self.provider == 'aws'))",
      message: "serviceAccountName can only be set when provider is 'azure' or 'aws'",
      check: (spec) =>
        spec.serviceAccountName === undefined || spec.provider === 'azure' || spec.provider === 'aws',
    },
  ],
});

/** The Git reference a GitRepository resolves, with Flux's default (branch `master`) when none is set. */
export function effectiveGitRef(spec: Pick<GitRepositorySpec, 'ref'>): NonNullable<GitRepositorySpec['ref']> {
  const ref = spec.ref ?? {};
  if (!ref.branch && !ref.tag && !ref.semver && !ref.name && !ref.commit) return { branch: 'master' };
  return ref;
}
