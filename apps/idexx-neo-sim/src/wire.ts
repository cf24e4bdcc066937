import {
  BLOCK_COLOR,
  ROSTER_COLOR,
  appointmentForConsultation,
  lastUpdatedAt,
  type Appointment,
  type Clinic,
  type Consultation,
} from './model';
import { byStart, type ScenarioStatus } from '@pims/sim-scenario';

/** The JSON shapes of docs/idexx-neo-wire.md. */

export const NEO_STATUS_WORDS: Record<ScenarioStatus, string> = {
  not_arrived: 'not arrived',
  confirmed: 'confirmed',
  arrived: 'arrived',
  in_progress: 'in progress',
  ready_to_pay: 'ready to pay',
  finalized: 'finalized',
  no_show: 'no show',
  cancelled: 'cancelled',
};

export function neoStatusWord(status: ScenarioStatus): string {
  return NEO_STATUS_WORDS[status];
}

function titleCase(s: string): string {
  return s.replace(/\b[a-z]/g, (ch) => ch.toUpperCase());
}

const CONFIRMED: ScenarioStatus[] = ['confirmed', 'arrived', 'in_progress', 'ready_to_pay', 'finalized'];

export type NeoEvent = Record<string, string | number | null>;

export function toEvent(clinic: Clinic, a: Appointment): NeoEvent {
  const word = neoStatusWord(a.status);
  const provider = a.providerId ? clinic.providers.find((p) => p.id === a.providerId) : undefined;
  const room = a.roomId ? clinic.rooms.find((r) => r.id === a.roomId) : undefined;
  const type = a.type ? clinic.appointmentTypes.find((t) => t.name === a.type) : undefined;
  const visit = !a.isBlock && !a.isRoster;
  const p = a.patient;
  const cl = a.client;
  const clientName = cl ? `${cl.lastName}, ${cl.firstName}` : null;
  const title = visit
    ? [p?.name ?? 'Unknown patient', clientName].filter(Boolean).join('; ')
    : (a.title ?? (a.isRoster ? `${provider?.name ?? 'Staff'} on duty` : (a.type ?? 'Blocked')));
  const popup = visit
    ? [
        p ? `${p.name}${p.breed ? ` (${p.breed})` : ''}` : null,
        cl ? `${cl.firstName} ${cl.lastName}` : null,
        a.type,
      ]
        .filter(Boolean)
        .join(' - ')
    : title;
  const ev: NeoEvent = {
    id: a.id,
    appointment_id: a.id,
    consultation_id: a.consultationId,
    start: a.start,
    end: a.end,
    arrival_date_time: a.arrivedAt,
    patient_id: p?.id ?? null,
    patient_name: p?.name ?? null,
    species: p?.species ?? null,
    breed: p?.breed ?? null,
    client_id: cl?.id ?? null,
    client_title: cl?.title ?? null,
    first_name: cl?.firstName ?? null,
    last_name: cl?.lastName ?? null,
    email: cl?.email ?? null,
    phone_number: cl?.phone ?? null,
    provider: provider?.name ?? null,
    provider_id: provider?.id ?? null,
    title,
    popup_title_text: popup,
    type_description: a.type ?? (a.isBlock ? 'Block' : a.isRoster ? 'Roster' : null),
    reason: a.reason,
    current_status: word,
    status_label: titleCase(word),
    status_class: `status-${word.replace(/ /g, '-')}`,
    confirmed_status: CONFIRMED.includes(a.status) ? '1' : '0',
    cancelled_reason: a.cancelledReason,
    resourceId: room?.id ?? null,
    appointment_room_id: room?.id ?? null,
    appointment_room_name: room?.name ?? null,
    is_block: a.isBlock ? 1 : 0,
    is_roster: a.isRoster ? 1 : 0,
    recurring: a.recurring ? 1 : 0,
    backgroundColor: a.isBlock ? BLOCK_COLOR : a.isRoster ? ROSTER_COLOR : (type?.color ?? '#3a87ad'),
    booked_by: a.bookedBy,
    booked_at: a.bookedAt,
    last_updated_at: lastUpdatedAt(clinic, a),
    estimate_id: a.estimateId,
  };
  if (a.malformed === 'missing_id') {
    delete ev.id;
    delete ev.appointment_id;
  } else if (a.malformed === 'missing_start') {
    delete ev.start;
  }
  return ev;
}

/** Events whose clinic-local start is >= start and < end, in start order. */
export function calendarEvents(clinic: Clinic, start: string, end: string): NeoEvent[] {
  return [...clinic.appointments.values()]
    .filter((a) => a.start >= start && a.start < end)
    .sort(byStart)
    .map((a) => toEvent(clinic, a));
}

export function calendarResources(clinic: Clinic): { id: string; title: string }[] {
  return clinic.rooms.map((r) => ({ id: r.id, title: r.name }));
}

export function appointmentView(clinic: Clinic) {
  return {
    slotInterval: clinic.slotInterval,
    businessHours: clinic.businessHours.map((b) => ({
      // FullCalendar numbering (Sunday 0 .. Saturday 6), as the Neo page hands them to FullCalendar.
      daysOfWeek: b.daysOfWeek.map((d) => d % 7),
      startTime: b.startTime,
      endTime: b.endTime,
    })),
    appointmentTypes: clinic.appointmentTypes.map((t) => ({
      id: t.id,
      name: t.name,
      duration: t.duration,
      color: t.color,
    })),
    appointmentRooms: clinic.rooms.map((r, i) => ({ id: r.id, name: r.name, position: i + 1 })),
    providers: clinic.providers.map((p) => ({ id: p.id, name: p.name })),
  };
}

export function appointmentDetail(clinic: Clinic, a: Appointment) {
  const provider = a.providerId ? clinic.providers.find((p) => p.id === a.providerId) : undefined;
  const room = a.roomId ? clinic.rooms.find((r) => r.id === a.roomId) : undefined;
  const type = a.type ? clinic.appointmentTypes.find((t) => t.name === a.type) : undefined;
  return {
    appointment: {
      id: a.id,
      status: neoStatusWord(a.status),
      startAtLocal: a.start,
      endAtLocal: a.end,
      notes: a.notes,
      deleted: false,
      block: a.isBlock,
      roster: a.isRoster,
      bookedBy: a.bookedBy,
      createdAt: a.bookedAt,
      lastUpdatedAt: lastUpdatedAt(clinic, a),
      reason: a.reason,
      consultationId: a.consultationId,
      patient: a.patient
        ? {
            id: a.patient.id,
            name: a.patient.name,
            species: a.patient.species,
            breed: a.patient.breed,
            client: a.client
              ? {
                  id: a.client.id,
                  firstName: a.client.firstName,
                  lastName: a.client.lastName,
                  phone: a.client.phone,
                  email: a.client.email,
                }
              : null,
          }
        : null,
      appointmentType: a.type ? { id: type?.id ?? null, name: a.type } : null,
      appointmentRoom: room ? { id: room.id, name: room.name } : null,
      provider: provider ? { id: provider.id, name: provider.name } : null,
      cancelledReason: a.cancelledReason,
    },
  };
}

export function consultationPage(clinic: Clinic, k: Consultation) {
  const a = appointmentForConsultation(clinic, k.id);
  const provider = a?.providerId ? clinic.providers.find((p) => p.id === a.providerId) : undefined;
  return {
    consultation: {
      id: k.id,
      reason: k.reason ?? a?.reason ?? null,
      description: k.description,
      notes: k.notes,
      dischargeSummary: k.dischargeSummary,
      date: a?.start ?? k.updatedAt,
      status: k.status,
      appointmentId: a?.id ?? null,
      updatedAt: k.updatedAt,
    },
    patient: a?.patient
      ? { id: a.patient.id, name: a.patient.name, species: a.patient.species, breed: a.patient.breed }
      : null,
    client: a?.client
      ? {
          id: a.client.id,
          firstName: a.client.firstName,
          lastName: a.client.lastName,
          phone: a.client.phone,
          email: a.client.email,
        }
      : null,
    pageData: { providers: provider ? [{ id: provider.id, name: provider.name }] : [] },
    vitals: k.vitals ?? {},
    consultationNotes: { notes: k.notes },
    diagnoses: k.diagnoses.map((name, i) => ({ id: `${k.id}-D${i + 1}`, name })),
    consultationLines: k.lines.map((l) => ({
      id: l.id,
      productService: l.productService,
      quantity: l.quantity,
      isDeclined: l.isDeclined,
    })),
  };
}

export { clinicAppointments, scenarioLocal } from '@pims/sim-scenario';
