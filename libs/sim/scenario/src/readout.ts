import { byStart, type ScenarioClinic } from './model';

/** A clinic-local 'YYYY-MM-DD HH:MM:SS' in the scenario's format: 'YYYY-MM-DDTHH:MM' (':SS' only when not zero). */
export function scenarioLocal(local: string): string {
  const t = local.replace(' ', 'T');
  return t.endsWith(':00') && t.length === 19 ? t.slice(0, 16) : t;
}

/**
 * GET /__sim/clinics/:companyId/appointments: the clinic's appointments as the PIMS holds them now
 * (cancelled ones, blocks and rosters included; deleted ones gone), in start order. The same shape
 * on every simulator, so one scenario's read-outs compare.
 */
export function clinicAppointments(clinic: ScenarioClinic) {
  return {
    appointments: [...clinic.appointments.values()].sort(byStart).map((a) => ({
      id: a.id,
      start: scenarioLocal(a.start),
      durationMinutes: a.durationMinutes,
      status: a.status,
      type: a.type,
      reason: a.reason,
      roomId: a.roomId,
      providerId: a.providerId,
      patient: a.patient ? { id: a.patient.id, name: a.patient.name } : null,
      client: a.client
        ? {
            id: a.client.id,
            firstName: a.client.firstName,
            lastName: a.client.lastName,
            phone: a.client.phone,
            email: a.client.email,
          }
        : null,
      origin: a.origin,
      isBlock: a.isBlock,
      isRoster: a.isRoster,
      bookedBy: a.bookedBy,
      bookedAt: scenarioLocal(a.bookedAt),
      notes: a.notes,
      cancelledReason: a.cancelledReason,
    })),
  };
}

/** One appointment of GET /__sim/clinics/:companyId/appointments. */
export type SimAppointment = ReturnType<typeof clinicAppointments>['appointments'][number];
