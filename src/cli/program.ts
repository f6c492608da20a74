import { Command } from 'commander';
import { evalCommand } from './commands/eval-command.js';
import { faqCommand } from './commands/faq-command.js';
import { limitsCommand } from './commands/limits-command.js';
import { orchestrateCommand } from './commands/orchestrate-command.js';
import { resumeCommand } from './commands/resume-command.js';
import { routeCommand } from './commands/route-command.js';
import { runCommand } from './commands/run-command.js';
import { runsCommand } from './commands/runs-command.js';
import { signalCommand } from './commands/signal-command.js';
import { viewCommand } from './commands/view-command.js';
import { workerCommand } from './commands/worker-command.js';
import { redactSecrets } from '../core/redact-secrets.js';
import { toTerminalText } from './terminal-text.js';

/** The `braid` command and its subcommands. */
export function createProgram(): Command {
  const program = new Command('braid')
    .description('reliable LLM workflows from small, typed steps')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage and examples)')
    // usage errors read like every other braid error, and quote a bad value (a --base-url with a password) without its secret
    .configureOutput({ outputError: (text, write) => write(toTerminalText(redactSecrets(text.replace(/^error: /, 'braid: ')))) })
    .exitOverride()
    .addCommand(faqCommand())
    .addCommand(routeCommand())
    .addCommand(orchestrateCommand())
    .addCommand(evalCommand())
    .addCommand(runCommand())
    .addCommand(runsCommand())
    .addCommand(resumeCommand('resume', rerun))
    .addCommand(resumeCommand('retry', rerun))
    .addCommand(signalCommand(rerun))
    .addCommand(viewCommand())
    .addCommand(limitsCommand())
    .addCommand(workerCommand())
    .addHelpText(
      'after',
      `
Examples:
  $ braid faq                                  # FAQ over the bundled samples, embedded local model
  $ braid route "I was charged twice" --json
  $ braid orchestrate "Where is order A-12345?"
  $ braid run ./refund.js '{"order": "A-1"}'    # your own workflow module, as a durable run
  $ braid runs                                 # runs in the journal; braid resume <id> continues one
  $ braid signal <run-id> approval '{"approved": true}'   # answer a waiting run, and resume it
  $ braid view                                 # the console: every run, live, in the browser
  $ braid limits                               # provider limits learned so far, and from where
  $ braid worker                               # serve distributed batches from BRAID_REDIS_URL's Redis

Models: --model google:gemini-2.5-flash | openai:gpt-4.1-mini | anthropic:claude-haiku-4-5 |
        openai-compatible:<id> --base-url URL | ollama:<id> | local[:file.gguf]
Keys come from GOOGLE_GENERATIVE_AI_API_KEY, OPENAI_API_KEY, ANTHROPIC_API_KEY.`,
    );
  for (const command of program.commands) command.copyInheritedSettings(program);
  return program;
}

/** Runs a recorded command line again, as if typed. */
async function rerun(argv: string[]): Promise<void> {
  await createProgram().parseAsync(argv, { from: 'user' });
}
