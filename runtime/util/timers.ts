/** Node timers fire at once when given more than this, so a longer wait must be clamped, not passed on. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
