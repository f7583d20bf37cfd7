export { type CliContext, processContext } from './context.js';
export { type DemoOptions, type DemoSummary, runDemo } from './demo.js';
export { formatError, InputError, PartialFailureError, UsageError } from './errors.js';
export { EXIT_CODES, type ExitCode, exitCodeFor } from './exit-codes.js';
export { COMMON_HELP, main, usage } from './main.js';
export { RenderError, type RenderOptions, type RenderResult, renderToPng } from './render.js';
