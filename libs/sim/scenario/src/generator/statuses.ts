import { addDays, timeOfMinutes } from '@pims/util';
import { addMinutesLocal, minutesBetweenLocal, type LocalDateTime } from '../local-time';
import type { Rng } from '../prng';
import type { AppointmentScenarioInput, ConsultationScenarioInput, ScenarioStatus } from '../scenario';
import { consultationFor } from './clinical';
import { CANCEL_REASONS, FRONT_DESK } from './data';
import { localOf, minLocal } from './helpers';
import type { Draft } from './schedule';

export interface StatusInput {
  statusRng: Rng;
  clinicalRng: Rng;
  drafts: Draft[];
  nowLocal: LocalDateTime;
  today: string;
  consultationRate: number;
  cancellationRate: number;
  noShowRate: number;
  providers: { id: string; name: string }[];
}

/**
 * Turns the calendar into scenario appointments: a status that fits the visit's time against now
 * (past visits finalized, cancelled or no-show; current ones arrived or in progress; future ones
 * booked or confirmed), booking and update times never after now, and a consultation for most seen visits.
 */
export function generateVisits(x: StatusInput): {
  appointments: AppointmentScenarioInput[];
  consultations: ConsultationScenarioInput[];
} {
  const {
    statusRng,
    clinicalRng,
    drafts,
    nowLocal,
    today,
    consultationRate,
    cancellationRate,
    noShowRate,
    providers,
  } = x;
  const appointments: AppointmentScenarioInput[] = [];
  const consultations: ConsultationScenarioInput[] = [];
  drafts.forEach((draft, index) => {
    const id = String(200001 + index);
    const start = localOf(draft.date, draft.startMin);
    const end = addMinutesLocal(start, draft.duration);
    const leadDays = statusRng.int(1, 30);
    let bookedAt = `${addDays(draft.date, -leadDays)} ${timeOfMinutes(statusRng.int(8 * 4, 17 * 4) * 15)}:00`;
    if (bookedAt > nowLocal) bookedAt = addMinutesLocal(nowLocal, -statusRng.int(10, 600));
    if (bookedAt >= start) bookedAt = addMinutesLocal(start, -statusRng.int(30, 600));
    const bookedBy = statusRng.pick(FRONT_DESK);

    if (draft.block) {
      appointments.push({
        id,
        start: start.replace(' ', 'T').slice(0, 16),
        durationMinutes: draft.duration,
        status: 'not_arrived',
        title: draft.block.title,
        ...(draft.roomId ? { roomId: draft.roomId } : {}),
        ...(draft.providerId ? { providerId: draft.providerId } : {}),
        isBlock: !draft.block.roster,
        isRoster: draft.block.roster,
        recurring: true,
        bookedBy: 'Practice Manager',
        bookedAt: `${addDays(draft.date, -60)} 09:00:00`,
      });
      return;
    }

    const kind = draft.kind!;
    const pet = draft.pet!;
    const r = statusRng.next();
    let status: ScenarioStatus;
    if (end <= nowLocal) {
      if (r < cancellationRate) status = 'cancelled';
      else if (r < cancellationRate + noShowRate) status = 'no_show';
      else if (draft.date === today && minutesBetweenLocal(end, nowLocal) < 60 && statusRng.chance(0.5))
        status = 'ready_to_pay';
      else status = 'finalized';
    } else if (start <= nowLocal) {
      if (r < cancellationRate) status = 'cancelled';
      else status = minutesBetweenLocal(start, nowLocal) < 10 ? 'arrived' : 'in_progress';
    } else {
      const daysAway = minutesBetweenLocal(nowLocal, start) / 1440;
      if (r < cancellationRate) status = 'cancelled';
      else if (daysAway < 0.02 && statusRng.chance(0.4)) status = 'arrived';
      else if (statusRng.chance(daysAway < 3 ? 0.6 : 0.25)) status = 'confirmed';
      else status = 'not_arrived';
    }

    let arrivedAt: LocalDateTime | undefined;
    let updatedAt: LocalDateTime | undefined;
    let cancelledReason: string | undefined;
    if (['arrived', 'in_progress', 'ready_to_pay', 'finalized'].includes(status)) {
      arrivedAt = minLocal(addMinutesLocal(start, -statusRng.int(2, 12)), nowLocal);
      updatedAt =
        status === 'finalized' ? minLocal(addMinutesLocal(end, statusRng.int(5, 40)), nowLocal) : arrivedAt;
    } else if (status === 'cancelled') {
      const until = minLocal(start, nowLocal);
      const span = Math.max(1, minutesBetweenLocal(bookedAt, until));
      updatedAt = addMinutesLocal(bookedAt, Math.floor(span * (0.3 + 0.6 * statusRng.next())));
      cancelledReason = statusRng.pick(CANCEL_REASONS);
    } else if (status === 'no_show') {
      updatedAt = minLocal(addMinutesLocal(start, 20), nowLocal);
    }
    if (updatedAt && updatedAt < bookedAt) updatedAt = bookedAt;

    const appt: AppointmentScenarioInput = {
      id,
      start: start.replace(' ', 'T').slice(0, 16),
      durationMinutes: draft.duration,
      status,
      type: kind.type,
      reason: draft.reason!,
      providerId: draft.providerId!,
      roomId: draft.roomId!,
      patient: { id: pet.id, name: pet.name, species: pet.species.species, breed: pet.breed },
      client: {
        id: pet.owner.id,
        title: pet.owner.title,
        firstName: pet.owner.firstName,
        lastName: pet.owner.lastName,
        phone: pet.owner.phone,
        email: pet.owner.email,
      },
      consultationId: null,
      bookedBy,
      bookedAt,
      ...(updatedAt ? { updatedAt } : {}),
      ...(arrivedAt ? { arrivedAt } : {}),
      ...(cancelledReason ? { cancelledReason } : {}),
      ...(kind.surgical ? { estimateId: String(700001 + index) } : {}),
    };

    const seen = ['finalized', 'ready_to_pay', 'in_progress'].includes(status);
    if (seen && clinicalRng.next() < consultationRate) {
      const provider = providers.find((p) => p.id === draft.providerId)!;
      const k = consultationFor({
        rng: clinicalRng,
        id: String(500001 + consultations.length),
        kind,
        reason: draft.reason!,
        condition: draft.condition,
        pet,
        provider: provider.name,
        status,
        end,
        appointmentUpdated: updatedAt ?? end,
        nowLocal,
      });
      consultations.push(k);
      appt.consultationId = k.id;
    }
    appointments.push(appt);
  });
  return { appointments, consultations };
}
