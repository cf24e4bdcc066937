// Test helpers of the sync engine for other projects' tests (e.g. the app's run against IDEXX Neo in Chromium).
export { PASSWORD, createSyncFixture, measuringProvider, neoTarget, scenarioClinic, type PimsTarget, type SyncFixture } from './sync-fixture';
