import type { Span } from '../core/span.js';

export interface Progress {
  /** Feed it every span as it ends. */
  onSpan(span: Span): void;
  /** Sets how many units of work there are, once known, for the bar. */
  setTotal(total: number): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const REDRAW_MS = 100;

/**
 * A one-line live status on stderr: steps done, retries, 429s, tokens and cost. Silent unless
 * `enabled` (the CLI enables it only when stdout is a TTY and `--json` is off).
 */
export function createProgress({ enabled, label, stream = process.stderr }: { enabled: boolean; label: string; stream?: NodeJS.WriteStream }): Progress {
  if (!enabled) return { onSpan() {}, setTotal() {}, stop() {} };
  let steps = 0;
  let failed = 0;
  let retries = 0;
  let rateLimited = 0;
  let tokens = 0;
  let costUsd = 0;
  let total: number | undefined;
  let frame = 0;
  const started = Date.now();
  const write = stream.write.bind(stream);
  let isShown = false;
  // output written while the line is up must not land after it: clear the line first, and let
  // the next tick draw it again below the output
  const clear = (): void => {
    if (isShown) write('\r\u001b[2K');
    isShown = false;
  };
  const restore = [process.stdout, process.stderr].map((output) => {
    const original = output.write;
    output.write = ((...args: Parameters<typeof output.write>) => {
      clear();
      return original.apply(output, args);
    }) as typeof output.write;
    return () => {
      output.write = original;
    };
  });
  const draw = (): void => {
    frame = (frame + 1) % FRAMES.length;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const bar = total ? ` ${renderBar(steps / total)} ${steps}/${total}` : ` ${steps} steps`;
    const extras = [failed ? `${failed} failed` : '', retries ? `${retries} retries` : '', rateLimited ? `${rateLimited}×429` : '']
      .filter(Boolean)
      .join(', ');
    const line = `${FRAMES[frame]} ${label}${bar} · ${tokens.toLocaleString('en-US')} tokens · $${costUsd.toFixed(4)} · ${seconds}s${extras ? ` · ${extras}` : ''}`;
    write(`\r\u001b[2K${line.slice(0, (stream.columns || 120) - 1)}`);
    isShown = true;
  };
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  return {
    onSpan(span) {
      if (span.kind === 'step') {
        steps += 1;
        if (span.status !== 'ok') failed += 1;
        retries += Math.max(0, (span.attempts ?? 1) - 1);
      } else if (span.kind === 'attempt') {
        if (span.rateLimited) rateLimited += 1;
        tokens += (span.inputTokens ?? 0) + (span.outputTokens ?? 0);
        costUsd += span.costUsd ?? 0;
      }
    },
    setTotal(value) {
      total = value;
    },
    stop() {
      clearInterval(timer);
      clear();
      for (const undo of restore.splice(0)) undo();
    },
  };
}

function renderBar(fraction: number, width = 20): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}
