import pino from 'pino';

/** Structured logs on stderr; quiet in tests unless LOG_LEVEL says otherwise. */
export const log = pino(
  { level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'), base: undefined },
  pino.destination(2),
);
