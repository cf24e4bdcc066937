/** The shared simulator fixtures (a small New York clinic, a fixed clock). */
export { CREDS, FIXED_NOW, smallClinic } from '@pims/sim-scenario/testing';
