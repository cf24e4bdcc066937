import { hashSeed, type ScenarioClinic, type ScenarioStatus } from '@pims/sim-scenario';
import { localToInstant } from '@pims/util';
import { RESOURCES, type Resource } from './endpoints';
import { RecordStore } from './store';

/**
 * The ezyVet simulator's clinic: the shared scenario data, what was created through ezyVet's write
 * endpoints (contacts, their details, animals), and ezyVet's record stores with their audit times.
 */

export interface ContactRecord {
  id: string;
  firstName: string;
  lastName: string;
}

export interface ContactDetailRecord {
  id: string;
  contactId: string;
  typeId: string;
  value: string;
}

export interface AnimalRecord {
  id: string;
  name: string;
  contactId: string;
  speciesId: string | null;
  breedId: string | null;
}

export interface EzyClinic extends ScenarioClinic {
  /** Records created through POST /v1/contact, /v1/contactdetail, /v1/animal (dropped when the scenario is loaded again). */
  created: {
    contacts: Map<string, ContactRecord>;
    details: Map<string, ContactDetailRecord>;
    animals: Map<string, AnimalRecord>;
  };
  /** ezyVet's records with created_at / modified_at / active, kept across scenario loads. */
  stores: Record<Resource, RecordStore>;
  /** The last number handed out per kind of created record. */
  counters: Record<'contact' | 'contactdetail' | 'animal' | 'appointment' | 'consult' | 'booking', number>;
  /** Clinic-local wall time -> epoch seconds (the conversions are the hot part of a rendering). */
  epochCache: Map<string, number>;
}

export function newStores(): Record<Resource, RecordStore> {
  return Object.fromEntries(RESOURCES.map((r) => [r, new RecordStore()])) as Record<Resource, RecordStore>;
}

export const COUNTER_START: EzyClinic['counters'] = {
  contact: 50_000,
  contactdetail: 70_000,
  animal: 60_000,
  appointment: 900_000,
  consult: 800_000,
  booking: 0,
};

/** Epoch seconds of a clinic-local 'YYYY-MM-DD HH:MM:SS' (a time skipped by a DST change reads as the moment after). */
export function epochOf(clinic: EzyClinic, local: string): number {
  let v = clinic.epochCache.get(local);
  if (v === undefined) {
    const instant = localToInstant(local, clinic.timezone);
    if (!instant) throw new Error(`Not a clinic-local time: ${local}`);
    v = Math.floor(instant.getTime() / 1000);
    if (clinic.epochCache.size > 50_000) clinic.epochCache.clear();
    clinic.epochCache.set(local, v);
  }
  return v;
}

// ---- the site's lists (docs/ezyvet-wire.md 4.3, 4.6, 5) -------------------------------------------

/** The scenario's status words in ezyVet's words (docs/ezyvet-wire.md section 5). */
export const STATUSES: readonly { id: string; name: string; word: ScenarioStatus }[] = [
  { id: '1', name: 'Unconfirmed', word: 'not_arrived' },
  { id: '2', name: 'Confirmed', word: 'confirmed' },
  { id: '3', name: 'Arrived', word: 'arrived' },
  { id: '4', name: 'In Consult', word: 'in_progress' },
  { id: '5', name: 'Ready for Checkout', word: 'ready_to_pay' },
  { id: '6', name: 'Departed', word: 'finalized' },
  { id: '7', name: 'No Show', word: 'no_show' },
  { id: '8', name: 'Cancelled', word: 'cancelled' },
];
export const STATUS_ID = Object.fromEntries(STATUSES.map((s) => [s.word, s.id])) as Record<
  ScenarioStatus,
  string
>;
export const CANCELLED_STATUS_ID = STATUS_ID.cancelled;

export function statusWordOf(id: string): ScenarioStatus | null {
  return STATUSES.find((s) => s.id === id)?.word ?? null;
}

/** Blocks and rosters are appointments of these two types (docs/ezyvet-wire.md section 6). */
export const BLOCK_TYPE = { id: 'type-block', name: 'Block Out - Unavailable', duration: 60 };
export const ROSTER_TYPE = { id: 'type-roster', name: 'Roster', duration: 480 };

export const DETAIL_TYPES = [
  { id: '1', name: 'Mobile' },
  { id: '2', name: 'Home' },
  { id: '3', name: 'Work' },
  { id: '4', name: 'Email' },
] as const;
export const MOBILE_TYPE_ID = '1';
export const EMAIL_TYPE_ID = '4';

/** Whether a contact detail type is an email (else a phone). */
export function isEmailType(typeId: string): boolean {
  return typeId === EMAIL_TYPE_ID;
}

/** The site's species (ids as ezyVet sites number them: small integers); other names used get their own. */
export const SPECIES: readonly { id: string; name: string }[] = [
  { id: '1', name: 'Canine' },
  { id: '2', name: 'Feline' },
  { id: '3', name: 'Rabbit' },
  { id: '4', name: 'Guinea Pig' },
  { id: '5', name: 'Ferret' },
  { id: '6', name: 'Avian' },
  { id: '7', name: 'Reptile' },
  { id: '8', name: 'Equine' },
];

/** A few breeds every site lists; the breeds the scenario's patients use are added. */
export const BASE_BREEDS: readonly { species: string; name: string }[] = [
  { species: 'Canine', name: 'Mixed Breed' },
  { species: 'Canine', name: 'Labrador Retriever' },
  { species: 'Canine', name: 'Golden Retriever' },
  { species: 'Canine', name: 'Beagle' },
  { species: 'Feline', name: 'Domestic Shorthair' },
  { species: 'Feline', name: 'Domestic Longhair' },
  { species: 'Feline', name: 'Siamese' },
];

function shortHash(text: string): string {
  return hashSeed(text).toString(36);
}

/** The species id of a name: the site's, else one made from the name (stable across loads). */
export function speciesIdOf(name: string): string {
  const known = SPECIES.find((s) => s.name.toLowerCase() === name.trim().toLowerCase());
  return known ? known.id : `sp-${shortHash(name.trim().toLowerCase())}`;
}

export function breedIdOf(speciesId: string | null, name: string): string {
  return `br-${shortHash(`${speciesId ?? ''}/${name.trim().toLowerCase()}`)}`;
}

/** A presenting problem (diagnosis) of the site's list, by name. */
export function problemIdOf(name: string): string {
  return `pp-${shortHash(name.trim().toLowerCase())}`;
}

/** A new id of a kind not yet used in `taken`. */
export function newId(
  clinic: EzyClinic,
  kind: keyof EzyClinic['counters'],
  taken: (id: string) => boolean,
): string {
  let id: string;
  do {
    clinic.counters[kind] += 1;
    id = String(clinic.counters[kind]);
  } while (taken(id));
  return id;
}
