/**
 * The GitRepository reconciler: Git repositories fetched with the git CLI into tar.gz artifacts with
 * Flux's revisions (`main@sha1:<hex>`), ignore rules, includes and submodules.
 */
export {
  GIT_REPOSITORY,
  type GitRepositoryDriverDeps,
  gitAuthFromSecret,
  gitRepositoryDriver,
} from './git-repository-driver.js';
