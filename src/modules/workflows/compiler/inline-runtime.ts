// FlowRuntime inline (no checkpoints), for compiled modules and the conformance suite: defined
// beside the interpreter it shares executeStep with (run-execution.job.ts).
export { inlineRuntime } from '../run-execution.job.ts';
