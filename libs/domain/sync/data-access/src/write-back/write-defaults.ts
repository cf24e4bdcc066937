import type { PimsScheduleConfig } from '@pims/pims';
import type { ClinicWriteDefaults } from '../repositories/write-back.repository';

export interface ResolvedWriteDefaults {
  typeId?: string;
  roomId?: string;
  providerId?: string;
}

/**
 * What a booking written into the PIMS gets as appointment type, room and attending provider: the
 * clinic's own choice where it made one, else the PIMS's calendar set-up: the first appointment type
 * whose length fits the slot, the first room, the first provider. The set-up is read only when a
 * choice is missing; what neither names is left out (the PIMS's own default applies).
 */
export async function resolveWriteDefaults(
  clinic: ClinicWriteDefaults,
  slotMinutes: number,
  calendarSetUp: () => Promise<PimsScheduleConfig>,
): Promise<ResolvedWriteDefaults> {
  const out: ResolvedWriteDefaults = {};
  if (clinic.appointmentTypeId) out.typeId = clinic.appointmentTypeId;
  if (clinic.roomId) out.roomId = clinic.roomId;
  if (clinic.providerId) out.providerId = clinic.providerId;
  if (out.typeId && out.roomId && out.providerId) return out;
  const setUp = await calendarSetUp();
  if (!out.typeId) {
    const fits = (setUp.appointmentTypes ?? []).find((t) => t.durationMinutes !== null && t.durationMinutes <= slotMinutes);
    if (fits) out.typeId = fits.id;
  }
  if (!out.roomId && setUp.rooms[0]) out.roomId = setUp.rooms[0].id;
  if (!out.providerId && setUp.providers[0]) out.providerId = setUp.providers[0].id;
  return out;
}
