/**
 * The simulator's clock. "today" of every clinic comes from it. It either follows real time or is
 * fixed at an instant (NEO_SIM_NOW, the `now` option, POST /__sim/clock).
 */
export class SimClock {
  private fixed: Date | null = null;

  constructor(at?: Date | string | null) {
    this.set(at ?? null);
  }

  now(): Date {
    return this.fixed ? new Date(this.fixed.getTime()) : new Date();
  }

  /** Fixes the clock at an instant, or returns it to real time with null. */
  set(at: Date | string | null): void {
    if (at === null) {
      this.fixed = null;
      return;
    }
    const d = parseInstant(at);
    if (!d) throw new Error(`Invalid instant: ${String(at)}`);
    this.fixed = d;
  }

  isFixed(): boolean {
    return this.fixed !== null;
  }
}

/** An ISO instant with a zone designator (Z or an offset), or a Date. */
export function parseInstant(at: Date | string): Date | null {
  if (at instanceof Date) return Number.isNaN(at.getTime()) ? null : new Date(at.getTime());
  if (
    typeof at !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(at.trim())
  )
    return null;
  const d = new Date(at.trim());
  return Number.isNaN(d.getTime()) ? null : d;
}
