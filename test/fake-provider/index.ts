export {
  startFakeProvider,
  readJsonConfig,
  FakeProviderConfigError,
  type FakeProvider,
  type FakeProviderOptions,
  type StartFakeProviderOptions,
  type FakeProviderStats,
  type FakeRule,
  type TimelineEntry,
} from './fake-provider.js';
export type { FaultKind, FaultRates } from './pick-fault.js';
export type { WireName } from './wire.js';
export { createValueFromSchema } from './schema-value.js';
export { createSeededRandom, hashText, type SeededRandom } from './seeded-random.js';
