export { MetricStreams, streamWindowMs } from './metric-streams';
