/** 0: all done; 1: some items (or the run) failed; 2: the command was called wrongly; 130: cancelled with Ctrl-C. */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;
