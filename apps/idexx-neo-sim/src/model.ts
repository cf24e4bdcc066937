import {
  resolveScenarioClinic,
  type Appointment,
  type AppointmentOrigin,
  type ClinicScenario,
  type ScenarioClinic,
} from '@pims/sim-scenario';

/** The Neo simulator's clinic: the shared scenario data plus Neo's client and patient register. */

export {
  appointmentForConsultation,
  bumpTime,
  lastUpdatedAt,
  type Appointment,
  type AppointmentType,
  type Client,
  type Consultation,
  type ConsultationLine,
  type Patient,
} from '@pims/sim-scenario';

/** An entry of one of Neo's pick lists (species, breed, gender), as the patient form posts it. */
export interface PickListValue {
  id: string | null;
  name: string;
}

/** A client (owner) of the clinic's register: those of the scenario's appointments and those created. */
export interface ClientRecord {
  id: string;
  origin: AppointmentOrigin;
  title: string | null;
  firstName: string;
  lastName: string;
  homePhone: string | null;
  workPhone: string | null;
  mobilePhone: string | null;
  email: string | null;
  address1: string | null;
}

/** A patient of the clinic's register, with its owner's id. */
export interface PatientRecord {
  id: string;
  origin: AppointmentOrigin;
  name: string;
  species: PickListValue | null;
  breed: PickListValue | null;
  gender: PickListValue | null;
  dob: string | null;
  clientId: string | null;
}

export interface Clinic extends ScenarioClinic {
  clients: Map<string, ClientRecord>;
  patients: Map<string, PatientRecord>;
}

/** Neo's species list (ids as the patient form posts them); other names are kept with no id. */
export const SPECIES: readonly PickListValue[] = [
  { id: '1', name: 'Canine' },
  { id: '2', name: 'Feline' },
  { id: '3', name: 'Rabbit' },
  { id: '4', name: 'Guinea Pig' },
  { id: '5', name: 'Ferret' },
  { id: '6', name: 'Avian' },
  { id: '7', name: 'Reptile' },
  { id: '8', name: 'Equine' },
];

export function speciesValue(name: string | null): PickListValue | null {
  if (!name) return null;
  return SPECIES.find((s) => s.name.toLowerCase() === name.toLowerCase()) ?? { id: null, name };
}

/** Adds an appointment's owner and pet to the clinic's register when it does not know them yet. */
export function registerPeople(clinic: Clinic, a: Appointment): void {
  const cl = a.client;
  if (cl && !clinic.clients.has(cl.id)) {
    clinic.clients.set(cl.id, {
      id: cl.id,
      origin: a.origin,
      title: cl.title,
      firstName: cl.firstName,
      lastName: cl.lastName,
      homePhone: cl.phone,
      workPhone: null,
      mobilePhone: null,
      email: cl.email,
      address1: null,
    });
  }
  const p = a.patient;
  if (p && !clinic.patients.has(p.id)) {
    clinic.patients.set(p.id, {
      id: p.id,
      origin: a.origin,
      name: p.name,
      species: speciesValue(p.species),
      breed: p.breed ? { id: null, name: p.breed } : null,
      gender: null,
      dob: null,
      clientId: cl?.id ?? null,
    });
  }
}

/** The phone an appointment shows for a client of the register (mobile, else home, else work). */
export function primaryPhone(c: ClientRecord): string | null {
  return c.mobilePhone ?? c.homePhone ?? c.workPhone;
}

export const BLOCK_COLOR = '#9e9e9e';
export const ROSTER_COLOR = '#cfd8dc';

/** Builds a clinic's data from its validated scenario; `day`/`time` resolve against `now`. */
export function resolveClinic(c: ClinicScenario, now: Date): Clinic {
  const clinic: Clinic = { ...resolveScenarioClinic(c, now), clients: new Map(), patients: new Map() };
  for (const a of clinic.appointments.values()) registerPeople(clinic, a);
  return clinic;
}
