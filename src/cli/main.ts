#!/usr/bin/env node
import './quiet-experimental-warnings.js';
import { Command, CommanderError } from 'commander';
import { faqCommand } from './commands/faq-command.js';
import { orchestrateCommand } from './commands/orchestrate-command.js';
import { routeCommand } from './commands/route-command.js';
import { EXIT } from './exit-codes.js';

const program = new Command('braid')
  .description('reliable LLM workflows from small, typed steps')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage and examples)')
  .exitOverride()
  .addCommand(faqCommand())
  .addCommand(routeCommand())
  .addCommand(orchestrateCommand())
  .addHelpText(
    'after',
    `
Examples:
  $ braid faq                                  # FAQ over the bundled samples, embedded local model
  $ braid route "I was charged twice" --json
  $ braid orchestrate "Where is order A-12345?"

Models: --model google:gemini-2.5-flash | openai:gpt-4.1-mini | anthropic:claude-haiku-4-5 |
        openai-compatible:<id> --base-url URL | ollama:<id> | local[:file.gguf]
Keys come from GOOGLE_GENERATIVE_AI_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY.`,
  );
for (const command of program.commands) command.copyInheritedSettings(program);

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CommanderError) {
    // commander already printed the message (or the help)
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    throw error;
  }
}
