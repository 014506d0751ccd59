/**
 * Git sources: fetches a repository with the git CLI (HTTPS with basic or bearer auth and custom CAs,
 * SSH with strict host key checking), resolves Flux's `ref` precedence, and reports Flux's revision.
 */
export {
  type FetchGitDeps,
  type FetchGitOptions,
  type FetchGitResult,
  fetchGit,
  type GitAuth,
  type GitCommitInfo,
  type GitRef,
  type GitSignature,
} from './fetch-git.js';
