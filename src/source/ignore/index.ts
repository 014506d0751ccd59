/**
 * Ignore rules for artifacts: `.sourceignore` files and `spec.ignore` in gitignore syntax, on top of
 * Flux's default exclusions.
 */
export {
  EXCLUDE_CI,
  EXCLUDE_EXT,
  EXCLUDE_EXTRA,
  EXCLUDE_VCS,
  type LoadSourceIgnoreOptions,
  SOURCE_IGNORE_FILE,
  SourceIgnore,
} from './source-ignore.js';
