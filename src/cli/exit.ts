// The command line's exit codes, shared by every subcommand.
export const EXIT = { ok: 0, invalid: 2, noAdapter: 3, diverged: 4 } as const;
