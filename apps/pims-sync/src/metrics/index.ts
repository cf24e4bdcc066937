export { PimsSyncMetrics, type EndedRun, type MetricsOptions, type RunEndedObserver } from './metrics';
export { label, OTHER } from './labels';
