/**
 * OpenAPI v3 documents of the embedded cluster: the `/openapi/v3` discovery root with content hashes, and one
 * document per group-version with the schemas of its kinds (built-ins from src/schema, custom resources from
 * their CRD) and the REST paths with the operations and parameters kubectl and helm inspect (PATCH content
 * types, `fieldValidation`). Documents are cached; built-in ones are shared across registries.
 */
export {
  type OpenAPIBody,
  openapiDocument,
  openapiDocumentBody,
  openapiRoot,
  schemaNameOf,
} from './openapi.js';
