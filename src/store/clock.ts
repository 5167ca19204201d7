/** Source of "now" in ms since epoch; injectable so tests control timestamps. */
export type Clock = () => number;

/** The wall clock (`Date.now`). */
export const systemClock: Clock = () => Date.now();
