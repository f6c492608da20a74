import { expect, test } from 'vitest';
import { getMachineDefaults } from '../../../src/providers/local/machine-defaults.js';

const plenty = 16 * 1024 ** 3;

test('threads leave one core free, and never drop below one', () => {
  expect(getMachineDefaults({ trainContextSize: 4096 }, { cores: 8, freeMemoryBytes: plenty }).threads).toBe(7);
  expect(getMachineDefaults({ trainContextSize: 4096 }, { cores: 2, freeMemoryBytes: plenty }).threads).toBe(1);
  expect(getMachineDefaults({ trainContextSize: 4096 }, { cores: 1, freeMemoryBytes: plenty }).threads).toBe(1);
});

test('sequences follow the cores within 2..4, and shrink when memory is short', () => {
  expect(getMachineDefaults({ trainContextSize: 4096 }, { cores: 16, freeMemoryBytes: plenty }).sequences).toBe(4);
  expect(getMachineDefaults({ trainContextSize: 4096 }, { cores: 1, freeMemoryBytes: plenty }).sequences).toBe(2);
  expect(getMachineDefaults({ trainContextSize: 4096 }, { cores: 16, freeMemoryBytes: 1024 ** 3 }).sequences).toBe(2);
});

test("the context size is capped by the model's train context and by 8192", () => {
  expect(getMachineDefaults({ trainContextSize: 32768 }, { cores: 4, freeMemoryBytes: plenty }).contextSize).toEqual({ min: 1024, max: 8192 });
  expect(getMachineDefaults({ trainContextSize: 2048 }, { cores: 4, freeMemoryBytes: plenty }).contextSize).toEqual({ min: 1024, max: 2048 });
});
