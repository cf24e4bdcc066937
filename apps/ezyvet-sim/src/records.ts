import type { Appointment } from '@pims/sim-scenario';
import { RESOURCES, type Resource } from './endpoints';
import {
  BASE_BREEDS,
  BLOCK_TYPE,
  DETAIL_TYPES,
  EMAIL_TYPE_ID,
  MOBILE_TYPE_ID,
  ROSTER_TYPE,
  SPECIES,
  STATUSES,
  STATUS_ID,
  breedIdOf,
  epochOf,
  problemIdOf,
  speciesIdOf,
  type EzyClinic,
} from './model';
import type { EzRecord, Rendered } from './store';

/**
 * The clinic's data in ezyVet's words (docs/ezyvet-wire.md sections 4 to 6 and 10): one rendering
 * of every record, without audit fields; the stores give them their times.
 */

const AUDIT = ['id', 'uid', 'active', 'created_at', 'modified_at'];
const NOTE = ['consult_id', 'animal_id', 'vet_id', 'timestamp', 'notes'];

const FIELD_LISTS: Record<Resource, readonly string[]> = {
  appointment: [
    'start_at',
    'end_at',
    'duration',
    'type_id',
    'status_id',
    'description',
    'animal_id',
    'contact_id',
    'consult_id',
    'resources',
    'cancellation_reason_text',
  ],
  appointmenttype: ['name', 'duration'],
  appointmentstatus: ['name'],
  resource: ['name', 'type', 'ownership_id'],
  consult: ['date', 'animal_id', 'vet_id', 'reason', 'status'],
  assessment: NOTE,
  plan: NOTE,
  presentingproblem: ['name'],
  presentingproblemlink: ['consult_id', 'presenting_problem_id'],
  invoiceline: ['consult_id', 'animal_id', 'name', 'quantity', 'is_declined'],
  animal: ['name', 'contact_id', 'species_id', 'breed_id'],
  contact: ['first_name', 'last_name', 'is_customer'],
  contactdetail: ['contact_id', 'contact_detail_type_id', 'name', 'value'],
  contactdetailtype: ['name'],
  species: ['name'],
  breed: ['name', 'species_id'],
  siteinformation: ['name', 'timezone', 'business_hours', 'slot_interval'],
};

/** The fields of each resource's records: the ones a list may filter on (others answer 400). */
export const FIELDS = Object.fromEntries(
  Object.entries(FIELD_LISTS).map(([r, fields]) => [r, new Set([...AUDIT, ...fields])]),
) as unknown as Record<Resource, ReadonlySet<string>>;

/** When the site's lists (statuses, types, resources, species, ...) were set up: 2020-01-01T00:00Z. */
export const SITE_SETUP_EPOCH = 1_577_836_800;

const site = (record: EzRecord): Rendered => ({
  record,
  createdAt: SITE_SETUP_EPOCH,
  modifiedAt: SITE_SETUP_EPOCH,
});

function isVisit(a: Appointment): boolean {
  return !a.isBlock && !a.isRoster;
}

export function typeIdOf(clinic: EzyClinic, a: Appointment): string | null {
  if (a.isBlock) return BLOCK_TYPE.id;
  if (a.isRoster) return ROSTER_TYPE.id;
  if (!a.type) return null;
  return clinic.appointmentTypes.find((t) => t.name === a.type)?.id ?? null;
}

function appointmentRecord(clinic: EzyClinic, a: Appointment): Rendered {
  const visit = isVisit(a);
  const resources = [a.roomId, a.providerId].filter((x): x is string => x !== null).map((id) => ({ id }));
  const record: EzRecord = {
    id: a.id,
    uid: `appointment_${a.id}`,
    start_at: epochOf(clinic, a.start),
    end_at: epochOf(clinic, a.end),
    duration: a.durationMinutes * 60,
    type_id: typeIdOf(clinic, a),
    status_id: STATUS_ID[a.status],
    description: visit ? a.reason : (a.title ?? a.reason ?? a.type),
    animal_id: visit ? (a.patient?.id ?? null) : null,
    contact_id: visit ? (a.client?.id ?? null) : null,
    consult_id: visit ? a.consultationId : null,
    resources,
    cancellation_reason_text: a.cancelledReason,
  };
  const booked = epochOf(clinic, a.bookedAt);
  return { record, createdAt: booked, modifiedAt: a.updatedAt ? epochOf(clinic, a.updatedAt) : booked };
}

/** Renders every resource of the clinic. */
export function renderClinic(clinic: EzyClinic): Record<Resource, Rendered[]> {
  const out = Object.fromEntries(RESOURCES.map((r) => [r, [] as Rendered[]])) as Record<Resource, Rendered[]>;

  // ---- the site's lists ----
  for (const t of clinic.appointmentTypes)
    out.appointmenttype.push(
      site({ id: t.id, uid: `appointmenttype_${t.id}`, name: t.name, duration: t.duration }),
    );
  for (const t of [BLOCK_TYPE, ROSTER_TYPE])
    out.appointmenttype.push(
      site({ id: t.id, uid: `appointmenttype_${t.id}`, name: t.name, duration: t.duration }),
    );
  for (const s of STATUSES)
    out.appointmentstatus.push(site({ id: s.id, uid: `appointmentstatus_${s.id}`, name: s.name }));
  for (const r of clinic.rooms)
    out.resource.push(
      site({ id: r.id, uid: `resource_${r.id}`, name: r.name, type: 'Room', ownership_id: '1' }),
    );
  for (const p of clinic.providers)
    out.resource.push(
      site({ id: p.id, uid: `resource_${p.id}`, name: p.name, type: 'Vet', ownership_id: '1' }),
    );
  for (const d of DETAIL_TYPES) out.contactdetailtype.push(site({ id: d.id, name: d.name }));
  out.siteinformation.push(
    site({
      id: '1',
      name: clinic.name,
      timezone: clinic.timezone,
      business_hours: clinic.businessHours.map((b) => ({
        days_of_week: [...b.daysOfWeek],
        start_time: b.startTime,
        end_time: b.endTime,
      })),
      slot_interval: clinic.slotInterval,
    }),
  );

  // ---- appointments, and the people and animals they name ----
  const animals = new Map<string, Rendered>();
  const contacts = new Map<string, Rendered>();
  const details = new Map<string, Rendered>();
  const speciesNames = new Map<string, string>(SPECIES.map((s) => [s.id, s.name]));
  const breeds = new Map<string, { speciesId: string | null; name: string }>();
  for (const b of BASE_BREEDS) {
    const sid = speciesIdOf(b.species);
    breeds.set(breedIdOf(sid, b.name), { speciesId: sid, name: b.name });
  }
  const byConsult = new Map<string, Appointment>();
  for (const a of clinic.appointments.values()) {
    const r = appointmentRecord(clinic, a);
    out.appointment.push(r);
    if (!isVisit(a)) continue;
    if (a.consultationId && !byConsult.has(a.consultationId)) byConsult.set(a.consultationId, a);
    const since = r.createdAt;
    const cl = a.client;
    if (cl && !clinic.created.contacts.has(cl.id)) {
      const earlier = contacts.get(cl.id)?.createdAt ?? since;
      contacts.set(cl.id, {
        record: {
          id: cl.id,
          uid: `contact_${cl.id}`,
          first_name: cl.firstName,
          last_name: cl.lastName,
          is_customer: 1,
        },
        createdAt: Math.min(earlier, since),
        modifiedAt: Math.min(earlier, since),
      });
      const at = Math.min(earlier, since);
      if (cl.phone)
        details.set(`${cl.id}-mobile`, {
          record: detail(`${cl.id}-mobile`, cl.id, MOBILE_TYPE_ID, cl.phone),
          createdAt: at,
          modifiedAt: at,
        });
      else details.delete(`${cl.id}-mobile`);
      if (cl.email)
        details.set(`${cl.id}-email`, {
          record: detail(`${cl.id}-email`, cl.id, EMAIL_TYPE_ID, cl.email),
          createdAt: at,
          modifiedAt: at,
        });
      else details.delete(`${cl.id}-email`);
    }
    const p = a.patient;
    if (p && !clinic.created.animals.has(p.id)) {
      const speciesId = p.species ? speciesIdOf(p.species) : null;
      if (p.species && speciesId && !speciesNames.has(speciesId))
        speciesNames.set(speciesId, p.species.trim());
      const breedId = p.breed ? breedIdOf(speciesId, p.breed) : null;
      if (p.breed && breedId && !breeds.has(breedId))
        breeds.set(breedId, { speciesId, name: p.breed.trim() });
      const earlier = animals.get(p.id)?.createdAt ?? since;
      animals.set(p.id, {
        record: {
          id: p.id,
          uid: `animal_${p.id}`,
          name: p.name,
          contact_id: cl?.id ?? null,
          species_id: speciesId,
          breed_id: breedId,
        },
        createdAt: Math.min(earlier, since),
        modifiedAt: Math.min(earlier, since),
      });
    }
  }
  // Created through the write endpoints (they win over an appointment's copy of the same id).
  for (const c of clinic.created.contacts.values())
    contacts.set(c.id, {
      record: {
        id: c.id,
        uid: `contact_${c.id}`,
        first_name: c.firstName,
        last_name: c.lastName,
        is_customer: 1,
      },
      createdAt: Infinity,
      modifiedAt: Infinity,
    });
  for (const d of clinic.created.details.values())
    details.set(d.id, {
      record: detail(d.id, d.contactId, d.typeId, d.value),
      createdAt: Infinity,
      modifiedAt: Infinity,
    });
  for (const an of clinic.created.animals.values())
    animals.set(an.id, {
      record: {
        id: an.id,
        uid: `animal_${an.id}`,
        name: an.name,
        contact_id: an.contactId,
        species_id: an.speciesId,
        breed_id: an.breedId,
      },
      createdAt: Infinity,
      modifiedAt: Infinity,
    });
  out.animal.push(...animals.values());
  // A changed phone or email is a change of the contact too.
  const detailsOf = new Map<string, unknown[]>();
  for (const d of details.values()) {
    const cid = String(d.record.contact_id);
    detailsOf.set(cid, [...(detailsOf.get(cid) ?? []), d.record]);
  }
  for (const c of contacts.values()) c.dependsOn = detailsOf.get(c.record.id) ?? [];
  out.contact.push(...contacts.values());
  out.contactdetail.push(...details.values());
  for (const [id, name] of speciesNames) out.species.push(site({ id, uid: `species_${id}`, name }));
  for (const [id, b] of breeds)
    out.breed.push(site({ id, uid: `breed_${id}`, name: b.name, species_id: b.speciesId }));

  // ---- consults and their clinical record (4.5) ----
  const problems = new Map<string, string>();
  for (const k of clinic.consultations.values()) {
    const a = byConsult.get(k.id);
    const createdAt = a
      ? epochOf(clinic, a.start)
      : k.updatedAt
        ? epochOf(clinic, k.updatedAt)
        : SITE_SETUP_EPOCH;
    const modifiedAt = k.updatedAt ? epochOf(clinic, k.updatedAt) : createdAt;
    const times = { createdAt, modifiedAt };
    const animalId = a?.patient?.id ?? null;
    const vetId = a?.providerId ?? null;
    const date = a ? epochOf(clinic, a.start) : k.updatedAt ? epochOf(clinic, k.updatedAt) : null;
    out.consult.push({
      record: {
        id: k.id,
        uid: `consult_${k.id}`,
        date,
        animal_id: animalId,
        vet_id: vetId,
        reason: k.reason ?? a?.reason ?? null,
        status: k.status,
      },
      ...times,
      // A change of the clinical record is a change of the consult (the incremental fetch reads consults).
      dependsOn: [k.notes, k.dischargeSummary, [...k.diagnoses], k.lines.map((l) => ({ ...l }))],
    });
    const note = (id: string, notes: string): Rendered => ({
      record: {
        id,
        uid: id.toLowerCase(),
        consult_id: k.id,
        animal_id: animalId,
        vet_id: vetId,
        timestamp: date,
        notes,
      },
      ...times,
    });
    out.assessment.push(note(`AS-${k.id}`, k.notes));
    out.plan.push(note(`PL-${k.id}`, k.dischargeSummary));
    k.diagnoses.forEach((name, i) => {
      const pid = problemIdOf(name);
      if (!problems.has(pid)) problems.set(pid, name.trim());
      out.presentingproblemlink.push({
        record: { id: `PPL-${k.id}-${i + 1}`, consult_id: k.id, presenting_problem_id: pid },
        ...times,
      });
    });
    for (const l of k.lines)
      out.invoiceline.push({
        record: {
          id: l.id,
          consult_id: k.id,
          animal_id: animalId,
          name: l.productService,
          quantity: l.quantity,
          is_declined: l.isDeclined ? 1 : 0,
        },
        ...times,
      });
  }
  for (const [id, name] of problems)
    out.presentingproblem.push(site({ id, uid: `presentingproblem_${id}`, name }));
  return out;
}

function detail(id: string, contactId: string, typeId: string, value: string): EzRecord {
  return {
    id,
    uid: `contactdetail_${id}`,
    contact_id: contactId,
    contact_detail_type_id: typeId,
    name: DETAIL_TYPES.find((d) => d.id === typeId)?.name ?? 'Other',
    value,
  };
}
