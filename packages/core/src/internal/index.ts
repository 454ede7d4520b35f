/**
 * @packageDocumentation
 * `@sluice/core/internal`: helpers the Sluice packages share with each other
 * (worker start-up, deferred promises, timeouts, the error marker). Outside
 * semver: they change whenever the packages need them to; applications
 * should not import them.
 */
export { type Deferred, deferred, withTimeout } from './timeout';
export { startPackageWorker } from './package-worker';
export { SLUICE_ERROR_MARKER, markAsSluiceError } from '../errors/marker';
