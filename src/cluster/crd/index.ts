/**
 * CustomResourceDefinitions as the API server treats them: validation of a CRD before it is stored, and the
 * status it reports once served (accepted names, NamesAccepted and Established conditions, stored versions).
 * Serving the CRD's resources is the registry's job (`installCRD`).
 */
export { type CRDCause, type CRDStatusOptions, crdStatus, validateCRD } from './crd.js';
