'use client';

import { BOOKING_STATUSES, WRITE_BACK_STATUSES } from '@pims/sync-contracts';
import { keepPreviousData } from '@tanstack/react-query';
import Link from 'next/link';
import { useId, useMemo, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button, ClearFiltersButton, CursorPager, FilterSelect, LINK_CLASS } from '@/components/ui/controls';
import { Spinner } from '@/components/ui/spinner';
import { tableStateRows } from '@/components/ui/table-state';
import { RelativeTime } from '@/components/ui/time';
import { formatInZone, formatLocalDate, zoneAbbreviation } from '@/lib/zoned-time';
import { api } from '@/trpc/react';
import { clinicPath } from '../clinics/clinic-labels';
import { BOOKING_STATUS_BADGE, SOURCE_LABEL, WRITE_BACK_BADGE, WRITE_BACK_LABEL, WRITE_BACK_MEANING, type BookingRow, type WriteBackValue } from './booking-labels';

export const BOOKINGS_PAGE_SIZE = 20;
/** Pending write-backs usually end within seconds: the list follows them. */
const REFRESH_MS = 2_000;

interface Filters {
  clinicId: string;
  status: '' | BookingRow['status'];
  writeBackStatus: '' | WriteBackValue;
}

/**
 * Bookings, newest first, a cursor page at a time (like the sync history): what was booked, for
 * whom, from where, and whether it reached the PIMS, with "Retry write-back" on a failed one.
 * `clinicId` fixes the clinic (a clinic's own page); without it the clinic is a filter.
 */
export function BookingsTable({ clinicId }: { clinicId?: string }) {
  const ids = useId();
  const [filters, setFilters] = useState<Filters>({ clinicId: clinicId ?? '', status: '', writeBackStatus: '' });
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const clinics = api.admin.sync.listClinics.useQuery(undefined, { staleTime: 30_000 });
  const zones = useMemo(() => new Map((clinics.data ?? []).map((c) => [c.id, { name: c.name, timezone: c.timezone }])), [clinics.data]);
  const list = api.admin.bookings.list.useQuery(
    {
      clinicId: filters.clinicId || undefined,
      status: filters.status || undefined,
      writeBackStatus: filters.writeBackStatus || undefined,
      limit: BOOKINGS_PAGE_SIZE,
      cursor: cursors[cursors.length - 1],
    },
    { placeholderData: keepPreviousData, refetchInterval: REFRESH_MS },
  );
  const items = list.data?.items;
  const filtered = filters.status !== '' || filters.writeBackStatus !== '' || (!clinicId && filters.clinicId !== '');
  const setFilter = <K extends keyof Filters>(k: K, v: Filters[K]) => {
    setFilters((f) => ({ ...f, [k]: v }));
    setCursors([null]);
  };
  const columns = clinicId ? 8 : 9;

  return (
    <section aria-labelledby={`${ids}-title`} className="rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="bookings">
      <div className="flex flex-wrap items-end justify-between gap-4 border-b border-slate-200 px-5 py-4">
        <div>
          <h2 id={`${ids}-title`} className="flex items-center gap-2 text-base font-semibold text-slate-900">
            Bookings
            {list.isFetching && !list.isPending && <Spinner className="size-3.5 text-slate-500" label="Refreshing" />}
          </h2>
          <p className="mt-0.5 text-sm text-slate-600">Newest first. Each confirmed booking is written into the clinic&apos;s PIMS in the background.</p>
        </div>
        <div className="flex flex-wrap items-end gap-3" role="group" aria-label="Filter the bookings">
          {!clinicId && (
            <FilterSelect id={`${ids}-clinic`} label="Clinic" value={filters.clinicId} onChange={(v) => setFilter('clinicId', v)}>
              <option value="">All clinics</option>
              {clinics.data?.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </FilterSelect>
          )}
          <FilterSelect id={`${ids}-status`} label="Booking" value={filters.status} onChange={(v) => setFilter('status', v as Filters['status'])}>
            <option value="">All bookings</option>
            {BOOKING_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </FilterSelect>
          <FilterSelect id={`${ids}-wb`} label="Write-back" value={filters.writeBackStatus} onChange={(v) => setFilter('writeBackStatus', v as Filters['writeBackStatus'])}>
            <option value="">All write-backs</option>
            {WRITE_BACK_STATUSES.map((s) => (
              <option key={s} value={s}>
                {WRITE_BACK_LABEL[s]}
              </option>
            ))}
          </FilterSelect>
          {filtered && (
            <ClearFiltersButton
              onClear={() => {
                setFilters({ clinicId: clinicId ?? '', status: '', writeBackStatus: '' });
                setCursors([null]);
              }}
            />
          )}
        </div>
      </div>

      <div className="overflow-x-auto">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">
            Bookings{filtered ? ' (filtered)' : ''}, page {cursors.length}
          </caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-3 py-2.5">Confirmation</th>
              <th scope="col" className="px-3 py-2.5">Slot</th>
              {!clinicId && <th scope="col" className="px-3 py-2.5">Clinic</th>}
              <th scope="col" className="px-3 py-2.5">Client and pet</th>
              <th scope="col" className="px-3 py-2.5">Source</th>
              <th scope="col" className="px-3 py-2.5">Booking</th>
              <th scope="col" className="px-3 py-2.5">Write-back</th>
              <th scope="col" className="px-3 py-2.5">Error</th>
              <th scope="col" className="px-3 py-2.5">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {tableStateRows({
              columns,
              pending: list.isPending,
              error: list.isError && !items ? list.error : null,
              onRetry: () => void list.refetch(),
              what: 'the bookings',
              empty: !!items && items.length === 0,
              emptyText: filtered ? 'No bookings match these filters.' : 'No bookings yet. The voice assistant and the booking API put them here.',
              emptyTestId: 'bookings-empty',
              loading: (
                <tr>
                  <td colSpan={columns} className="px-3 py-6 text-sm text-slate-600" role="status">
                    <span className="flex items-center gap-2">
                      <Spinner className="size-4" /> Loading bookings…
                    </span>
                  </td>
                </tr>
              ),
            }) ?? items?.map((b) => <BookingRowView key={b.id} booking={b} clinic={zones.get(b.clinicId)} showClinic={!clinicId} />)}
          </tbody>
        </table>
      </div>
      <CursorPager
        label="Booking pages"
        page={cursors.length}
        count={items?.length ?? null}
        noun={['booking', 'bookings']}
        hasNext={Boolean(list.data?.nextCursor) && !list.isPlaceholderData}
        onPrevious={() => setCursors((c) => c.slice(0, -1))}
        onNext={() => list.data?.nextCursor && setCursors((c) => [...c, list.data!.nextCursor!])}
      />
    </section>
  );
}

function BookingRowView({ booking: b, clinic, showClinic }: { booking: BookingRow; clinic?: { name: string; timezone: string }; showClinic: boolean }) {
  const utils = api.useUtils();
  const retry = api.admin.bookings.retryWriteBack.useMutation({ onSettled: () => utils.admin.bookings.list.invalidate() });
  const wb = b.writeBack.status;
  const who = b.client ? `${b.client.firstName} ${b.client.lastName}` : '—';
  const pet = b.patient ? `${b.patient.name}${b.patient.species ? ` (${b.patient.species})` : ''}` : null;
  return (
    <tr className="align-top hover:bg-slate-50" data-testid="booking-row" data-booking-id={b.id} data-write-back={wb ?? ''}>
      <td className="whitespace-nowrap px-3 py-2.5 font-mono font-semibold tracking-wider text-slate-900" data-testid="booking-confirmation">
        {b.confirmationNumber ?? <span className="font-sans font-normal tracking-normal text-slate-600">hold</span>}
      </td>
      <td className="whitespace-nowrap px-3 py-2.5 text-slate-800">
        <span title={clinic ? formatInZone(b.startsAt, clinic.timezone) : b.startsAt}>
          {formatLocalDate(b.date)}, {b.startTime}
          {clinic && <span className="text-slate-600"> {zoneAbbreviation(clinic.timezone, b.startsAt)}</span>}
        </span>
        <span className="block text-xs text-slate-600">
          booked <RelativeTime iso={b.createdAt} />
        </span>
      </td>
      {showClinic && (
        <td className="px-3 py-2.5 text-slate-800">
          {clinic ? (
            <Link href={clinicPath(b.clinicId, 'bookings')} className={LINK_CLASS}>
              {clinic.name}
            </Link>
          ) : (
            <span className="font-mono text-xs">{b.clinicId.slice(0, 8)}</span>
          )}
        </td>
      )}
      <td className="px-3 py-2.5 text-slate-800">
        <span className="block">{who}</span>
        {pet && <span className="block text-xs text-slate-600">{pet}</span>}
      </td>
      <td className="whitespace-nowrap px-3 py-2.5 text-slate-700">{SOURCE_LABEL[b.source]}</td>
      <td className="px-3 py-2.5">
        <Badge className={BOOKING_STATUS_BADGE[b.status]} data-testid="booking-status-badge" data-status={b.status}>
          {b.status}
        </Badge>
      </td>
      <td className="px-3 py-2.5">
        {wb ? (
          <span title={WRITE_BACK_MEANING[wb]}>
            <Badge className={WRITE_BACK_BADGE[wb]} data-testid="write-back-badge" data-status={wb}>
              {WRITE_BACK_LABEL[wb]}
            </Badge>
          </span>
        ) : (
          <span className="text-slate-600">—</span>
        )}
        {b.writeBack.attempts > 0 && <span className="mt-1 block text-xs text-slate-600">{b.writeBack.attempts} {b.writeBack.attempts === 1 ? 'attempt' : 'attempts'}</span>}
      </td>
      <td className="px-3 py-2.5" data-testid="booking-error">
        {b.writeBack.error ? (
          <span className="line-clamp-3 max-w-64 break-words text-red-800" title={b.writeBack.error}>
            {b.writeBack.error}
          </span>
        ) : (
          <span className="text-slate-500">—</span>
        )}
      </td>
      <td className="whitespace-nowrap px-3 py-2.5">
        {wb === 'failed' && (
          <Button pending={retry.isPending} disabled={retry.isPending} onClick={() => retry.mutate({ bookingId: b.id })} className="rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs font-semibold text-slate-800 shadow-xs hover:bg-slate-50 disabled:opacity-60">
            Retry write-back
          </Button>
        )}
        {retry.isError && (
          <p role="alert" className="mt-1 max-w-48 text-xs text-red-800">
            {retry.error.message}
          </p>
        )}
      </td>
    </tr>
  );
}
