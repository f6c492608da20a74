import { EXIT } from './exit-codes.js';
import { batchResumeCommand } from './distributed-runs.js';
import { reportError } from './report-error.js';

/**
 * `braid resume <batch-id> --redis`: reruns the command that started the batch, under its id, so
 * the producer collects it as that command would have: items done are read back, items still
 * running are waited for, and items that failed for good are enqueued again (their journaled steps
 * replay). Returns false when Redis holds no such batch, true once it has handled the id.
 */
export async function resumeBatch(batchId: string, redisFlag: string | true, rerun: (argv: string[]) => Promise<void>): Promise<boolean> {
  let command: string[] | null | undefined;
  try {
    command = await batchResumeCommand(redisFlag, batchId);
  } catch (error) {
    process.exitCode = reportError(error);
    return true;
  }
  if (command === undefined) return false;
  if (command === null) {
    process.stderr.write(`braid: batch ${batchId} was enqueued by a program, not by the braid command: collect it there with createRedisRunner(…).run(workflow, items, { batchId: '${batchId}' })\n`);
    process.exitCode = EXIT.usage;
    return true;
  }
  await rerun(command);
  return true;
}
