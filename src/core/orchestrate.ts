import { z } from 'zod';
import type { Run } from './run.js';

export type TaskUnion = z.ZodDiscriminatedUnion<readonly z.ZodObject[], string>;
type TaskOf<Tasks extends TaskUnion> = z.infer<Tasks>;
type TypeOf<Tasks extends TaskUnion, Key extends string> = Extract<TaskOf<Tasks>[Key], string>;

/** What became of one planned task. A task that failed validation never reaches a worker. */
export type TaskOutcome<Task, Result> =
  | { status: 'done'; task: Task; result: Result }
  | { status: 'failed'; task: Record<string, unknown>; error: string };

export interface OrchestrateOptions<Tasks extends TaskUnion, Key extends string, Input, Result, Reply> {
  /** The tasks the planner may emit: a discriminated union on `discriminator`. */
  tasks: Tasks;
  discriminator: Key;
  /** The planner's prompt for this input. */
  plan: (input: Input) => { system?: string; prompt: string };
  /** One worker per task type, each task in its own scope `task[index]`; the type demands them all and hands each its own task shape. */
  workers: { [Type in TypeOf<Tasks, Key>]: (task: Extract<TaskOf<Tasks>, Record<Key, Type>>, run: Run) => Promise<Result> };
  /** Writes one reply from every outcome, failures included, in the scope `synthesize`. */
  synthesize: (input: Input, outcomes: TaskOutcome<TaskOf<Tasks>, Result>[], run: Run) => Promise<Reply>;
  /** At most this many tasks from the planner. @default 10 */
  maxTasks?: number;
  /** Names the orchestration's scope. @default 'orchestrate' */
  name?: string;
}

export interface Orchestrated<Task, Result, Reply> {
  /** What the planner emitted, as it emitted it. */
  planned: Record<string, unknown>[];
  outcomes: TaskOutcome<Task, Result>[];
  reply: Reply;
}

/**
 * Orchestrator–workers: a planner step emits a typed task list, each task goes to its typed
 * worker concurrently, and a synthesizer writes one reply from all outcomes.
 *
 * The planner sees every field of every task type, all nullable, so a model that cannot fill a
 * field can say so; each task is then checked against the strict union, and one with missing
 * fields becomes a failed outcome the synthesizer is told about. The run's `orchestrate` method.
 */
export async function orchestrate<Tasks extends TaskUnion, Key extends string, Input, Result, Reply>(
  run: Run,
  input: Input,
  { tasks, discriminator, plan, workers, synthesize, maxTasks = 10, name = 'orchestrate' }: OrchestrateOptions<Tasks, Key, Input, Result, Reply>,
): Promise<Orchestrated<TaskOf<Tasks>, Result, Reply>> {
  return run.group(name, async (orchestrateRun) => {
    const Plan = z.object({ tasks: z.array(plannerTaskSchema(tasks, discriminator)).max(maxTasks) });
    const planned = (await orchestrateRun.step({ name: 'plan', schema: Plan, ...plan(input) })).tasks.map(withoutNulls);
    const settled = await orchestrateRun.parallel(
      planned,
      async (candidate, taskRun): Promise<TaskOutcome<TaskOf<Tasks>, Result>> => {
        const parsed = tasks.safeParse(candidate);
        if (!parsed.success) return { status: 'failed', task: candidate, error: describeIssues(parsed.error) };
        const task = parsed.data as TaskOf<Tasks>;
        const worker = workers[task[discriminator] as TypeOf<Tasks, Key>] as (task: TaskOf<Tasks>, run: Run) => Promise<Result>;
        return { status: 'done', task, result: await worker(task, taskRun) };
      },
      { name: 'task' },
    );
    const outcomes = settled.map((outcome, index): TaskOutcome<TaskOf<Tasks>, Result> =>
      outcome.ok ? outcome.value : { status: 'failed', task: planned[index]!, error: errorText(outcome.error) },
    );
    const reply = await orchestrateRun.group('synthesize', (synthesizeRun) => synthesize(input, outcomes, synthesizeRun));
    return { planned, outcomes, reply };
  });
}

/** One object with the discriminator and every other field of every option, nullable. */
function plannerTaskSchema(tasks: TaskUnion, discriminator: string): z.ZodObject {
  const types: string[] = [];
  const shape: Record<string, z.ZodType> = {};
  for (const option of tasks.options) {
    for (const [field, schema] of Object.entries(option.shape as Record<string, z.ZodType>)) {
      if (field === discriminator) {
        const literal = schema as z.ZodLiteral<string>;
        types.push(...(literal.values as Set<string>));
      } else if (!(field in shape)) {
        shape[field] = schema.nullable();
      }
    }
  }
  return z.object({ [discriminator]: z.enum(types as [string, ...string[]]), ...shape });
}

function withoutNulls(task: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(task).filter(([, value]) => value !== null));
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
