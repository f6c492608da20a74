import type { LanguageModel } from 'ai';

/**
 * `provider:model` for a model, with the provider named as in braid's specs: the AI SDK's
 * `openai.chat` and `google.generative-ai` become `openai` and `google`.
 */
export function modelKeyOf(model: LanguageModel): string {
  if (typeof model === 'string') return model;
  const family = model.provider.split('.')[0] ?? model.provider;
  return `${family}:${model.modelId}`;
}
