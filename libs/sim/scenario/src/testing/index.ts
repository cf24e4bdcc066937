/** @pims/sim-scenario/testing: fixtures for simulator tests. */
export { FIXED_NOW, CREDS, smallClinic } from './fixtures';
