import type { BatchProgress } from '../distributed/run-distributed.js';

export interface BatchProgressLine {
  update(progress: BatchProgress): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A one-line live status of a distributed batch on stderr: items done over all workers, failures,
 * workers connected. Silent unless `enabled` (a TTY and no `--json`).
 */
export function createBatchProgress({ enabled, label, stream = process.stderr }: { enabled: boolean; label: string; stream?: NodeJS.WriteStream }): BatchProgressLine {
  if (!enabled) return { update() {}, stop() {} };
  const started = Date.now();
  let frame = 0;
  return {
    update({ total, completed, failed, workers }) {
      frame = (frame + 1) % FRAMES.length;
      const done = completed + failed;
      const filled = total > 0 ? Math.round((done / total) * 20) : 0;
      const parts = [
        `${FRAMES[frame]} ${label} [${'█'.repeat(filled)}${'░'.repeat(20 - filled)}] ${done}/${total}`,
        failed > 0 ? `${failed} failed` : '',
        workers === 0 ? 'no worker connected: start one with braid worker' : `${workers} worker${workers === 1 ? '' : 's'}`,
        `${((Date.now() - started) / 1000).toFixed(1)}s`,
      ];
      const line = parts.filter(Boolean).join(' · ');
      stream.write(`\r\u001b[2K${line.slice(0, (stream.columns || 120) - 1)}`);
    },
    stop() {
      stream.write('\r\u001b[2K');
    },
  };
}
