/**
 * How full a schedule slot is, for the colour of its cell: free (nothing taken), partly taken, full,
 * over-booked (the PIMS may book past capacity), or closed (no seats: a slot retired by a schedule
 * change that still holds bookings).
 */
export type Occupancy = 'free' | 'partial' | 'full' | 'over' | 'closed';

export interface SlotSeats {
  capacity: number;
  taken: number;
  pimsAppointments: number;
  bookings: number;
  holds: number;
}

export function occupancyOf(s: Pick<SlotSeats, 'capacity' | 'taken'>): Occupancy {
  if (s.taken > s.capacity) return 'over';
  if (s.capacity === 0) return 'closed';
  if (s.taken === 0) return 'free';
  return s.taken === s.capacity ? 'full' : 'partial';
}

export const OCCUPANCY_LABEL: Readonly<Record<Occupancy, string>> = {
  free: 'Free',
  partial: 'Partly taken',
  full: 'Full',
  over: 'Over-booked',
  closed: 'Closed',
};

/** Cell colours: light to dark as the slot fills, red past capacity; text dark enough on each (WCAG AA). */
export const OCCUPANCY_CLASS: Readonly<Record<Occupancy, string>> = {
  free: 'bg-emerald-50 text-emerald-900',
  partial: 'bg-amber-100 text-amber-950',
  full: 'bg-orange-300 text-orange-950',
  over: 'bg-red-600 text-white',
  closed: 'bg-slate-200 text-slate-700',
};

/** "PIMS 1 · ours 1 · holds 0": the PIMS's own appointments, our confirmed bookings, live holds. */
export function seatBreakdown(s: SlotSeats): string {
  return `PIMS ${s.pimsAppointments} · ours ${s.bookings} · holds ${s.holds}`;
}

/** "2 of 3 seats taken" */
export function seatSummary(s: Pick<SlotSeats, 'capacity' | 'taken'>): string {
  return `${s.taken} of ${s.capacity} ${s.capacity === 1 ? 'seat' : 'seats'} taken`;
}
