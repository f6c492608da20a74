import type { LanguageModelV4Prompt, SharedV4Warning } from '@ai-sdk/provider';
import type { ChatHistoryItem } from 'node-llama-cpp';

/** A chat history ready for `LlamaChat.generateResponse`, and what the conversion had to drop or rewrite. */
export interface ConvertedPrompt {
  history: ChatHistoryItem[];
  warnings: SharedV4Warning[];
}

/**
 * Converts an AI SDK prompt into node-llama-cpp's chat history, ending with the model response
 * that `LlamaChat` completes (empty, or the trailing assistant message as a prefill); the model's
 * chat wrapper renders it into its template.
 *
 * Only text reaches the model. Tool calls and results become plain text (the local model runs
 * no tools), inline text files are inlined, and other files (images, audio, PDFs) are dropped
 * with a warning. Reasoning parts of earlier answers are dropped: templates show only answers.
 *
 * @example
 * promptToChatHistory([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]).history
 * // [{ type: 'user', text: 'Hi' }, { type: 'model', response: [] }]
 */
export function promptToChatHistory(prompt: LanguageModelV4Prompt): ConvertedPrompt {
  const history: ChatHistoryItem[] = [];
  const warnings: SharedV4Warning[] = [];
  const warnOnce = (warning: SharedV4Warning) => {
    if (!warnings.some((existing) => JSON.stringify(existing) === JSON.stringify(warning))) warnings.push(warning);
  };

  const appendUserText = (text: string) => {
    const last = history.at(-1);
    // templates expect turns to alternate; consecutive user turns (user + tool results) merge into one
    if (last?.type === 'user') last.text = `${last.text}\n\n${text}`;
    else history.push({ type: 'user', text });
  };

  for (const message of prompt) {
    switch (message.role) {
      case 'system':
        history.push({ type: 'system', text: message.content });
        break;
      case 'user': {
        const texts: string[] = [];
        for (const part of message.content) {
          if (part.type === 'text') texts.push(part.text);
          else if (part.data.type === 'text') texts.push(part.data.text);
          else warnOnce({ type: 'unsupported', feature: `file parts (${part.mediaType})`, details: 'the local model reads text only; the file was left out' });
        }
        appendUserText(texts.join('\n'));
        break;
      }
      case 'assistant': {
        const texts: string[] = [];
        for (const part of message.content) {
          if (part.type === 'text') texts.push(part.text);
          else if (part.type === 'tool-call') {
            texts.push(`Calling tool ${part.toolName} with ${JSON.stringify(part.input)}`);
            warnOnce({ type: 'compatibility', feature: 'tool calls in the prompt', details: 'rendered as text' });
          } else if (part.type === 'tool-result') {
            texts.push(`Tool ${part.toolName} returned ${JSON.stringify(part.output)}`);
            warnOnce({ type: 'compatibility', feature: 'tool results in the prompt', details: 'rendered as text' });
          } else if (part.type === 'file' || part.type === 'reasoning-file') {
            warnOnce({ type: 'unsupported', feature: `file parts (${part.mediaType})`, details: 'the local model reads text only; the file was left out' });
          }
        }
        const last = history.at(-1);
        if (last?.type === 'model') last.response.push(texts.join('\n'));
        else history.push({ type: 'model', response: [texts.join('\n')] });
        break;
      }
      case 'tool': {
        const results = message.content
          .filter((part) => part.type === 'tool-result')
          .map((part) => `Tool ${part.toolName} returned ${JSON.stringify(part.output)}`);
        if (results.length > 0) {
          appendUserText(results.join('\n'));
          warnOnce({ type: 'compatibility', feature: 'tool results in the prompt', details: 'rendered as text' });
        }
        break;
      }
    }
  }
  // a trailing assistant message is a prefill the model continues; otherwise open an empty answer
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return { history, warnings };
}
