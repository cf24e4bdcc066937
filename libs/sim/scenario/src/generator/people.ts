import type { Rng } from '../prng';
import {
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  PET_NAMES,
  SPECIES,
  TITLES,
  TITLE_WEIGHTS,
  type SpeciesInfo,
} from './data';

export interface Person {
  id: string;
  title: string;
  firstName: string;
  lastName: string;
  phone: string;
  email: string;
}

export interface Pet {
  id: string;
  name: string;
  species: SpeciesInfo;
  breed: string;
  owner: Person;
  young: boolean;
  senior: boolean;
}

/** Owners (titles, `+1555…` phones, unique emails) with one to three pets each, until there are `petCount` pets. */
export function generatePeople(peopleRng: Rng, petCount: number): { people: Person[]; pets: Pet[] } {
  const people: Person[] = [];
  const pets: Pet[] = [];
  const usedEmails = new Set<string>();
  for (let i = 0; pets.length < petCount; i++) {
    const firstName = peopleRng.pick(FIRST_NAMES);
    const lastName = peopleRng.pick(LAST_NAMES);
    const local = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
    let email = `${local}@${peopleRng.pick(EMAIL_DOMAINS)}`;
    for (let n = 2; usedEmails.has(email); n++) email = email.replace(/(\d*)@/, `${n}@`);
    usedEmails.add(email);
    const owner: Person = {
      id: String(10001 + i),
      title: peopleRng.weighted(TITLES, TITLE_WEIGHTS),
      firstName,
      lastName,
      phone: `+1555${String(peopleRng.int(2000000, 9999999))}`,
      email,
    };
    people.push(owner);
    const petsOfOwner = peopleRng.weighted([1, 2, 3], [70, 24, 6]);
    for (let k = 0; k < petsOfOwner && pets.length < petCount; k++) {
      const species = peopleRng.weighted(
        SPECIES,
        SPECIES.map((s) => s.weight),
      );
      const age = peopleRng.next();
      pets.push({
        id: String(40001 + pets.length),
        name: peopleRng.pick(PET_NAMES),
        species,
        breed: peopleRng.pick(species.breeds),
        owner,
        young: age < 0.12,
        senior: age > 0.78,
      });
    }
  }
  return { people, pets };
}
