import { expect, test } from 'vitest';

// What `import 'braid'` hands a user: the engine, and nothing the apps or the CLI happen to share.
const ENGINE_VALUES = [
  'BraidError',
  'ChangedEffectError',
  'ChangedStepError',
  'CostLimitError',
  'DEFAULT_PRICES',
  'DEFAULT_RETRY_POLICY',
  'InputError',
  'InvalidOutputError',
  'InvalidSignalError',
  'InvalidWorkflowInputError',
  'InvalidWorkflowOutputError',
  'LocalEngineNotInstalledError',
  'LocalModelNotFoundError',
  'ModelIntegrityError',
  'MissingSettingError',
  'ModelSpecError',
  'ProviderCallError',
  'QuotaExhaustedError',
  'RunBusyError',
  'RunCancelledError',
  'RunIdentityError',
  'RunWaitingError',
  'StepTimeoutError',
  'TraceFileError',
  'WaitTimeoutError',
  'checkEvalGate',
  'compareEvals',
  'costOf',
  'createEvalReport',
  'createLimiterRegistry',
  'createLocalEngine',
  'createLocalRunner',
  'createModel',
  'createRateLimiter',
  'createRuntime',
  'defineBatchWorkflow',
  'evaluate',
  'findCriticalPath',
  'findPrice',
  'openLimitsFile',
  'openRunStore',
  'readTraceFile',
  'resume',
  'signal',
  'startRun',
  'startViewer',
  'succeeded',
  'summarizeRun',
];

test('braid exports the engine and nothing else', async () => {
  const braid = await import('../../src/index.js');
  expect(Object.keys(braid).sort()).toEqual([...ENGINE_VALUES].sort());
});

test('the apps live in braid/apps, and no CLI plumbing is exported anywhere', async () => {
  const apps = await import('../../src/workflows/index.js');
  expect(Object.keys(apps)).toEqual(expect.arrayContaining(['generateFaq', 'routeQuery', 'handleOrderQuery', 'builtInWorkflows']));
  const braid = await import('../../src/index.js');
  const cliPlumbing = ['parseModelSpec', 'defaultModelSpec', 'API_KEY_VARIABLES', 'defaultStorePath', 'defaultLimitsPath', 'resolveLocalModelFile', 'openCliRuntime'];
  for (const name of [...cliPlumbing, 'generateFaq', 'routeQuery', 'handleOrderQuery', 'builtInWorkflows', 'group', 'parallel', 'chain']) expect(braid).not.toHaveProperty(name);
  for (const name of cliPlumbing) expect(apps).not.toHaveProperty(name);
});
