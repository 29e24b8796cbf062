export { type FunctionFile, type HttpSection, httpSectionSchema, readFunctionFile } from './host-config.ts';
export {
  type FunctionLauncher,
  FunctionUnavailableError,
  isFunctionAvailable,
  loadFunction,
} from './registry.ts';
export {
  type HealthReport,
  type HostedFunction,
  type LaunchOptions,
  launchFunction,
  type PreparedFunction,
  prepareFunction,
  type RunFunctionOptions,
  runFunction,
} from './run-function.ts';
