/**
 * The HTTP client every source fetcher shares: node:http(s) with custom CAs, client certificates,
 * timeouts, cancellation, redirect handling that keeps credentials on their host, and body limits.
 */
export {
  basicAuth,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  headerValue,
  httpRequest,
  redact,
} from './http-request.js';
