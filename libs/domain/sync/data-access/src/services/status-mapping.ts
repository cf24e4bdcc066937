import type { AppointmentStatus } from '@pims/pims';
import type { CaseStatus } from '../repositories/cases.repository';

/** CONTRACT 3.1: case status follows the PIMS status. */
export function caseStatusFor(status: AppointmentStatus): CaseStatus {
  switch (status) {
    case 'scheduled':
    case 'confirmed':
      return 'draft';
    case 'checked_in':
    case 'in_progress':
      return 'ongoing';
    case 'completed':
      return 'completed';
    case 'cancelled':
    case 'no_show':
      return 'reviewed';
  }
}

/** Cancelled and no-show visits hold no place in the schedule. */
export function holdsSlot(status: AppointmentStatus): boolean {
  return status !== 'cancelled' && status !== 'no_show';
}
