import { addMinutesLocal, type LocalDateTime } from '../local-time';
import type { Rng } from '../prng';
import type { ConsultationScenarioInput, ScenarioStatus } from '../scenario';
import { CONDITIONS, VACCINES, type Condition, type VisitKind } from './data';
import { round1, shuffle } from './helpers';
import type { Pet } from './people';

export interface ConsultationInput {
  rng: Rng;
  id: string;
  kind: VisitKind;
  reason: string;
  condition: Condition | null;
  pet: Pet;
  provider: string;
  status: ScenarioStatus;
  end: LocalDateTime;
  appointmentUpdated: LocalDateTime;
  nowLocal: LocalDateTime;
}

/**
 * The consultation of a seen visit: vitals from the species' ranges, SOAP notes, diagnoses,
 * product/service lines (some declined) and a discharge summary that fit the visit's type and
 * condition, with a status and last update that follow the visit's.
 */
export function consultationFor(x: ConsultationInput): ConsultationScenarioInput {
  const { rng, kind, pet, condition } = x;
  const sp = pet.species;
  const between = (range: [number, number]) => range[0] + (range[1] - range[0]) * rng.next();
  const vitals = {
    weightKg: round1(Math.max(0.1, between(sp.weightKg))),
    temperatureC: round1(between(sp.temperatureC)),
    pulse: Math.round(between(sp.pulse)),
    respiration: Math.round(between(sp.respiration)),
  };
  const bcs = rng.weighted([4, 5, 6, 7], [15, 50, 25, 10]);
  const vaccines = VACCINES[sp.species] ?? [];
  const pickSome = (list: string[], min: number, max: number) =>
    shuffle(rng, list).slice(0, Math.min(list.length, rng.int(min, max)));
  const lines: { productService: string; quantity: number; isDeclined: boolean }[] = [];
  const line = (productService: string, quantity = 1, isDeclined = false) =>
    lines.push({ productService, quantity, isDeclined });
  let diagnoses: string[];
  let history = 'Owner reports no concerns; eating, drinking, urinating and defecating normally.';
  let findings =
    'Bright, alert and responsive. EENT within normal limits; heart and lungs auscult normally; abdomen soft and non-painful; skin and coat healthy.';
  let plan: string;
  let home: string;

  switch (kind.type) {
    case 'Wellness Exam': {
      line('Comprehensive physical examination');
      const given = pickSome(vaccines, 1, 3);
      given.forEach((v) => line(v));
      const dogOrCat = sp.species === 'Canine' || sp.species === 'Feline';
      if (sp.species === 'Canine') {
        if (rng.chance(0.6)) line('Heartworm test (SNAP 4Dx Plus)');
        line('Simparica Trio, 6 doses', 1, rng.chance(0.2));
      }
      if (sp.species === 'Feline') line('Revolution Plus, 6 doses', 1, rng.chance(0.3));
      if (rng.chance(0.4)) line('Fecal flotation');
      diagnoses = ['Healthy - wellness examination'];
      if (bcs >= 6) diagnoses.push(`Overweight (BCS ${bcs}/9)`);
      if (dogOrCat && rng.chance(0.3)) diagnoses.push('Dental calculus, grade 1');
      if (given.length > 0) {
        plan = 'Vaccines given as listed. Continue parasite prevention. Diet and exercise discussed.';
        home =
          '{pet} may be a little sleepy for a day after the vaccines. Call us if you notice facial swelling, vomiting or hives.';
      } else {
        if (!dogOrCat) history = 'Owner reports no concerns; eating well and active. Husbandry reviewed.';
        plan = 'Diet, husbandry and enrichment reviewed. Next wellness visit in 12 months.';
        home = '{pet} is in good health. Keep up the current diet and routine.';
      }
      break;
    }
    case 'Sick Visit': {
      const c = condition ?? CONDITIONS[0];
      line('Examination - sick visit');
      c.products.forEach((p) =>
        line(p, p.includes('tablets') || p.includes('capsules') ? rng.pick([10, 14, 20, 30]) : 1),
      );
      diagnoses = [...c.diagnoses];
      history = `Owner reports ${c.history}.`;
      findings = c.findings;
      plan = c.plan;
      home = c.home;
      break;
    }
    case 'Recheck': {
      line('Recheck examination');
      const map: Record<string, [string, string]> = {
        'Ear infection recheck': ['Otitis externa - resolving', 'Ear cytology'],
        'Skin recheck': ['Dermatitis - improving', 'Skin cytology'],
        'Post-op recheck': ['Post-operative check - incision healing well', 'Suture removal'],
        'Weight check': ['Weight management', 'Weight management diet, dry 8 lb'],
      };
      const [dx, product] = map[x.reason] ?? ['Recheck - improving', 'Recheck examination'];
      line(product);
      diagnoses = [dx];
      history = 'Owner reports good improvement since the last visit; all medication given as directed.';
      plan = 'Continue current plan. Recheck only if signs return.';
      home = '{pet} is doing well. Finish any remaining medication as labelled.';
      break;
    }
    case 'Vaccination': {
      line('Technician visit');
      const given = pickSome(vaccines, 1, 2);
      (given.length ? given : ['Rabies vaccine (3 year)']).forEach((v) => line(v));
      diagnoses = ['Vaccination'];
      findings = 'Bright, alert and responsive. Temperature normal; cleared for vaccination.';
      plan = 'Vaccines administered; next boosters scheduled.';
      home = 'Mild soreness at the injection site is normal for a day or two.';
      break;
    }
    case 'New Patient Exam': {
      line('New patient examination');
      pickSome(vaccines, 1, 2).forEach((v) => line(v));
      if (sp.species !== 'Reptile' && sp.species !== 'Avian' && rng.chance(0.5))
        line('Microchip implantation', 1, rng.chance(0.2));
      const mammalPet = sp.species === 'Canine' || sp.species === 'Feline';
      if (mammalPet) line('Deworming (pyrantel pamoate)');
      diagnoses = ['Healthy - new patient'];
      if (mammalPet && rng.chance(0.25)) diagnoses.push('Intestinal parasites (roundworms)');
      plan = 'Vaccine and deworming schedule started. Discussed nutrition, training and spay/neuter timing.';
      home = 'Welcome to the practice! Bring {pet} back in 3-4 weeks for the next vaccines.';
      break;
    }
    case 'Senior Wellness': {
      line('Comprehensive physical examination');
      line('Senior wellness panel (chemistry, CBC, T4, urinalysis)');
      line('Blood pressure measurement');
      diagnoses = ['Senior wellness'];
      if (rng.chance(0.3)) diagnoses.push('Osteoarthritis');
      if (rng.chance(0.2)) diagnoses.push('Chronic kidney disease, IRIS stage 1');
      findings =
        'Bright and alert. Mild muscle loss over the hindquarters; grade 2 dental calculus; otherwise unremarkable.';
      plan = 'Bloodwork submitted; results to be called through. Joint supplement recommended.';
      home = 'We will call you with the bloodwork results. Keep up gentle daily exercise.';
      break;
    }
    case 'Dental Cleaning': {
      const extractions = rng.int(0, 4);
      line('Pre-anesthetic bloodwork');
      line('Anesthesia, per 30 minutes', 2);
      line('Dental prophylaxis (COHAT)');
      line('Full-mouth dental radiographs');
      if (extractions > 0) line('Extraction, simple', extractions);
      line('IV fluids during anesthesia');
      line('Carprofen 25 mg chewable', 7);
      if (rng.chance(0.3)) line('Dental sealant (OraVet)', 1, true);
      diagnoses = [extractions > 0 ? 'Periodontal disease, stage 3' : 'Periodontal disease, stage 2'];
      findings = `Moderate calculus and gingivitis. ${extractions > 0 ? `${extractions} teeth extracted after radiographs.` : 'No extractions needed.'} Smooth anesthetic recovery.`;
      plan = 'Dental cleaning under general anesthesia completed. Soft food for 7 days.';
      home =
        'Feed soft food for a week and give the pain medication with food. Daily tooth brushing helps prevent tartar.';
      break;
    }
    case 'Surgery': {
      line('Pre-anesthetic bloodwork');
      line('Anesthesia, per 30 minutes', 3);
      const procedure = x.reason.startsWith('Spay')
        ? 'Ovariohysterectomy'
        : x.reason.startsWith('Neuter')
          ? 'Castration'
          : 'Mass removal with histopathology';
      line(procedure);
      line('Gabapentin 100 mg capsules', 10);
      line('E-collar');
      diagnoses = [
        procedure === 'Mass removal with histopathology'
          ? 'Cutaneous mass - removed, histopathology pending'
          : `Elective ${procedure.toLowerCase()}`,
      ];
      findings =
        'Procedure performed without complications. Incision closed with intradermal sutures. Smooth recovery.';
      plan = `${procedure} performed under general anesthesia. Recheck incision in 10-14 days.`;
      home =
        'Keep the e-collar on and limit activity for 14 days. Check the incision daily for swelling or discharge.';
      break;
    }
    case 'Nail Trim': {
      line('Nail trim');
      if (x.reason.includes('anal')) line('Anal gland expression');
      diagnoses = ['Grooming - nail trim'];
      findings = 'Nails overgrown; trimmed without incident.';
      plan = 'Nail trim performed.';
      home = 'Nails trimmed today. Next trim recommended in 6-8 weeks.';
      break;
    }
    default: {
      line('Dermatology consultation');
      line('Skin scraping');
      line('Skin cytology');
      if (rng.chance(0.6)) line('Apoquel 16 mg tablets', 30);
      diagnoses = [rng.pick(['Atopic dermatitis', 'Flea allergy dermatitis', 'Superficial pyoderma'])];
      history = 'Owner reports itching and hair loss for several weeks despite over-the-counter shampoo.';
      findings =
        'Patchy alopecia and erythema of flanks and ventrum; scraping negative for mites; cytology shows cocci.';
      plan = 'Medication dispensed; recheck in 3 weeks.';
      home = 'Give the medication as labelled and keep {pet} on monthly flea prevention.';
    }
  }

  const soapSubjective = `${pet.name} (${pet.breed}, ${sp.species.toLowerCase()}) presented for ${x.reason.toLowerCase()}. ${history}`;
  const soapObjective = `T ${vitals.temperatureC} C, HR ${vitals.pulse} bpm, RR ${vitals.respiration} brpm, Wt ${vitals.weightKg} kg, BCS ${bcs}/9. ${findings}`;
  const draft = x.status === 'in_progress';
  const notes = draft
    ? `S: ${soapSubjective}\nO: ${soapObjective}`
    : `S: ${soapSubjective}\nO: ${soapObjective}\nA: ${diagnoses.join('; ')}.\nP: ${plan}`;
  const dischargeSummary = draft
    ? ''
    : `${pet.name} was seen today by ${x.provider} for ${x.reason.toLowerCase()}. ${home.replaceAll('{pet}', pet.name)} Please call us with any questions.`;

  let status: string;
  let updatedAt: LocalDateTime;
  if (x.status === 'finalized') {
    status = rng.weighted(['Paid', 'Completed', 'Partially paid'], [75, 20, 5]);
    // Notes are usually finished within two hours of the visit; a few get a later addendum.
    updatedAt = rng.chance(0.06)
      ? addMinutesLocal(x.end, rng.int(1, 3) * 1440 + rng.int(0, 300))
      : addMinutesLocal(x.appointmentUpdated, rng.int(0, 120));
  } else if (x.status === 'ready_to_pay') {
    status = 'Unpaid';
    updatedAt = addMinutesLocal(x.end, rng.int(0, 15));
  } else {
    status = 'Draft';
    updatedAt = x.appointmentUpdated;
  }
  if (updatedAt > x.nowLocal) updatedAt = x.nowLocal;

  return {
    id: x.id,
    status: status as ConsultationScenarioInput['status'],
    reason: x.reason,
    description: `${kind.type}: ${x.reason}`,
    notes,
    dischargeSummary,
    diagnoses,
    lines,
    vitals,
    updatedAt,
  };
}
