'use client';

import { DEFAULT_SCHEDULE_DAYS } from '@pims/sync-contracts';
import { keepPreviousData } from '@tanstack/react-query';
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Panel, QueryState, SECONDARY_BUTTON } from '@/components/ui/controls';
import { Spinner } from '@/components/ui/spinner';
import { OCCUPANCY_CLASS, OCCUPANCY_LABEL, occupancyOf, seatBreakdown, seatSummary, type Occupancy } from '@/lib/occupancy';
import { addDaysToDate, buildScheduleGrid, moveInGrid } from '@/lib/schedule-grid';
import { formatLocalDate, zoneAbbreviation } from '@/lib/zoned-time';
import { api, type RouterOutputs } from '@/trpc/react';

type Slot = RouterOutputs['admin']['clinics']['schedule']['slots'][number];

/**
 * A clinic's schedule: its local days across, slot times down, each cell coloured by how full the
 * slot is, with the seats told apart on hover and focus (PIMS appointments, our bookings, holds).
 * Times are the clinic's wall clock, the zone named. One cell is in the tab order; the arrow keys,
 * Home and End move between cells (a grid's roving focus).
 */
export function ScheduleGrid({ clinicId }: { clinicId: string }) {
  const [from, setFrom] = useState<string | undefined>(undefined);
  const to = from ? addDaysToDate(from, DEFAULT_SCHEDULE_DAYS - 1) : undefined;
  const schedule = api.admin.clinics.schedule.useQuery({ clinicId, from, to }, { placeholderData: keepPreviousData, refetchInterval: 10_000 });
  const data = schedule.data;
  const grid = useMemo(() => (data ? buildScheduleGrid(data.slots, data.from, data.to) : null), [data]);
  const [focus, setFocus] = useState({ row: 0, col: 0 });
  const [shown, setShown] = useState<Slot | null>(null);
  const cells = useRef(new Map<string, HTMLTableCellElement>());

  const zone = data ? `${data.timezone} (${zoneAbbreviation(data.timezone)})` : '';
  const onKeyDown = (e: KeyboardEvent) => {
    if (!grid) return;
    const next = moveInGrid(focus, e.key, { rows: grid.times.length, cols: grid.days.length });
    if (!next) return;
    e.preventDefault();
    setFocus(next);
    cells.current.get(`${next.row}:${next.col}`)?.focus();
  };

  return (
    <Panel
      title="Schedule"
      description={data ? `The next ${DEFAULT_SCHEDULE_DAYS} days of slots. Times in ${zone}.` : 'The slots of the next days.'}
      testId="schedule"
      actions={
        <div className="flex items-center gap-2" role="group" aria-label="Move the window">
          {schedule.isFetching && !schedule.isPending && <Spinner className="size-4 text-slate-500" label="Refreshing" />}
          <button type="button" className={`${SECONDARY_BUTTON} px-3 py-1.5`} disabled={!data} onClick={() => data && setFrom(addDaysToDate(data.from, -DEFAULT_SCHEDULE_DAYS))}>
            Earlier
          </button>
          <button type="button" className={`${SECONDARY_BUTTON} px-3 py-1.5`} disabled={!data || from === undefined} onClick={() => setFrom(undefined)}>
            Today
          </button>
          <button type="button" className={`${SECONDARY_BUTTON} px-3 py-1.5`} disabled={!data} onClick={() => data && setFrom(addDaysToDate(data.from, DEFAULT_SCHEDULE_DAYS))}>
            Later
          </button>
        </div>
      }
    >
      <QueryState pending={schedule.isPending} error={schedule.isError && !data ? schedule.error : null} onRetry={() => schedule.refetch()} what="the schedule">
        {data && grid && (
          <div className="space-y-4">
            <p className="text-sm text-slate-700" data-testid="schedule-zone">
              {formatLocalDate(data.from)} – {formatLocalDate(data.to)}, times in <strong className="font-semibold">{zone}</strong>.
            </p>
            <Legend />
            {grid.times.length === 0 ? (
              <p className="py-8 text-center text-sm text-slate-600" data-testid="schedule-empty">
                No slots in these days yet. Run a Full Sync to build them from the clinic&apos;s hours.
              </p>
            ) : (
              <div className="overflow-x-auto rounded-lg border border-slate-200">
                <table role="grid" aria-label={`Slots from ${data.from} to ${data.to}, times in ${data.timezone}`} className="w-full border-collapse text-xs" onKeyDown={onKeyDown} data-testid="schedule-grid" data-from={data.from} data-to={data.to}>
                  <thead>
                    <tr>
                      <th scope="col" className="sticky left-0 z-10 bg-slate-50 px-2 py-2 text-left font-semibold text-slate-700">
                        {zoneAbbreviation(data.timezone)}
                      </th>
                      {grid.days.map((d) => (
                        <th key={d} scope="col" className={`min-w-14 px-1 py-2 text-center font-semibold ${d === data.today ? 'bg-indigo-50 text-indigo-900' : 'bg-slate-50 text-slate-700'}`}>
                          <span className="block">{formatLocalDate(d).split(',')[0]}</span>
                          <span className="block font-normal">{formatLocalDate(d).split(', ')[1]}</span>
                          {d === data.today && <span className="sr-only"> (today)</span>}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {grid.times.map((t, row) => (
                      <tr key={t}>
                        <th scope="row" className="sticky left-0 z-10 bg-white px-2 py-1 text-left font-mono font-medium text-slate-700">
                          {t}
                        </th>
                        {grid.days.map((d, col) => {
                          const slot = grid.cell(d, t);
                          const tabbable = focus.row === row && focus.col === col;
                          const ref = (el: HTMLTableCellElement | null) => {
                            if (el) cells.current.set(`${row}:${col}`, el);
                            else cells.current.delete(`${row}:${col}`);
                          };
                          if (!slot) {
                            return (
                              <td key={d} ref={ref} tabIndex={tabbable ? 0 : -1} onFocus={() => { setFocus({ row, col }); setShown(null); }} className="border border-slate-100 bg-white px-1 py-1 text-center text-slate-400" aria-label={`${formatLocalDate(d)} ${t}: no slot`}>
                                <span aria-hidden="true">·</span>
                              </td>
                            );
                          }
                          const occ = occupancyOf(slot);
                          const details = `${formatLocalDate(d)}, ${slot.startTime}–${slot.endTime}: ${OCCUPANCY_LABEL[occ]}, ${seatSummary(slot)} (${seatBreakdown(slot)})`;
                          return (
                            <td
                              key={d}
                              ref={ref}
                              tabIndex={tabbable ? 0 : -1}
                              title={`${seatBreakdown(slot)} · ${seatSummary(slot)}`}
                              aria-label={details}
                              onFocus={() => {
                                setFocus({ row, col });
                                setShown(slot);
                              }}
                              onMouseEnter={() => setShown(slot)}
                              className={`border border-white px-1 py-1 text-center font-medium tabular-nums ${OCCUPANCY_CLASS[occ]}`}
                              data-testid="slot-cell"
                              data-date={d}
                              data-start={slot.startTime}
                              data-occupancy={occ}
                            >
                              {slot.taken}/{slot.capacity}
                            </td>
                          );
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <div aria-live="polite" className="min-h-10 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-800" data-testid="slot-details">
              {shown ? (
                <>
                  <span className="font-medium">
                    {formatLocalDate(shown.date)}, {shown.startTime}–{shown.endTime} {zoneAbbreviation(data.timezone, shown.startsAt)}
                  </span>
                  : {OCCUPANCY_LABEL[occupancyOf(shown)]}, {seatSummary(shown)} · <span data-testid="slot-breakdown">{seatBreakdown(shown)}</span>
                  {shown.unlinkedBookings > 0 && ` · ${shown.unlinkedBookings} of ours not yet synced back from the PIMS`}
                </>
              ) : (
                <span className="text-slate-600">Point at a slot or move to it with the arrow keys to see who holds its seats.</span>
              )}
            </div>
          </div>
        )}
      </QueryState>
    </Panel>
  );
}

const LEGEND: Occupancy[] = ['free', 'partial', 'full', 'over', 'closed'];

function Legend() {
  return (
    <ul className="flex flex-wrap gap-3 text-xs text-slate-700" aria-label="Colours">
      {LEGEND.map((o) => (
        <li key={o} className="flex items-center gap-1.5">
          <span aria-hidden="true" className={`inline-block size-3.5 rounded-sm ring-1 ring-slate-300 ${OCCUPANCY_CLASS[o]}`} />
          {OCCUPANCY_LABEL[o]}
        </li>
      ))}
      <li className="text-slate-600">Cells read seats taken / seats.</li>
    </ul>
  );
}
