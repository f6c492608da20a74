import { generateText } from 'ai';
import { callSettingsOf, type SendAttempt } from './wire-attempt.js';

/** An attempt that waits for the whole answer: what `step` sends. */
export const generateOnWire: SendAttempt = async (request) => {
  const result = await generateText(callSettingsOf(request));
  const value: unknown = request.schema ? result.output : result.text;
  return { value, output: request.schema ? JSON.stringify(value) : result.text, usage: result.usage, headers: result.response.headers };
};
