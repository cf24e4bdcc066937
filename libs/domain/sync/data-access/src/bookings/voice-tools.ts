import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { addDays, instantOfLocalCompatible, isAppError, minutesOf, noopLogger, todayIn, type AppError, type Logger } from '@pims/util';
import {
  MAX_AVAILABILITY_DAYS,
  VAPI_TOOL_ARGS,
  VAPI_TOOL_NAMES,
  type AvailabilitySlot,
  type BookAppointmentArgs,
  type BookAppointmentResult,
  type CancelAppointmentArgs,
  type CancelAppointmentResult,
  type CheckAvailabilityArgs,
  type CheckAvailabilityResult,
  type ClinicHoursResult,
  type RescheduleAppointmentArgs,
  type RescheduleAppointmentResult,
  type VapiToolCallResult,
  type VapiToolName,
  type VoiceDatedSlot,
  type VoiceSlot,
} from '@pims/sync-contracts';
import { VapiToolCallsRepository, type StoredToolAnswer, type VoiceClinic } from '../repositories/vapi-tool-calls.repository';
import type { BookingService } from './booking.service';

/** One tool call of a Vapi `tool-calls` message, its shapes already read (see the route). */
export interface VoiceToolCall {
  id: string;
  /** As the model called it (maybe not one of ours). */
  name: string;
  /** An object, JSON text, or nothing. */
  arguments: unknown;
}

/** What the message says about the call: whose assistant it is and who is calling. */
export interface VoiceCallContext {
  assistantId: string | null;
  /** The caller's number (message.call.customer.number), when Vapi knows it. */
  callerNumber: string | null;
}

export interface VoiceToolsOptions {
  bookings: BookingService;
  repository: VapiToolCallsRepository;
  logger?: Logger;
  /** The clock of "today" in the clinic's zone (the booking service's own clock decides seats). */
  clock?: () => Date;
}

/** What one tool call did besides answering, undone when a racing delivery's other answer won. */
type Effect = { kind: 'booked'; bookingId: string } | { kind: 'moved'; bookingId: string; fromSlotId: string };
interface Outcome {
  answer: StoredToolAnswer;
  effect?: Effect;
}

const ALTERNATIVES = 5;
const MAX_SLOTS = 10;

export const NO_CLINIC_SENTENCE =
  'This assistant is not connected to a clinic yet, so I cannot look up or book appointments. Please call the clinic directly.';
export const TRY_AGAIN_SENTENCE = 'Sorry, the booking system had a problem just now. Please try again in a moment.';

/**
 * The voice assistant's five tools (CONTRACT section 8) over the booking service: quick answers
 * from the database only (the PIMS is never called inside a tool call; write-back runs afterwards).
 * Each call is answered with a result (JSON text) or an error (a sentence the assistant can say);
 * results use the clinic's calendar days and wall-clock times.
 *
 * The same toolCallId gets the same answer, and books nothing more:
 * - an answer stored for (clinic, toolCallId) is answered again without running the tool;
 * - two deliveries that race both run the tool and both store their answer with one
 *   `insert ... on conflict` (VapiToolCallsRepository.save): the primary key lets exactly one win, and
 *   both answer the stored one. Running twice is harmless because the tools agree: a booking's
 *   idempotency key is derived from the toolCallId, so both deliveries get the same booking (the
 *   booking service decides that under the slot's lock); a cancel of a booking already cancelled
 *   answers cancelled:true; a reschedule to the slot the booking is already in answers rescheduled:true.
 *   The one disagreement left (one delivery found the slot full, the other took a seat freed a moment
 *   later) is settled toward the stored answer: the delivery whose booking or move the stored answer
 *   denies undoes it (cancels the booking, moves it back). No connection is held while a tool runs.
 */
export class VoiceTools {
  private readonly bookings: BookingService;
  private readonly repository: VapiToolCallsRepository;
  private readonly logger: Logger;
  private readonly clock: () => Date;

  constructor(opts: VoiceToolsOptions) {
    this.bookings = opts.bookings;
    this.repository = opts.repository;
    this.logger = opts.logger ?? noopLogger;
    this.clock = opts.clock ?? (() => new Date());
  }

  /** Answers every call of one message, in order: one result per call, never a throw for a bad call. */
  async answer(ctx: VoiceCallContext, calls: VoiceToolCall[]): Promise<VapiToolCallResult[]> {
    const clinic = ctx.assistantId ? await this.repository.findClinicByAssistantId(ctx.assistantId) : null;
    if (!clinic) this.logger.warn({ assistantId: ctx.assistantId ? ctx.assistantId.slice(0, 80) : null }, 'voice tool calls from an assistant no clinic has');
    const out: VapiToolCallResult[] = [];
    for (const call of calls) out.push(await this.answerOne(clinic, ctx, call));
    return out;
  }

  private async answerOne(clinic: VoiceClinic | null, ctx: VoiceCallContext, call: VoiceToolCall): Promise<VapiToolCallResult> {
    const name = shown(call.name);
    if (!clinic) return { name, toolCallId: call.id, error: NO_CLINIC_SENTENCE };
    if (!isToolName(call.name)) {
      return { name, toolCallId: call.id, error: `I cannot do "${name}". The tools here are ${VAPI_TOOL_NAMES.join(', ')}.` };
    }
    const earlier = await this.repository.find(clinic.id, call.id);
    if (earlier) return toResult(earlier, call.id);

    let outcome: Outcome;
    try {
      outcome = await this.run(clinic, ctx, call.name, call.arguments, call.id);
    } catch (err) {
      if (!isFinal(err)) {
        // Not stored: a delivery again runs the tool again (its idempotency key still books once).
        this.logger.error({ tool: call.name, clinicId: clinic.id, err: errorFields(err) }, 'voice tool failed');
        return { name, toolCallId: call.id, error: TRY_AGAIN_SENTENCE };
      }
      outcome = { answer: { name: call.name, error: sentenceFor(err) } };
    }
    const { stored, first } = await this.repository.save(clinic.id, call.id, outcome.answer);
    if (!first && outcome.effect && stored.result !== outcome.answer.result) await this.settle(outcome.effect, stored);
    this.logger.info({ tool: call.name, clinicId: clinic.id, ok: stored.result !== undefined, replay: !first }, 'voice tool call');
    return toResult(stored, call.id);
  }

  private async run(clinic: VoiceClinic, ctx: VoiceCallContext, name: VapiToolName, raw: unknown, toolCallId: string): Promise<Outcome> {
    const parsed = readArguments(name, raw);
    if ('error' in parsed) return { answer: { name, error: parsed.error } };
    switch (name) {
      case 'check_availability':
        return done(name, await this.checkAvailability(clinic, parsed.args as CheckAvailabilityArgs));
      case 'book_appointment':
        return this.book(clinic, ctx, parsed.args as BookAppointmentArgs, toolCallId);
      case 'cancel_appointment':
        return done(name, await this.cancel(clinic, parsed.args as CancelAppointmentArgs));
      case 'reschedule_appointment':
        return this.reschedule(clinic, parsed.args as RescheduleAppointmentArgs);
      case 'get_clinic_hours':
        return done(name, await this.hours(clinic));
    }
  }

  // ---- the tools -----------------------------------------------------------------------------------

  /** Up to 10 free times of the day, nearest the wanted time first; with none, the next 5 free ones. */
  private async checkAvailability(clinic: VoiceClinic, args: CheckAvailabilityArgs): Promise<CheckAvailabilityResult> {
    const day = await this.bookings.availability(clinic.id, { from: args.date, to: args.date });
    const free = day.slots.filter((s) => s.available >= 1);
    if (free.length > 0) {
      const want = args.time === undefined ? null : minutesOf(args.time);
      const ordered = want === null ? free : [...free].sort((a, b) => Math.abs(minutesOf(a.startTime) - want) - Math.abs(minutesOf(b.startTime) - want) || cmp(a.startsAt, b.startsAt));
      return { date: args.date, timezone: clinic.timezone, slots: ordered.slice(0, MAX_SLOTS).map(voiceSlot) };
    }
    const today = todayIn(clinic.timezone, { now: this.clock });
    const from = maxDate(addDays(args.date, 1), today);
    const next = await this.bookings.availability(clinic.id, { from, to: addDays(from, MAX_AVAILABILITY_DAYS - 1) });
    const nearest = next.slots.filter((s) => s.available >= 1).slice(0, ALTERNATIVES).map(datedSlot);
    return { date: args.date, timezone: clinic.timezone, slots: [], nearest };
  }

  private async book(clinic: VoiceClinic, ctx: VoiceCallContext, args: BookAppointmentArgs, toolCallId: string): Promise<Outcome> {
    const name = 'book_appointment';
    const phone = args.phone ?? ctx.callerNumber;
    if (!phone) return { answer: { name, error: "I need the owner's phone number to book. Please ask the caller for it." } };
    const unavailable = (alternatives: VoiceDatedSlot[]): Outcome => done(name, { booked: false, reason: 'slot_unavailable', alternatives } satisfies BookAppointmentResult);
    const slot = await this.slotAt(clinic, args.date, args.time);
    if (!slot) return unavailable(await this.alternativesNear(clinic, args.date, args.time));
    try {
      const booking = await this.bookings.book({
        clinicId: clinic.id,
        slotId: slot.slotId,
        client: { firstName: args.firstName, lastName: args.lastName, phone },
        patient: { name: args.petName, ...(args.species ? { species: args.species } : {}) },
        reason: args.reason,
        source: 'voice',
        idempotencyKey: idempotencyKeyFor(toolCallId),
      });
      // A booking of this key undone meanwhile (see settle): this call did not book.
      if (booking.status !== 'confirmed') return unavailable(await this.alternativesNear(clinic, args.date, args.time));
      const result: BookAppointmentResult = { booked: true, confirmationNumber: booking.confirmationNumber!, date: booking.date, time: booking.startTime };
      return { ...done(name, result), effect: { kind: 'booked', bookingId: booking.id } };
    } catch (err) {
      if (isAppError(err) && err.code === 'slot_unavailable') return unavailable(alternativesOf(err));
      throw err;
    }
  }

  /** The phone must match the booking's; a booking already cancelled answers cancelled:true. */
  private async cancel(clinic: VoiceClinic, args: CancelAppointmentArgs): Promise<CancelAppointmentResult> {
    const notFound: CancelAppointmentResult = { cancelled: false, reason: 'not_found' };
    const found = await this.bookings.findByConfirmation(clinic.id, args.confirmationNumber, args.phone);
    if (!found) return notFound;
    if (found.status === 'cancelled') return { cancelled: true };
    if (found.status !== 'confirmed') return notFound;
    try {
      await this.bookings.cancel(found.id, 'Cancelled by the caller (voice assistant)');
      return { cancelled: true };
    } catch (err) {
      if (!isAppError(err) || err.code !== 'booking_not_active') throw err;
      const now = await this.bookings.findByConfirmation(clinic.id, args.confirmationNumber, args.phone);
      return now?.status === 'cancelled' ? { cancelled: true } : notFound;
    }
  }

  private async reschedule(clinic: VoiceClinic, args: RescheduleAppointmentArgs): Promise<Outcome> {
    const name = 'reschedule_appointment';
    const fail = (r: RescheduleAppointmentResult): Outcome => done(name, r);
    const found = await this.bookings.findByConfirmation(clinic.id, args.confirmationNumber, args.phone);
    if (!found) return fail({ rescheduled: false, reason: 'not_found' });
    if (found.status === 'cancelled') return fail({ rescheduled: false, reason: 'cancelled' });
    if (found.status !== 'confirmed' || !found.slotId) return fail({ rescheduled: false, reason: 'not_found' });
    const slot = await this.slotAt(clinic, args.date, args.time);
    if (!slot) return fail({ rescheduled: false, reason: 'slot_unavailable', alternatives: await this.alternativesNear(clinic, args.date, args.time) });
    try {
      const moved = await this.bookings.reschedule(found.id, slot.slotId);
      const result: RescheduleAppointmentResult = { rescheduled: true, date: moved.date, time: moved.startTime };
      if (found.slotId === slot.slotId) return done(name, result);
      return { ...done(name, result), effect: { kind: 'moved', bookingId: found.id, fromSlotId: found.slotId } };
    } catch (err) {
      if (!isAppError(err)) throw err;
      if (err.code === 'slot_unavailable') return fail({ rescheduled: false, reason: 'slot_unavailable', alternatives: alternativesOf(err) });
      if (err.code === 'booking_not_active' || err.code === 'booking_not_found') {
        const now = await this.bookings.findByConfirmation(clinic.id, args.confirmationNumber, args.phone);
        return fail({ rescheduled: false, reason: now?.status === 'cancelled' ? 'cancelled' : 'not_found' });
      }
      throw err;
    }
  }

  private async hours(clinic: VoiceClinic): Promise<ClinicHoursResult> {
    const hours = await this.repository.openingHours(clinic.id, todayIn(clinic.timezone, { now: this.clock }));
    return { timezone: clinic.timezone, hours: hours ?? [] };
  }

  // ---- helpers ---------------------------------------------------------------------------------------

  /** The clinic's slot that starts at this local date and time (full or not), if it has one still ahead. */
  private async slotAt(clinic: VoiceClinic, date: string, time: string): Promise<AvailabilitySlot | undefined> {
    const day = await this.bookings.availability(clinic.id, { from: date, to: date });
    return day.slots.find((s) => s.startTime === time);
  }

  /** Up to 5 free times nearest the wanted local date and time. */
  private async alternativesNear(clinic: VoiceClinic, date: string, time: string): Promise<VoiceDatedSlot[]> {
    const instant = instantOfLocalCompatible(date, time, clinic.timezone);
    if (!instant) return [];
    return (await this.bookings.alternatives(clinic.id, instant, ALTERNATIVES)).map(datedSlot);
  }

  /**
   * A racing delivery of the same tool call stored another answer first: undo what this one did
   * that the stored answer denies, so the answer both got is what happened.
   */
  private async settle(effect: Effect, stored: StoredToolAnswer): Promise<void> {
    const said = stored.result === undefined ? null : (JSON.parse(stored.result) as Record<string, unknown>);
    try {
      if (effect.kind === 'booked' && said?.booked !== true) {
        await this.bookings.cancel(effect.bookingId, 'Voice tool call delivered twice: the answer given was not booked');
      } else if (effect.kind === 'moved' && said?.rescheduled !== true) {
        await this.bookings.reschedule(effect.bookingId, effect.fromSlotId);
      } else {
        return;
      }
      this.logger.warn({ effect: effect.kind, bookingId: effect.bookingId }, 'voice tool call delivered twice: undid what the stored answer denies');
    } catch (err) {
      if (isAppError(err) && err.code === 'booking_not_active') return;
      this.logger.error({ effect: effect.kind, bookingId: effect.bookingId, err: errorFields(err) }, 'voice tool call delivered twice: could not undo what the stored answer denies');
    }
  }
}

/** The booking idempotency key of a tool call: a redelivery books nothing more. */
export function idempotencyKeyFor(toolCallId: string): string {
  return `vapi:${createHash('sha256').update(toolCallId, 'utf8').digest('hex')}`;
}

const isToolName = (name: string): name is VapiToolName => (VAPI_TOOL_NAMES as readonly string[]).includes(name);
const shown = (name: string) => (name ? name.slice(0, 100) : 'unknown');
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const maxDate = (a: string, b: string) => (a > b ? a : b);
const done = (name: VapiToolName, result: unknown): Outcome => ({ answer: { name, result: JSON.stringify(result) } });
const voiceSlot = (s: AvailabilitySlot): VoiceSlot => ({ slotId: s.slotId, time: s.startTime, startsAt: s.startsAt });
const datedSlot = (s: AvailabilitySlot): VoiceDatedSlot => ({ slotId: s.slotId, date: s.date, time: s.startTime, startsAt: s.startsAt });
const alternativesOf = (err: AppError): VoiceDatedSlot[] => ((err.details?.alternatives as AvailabilitySlot[] | undefined) ?? []).map(datedSlot);

function toResult(a: StoredToolAnswer, toolCallId: string): VapiToolCallResult {
  return a.result !== undefined ? { name: a.name, toolCallId, result: a.result } : { name: a.name, toolCallId, error: a.error };
}

/** A domain refusal (bad input, unknown or conflicting request): the same call always gets it, so it is stored. */
function isFinal(err: unknown): err is AppError {
  return isAppError(err) && [400, 404, 409].includes(err.status) && !err.retryable;
}

function errorFields(err: unknown) {
  return isAppError(err) ? { code: err.code, message: err.message } : { name: (err as Error)?.name, message: String((err as Error)?.message ?? err).slice(0, 300) };
}

function sentenceFor(err: AppError): string {
  switch (err.code) {
    case 'invalid_phone':
      return 'That phone number does not look right. Please ask the caller to say it again, with the area code.';
    case 'idempotency_conflict':
      return 'This request was already made with other details. Please make it again.';
    case 'slot_not_found':
      return 'That time is no longer offered. Please check availability again.';
    case 'clinic_not_found':
      return NO_CLINIC_SENTENCE;
    case 'invalid_range':
      return 'I can only look at dates within the next month. Please pick another date.';
    default:
      return `I could not do that: ${err.message.replace(/\s+/g, ' ').slice(0, 200)}`;
  }
}

// ---- arguments -----------------------------------------------------------------------------------

const HINTS: Record<string, string> = {
  date: "the date as YYYY-MM-DD in the clinic's calendar (for example 2026-12-04)",
  time: 'the time as HH:MM on a 24-hour clock (for example 14:30)',
  firstName: "the owner's first name",
  lastName: "the owner's last name",
  phone: "the owner's phone number",
  petName: "the pet's name",
  species: 'the kind of animal',
  reason: 'the reason for the visit',
  confirmationNumber: 'the confirmation number',
};

/**
 * A call's arguments (an object, JSON text or nothing) checked against the tool's schema, times as
 * people write them ('9:30', '2pm', '10:00 AM') read as 'HH:MM' first. An error is a sentence naming
 * what is missing or unclear.
 */
export function readArguments(name: VapiToolName, raw: unknown): { args: unknown } | { error: string } {
  let value: unknown = raw;
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) value = {};
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { error: 'The details of that request could not be read. Please try again.' };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'The details of that request could not be read. Please try again.' };
  const input = { ...(value as Record<string, unknown>) };
  if (typeof input.time === 'string') input.time = spokenTime(input.time);
  for (const k of Object.keys(input)) if (input[k] === null || input[k] === '') delete input[k];
  const schema: z.ZodType = VAPI_TOOL_ARGS[name];
  const parsed = schema.safeParse(input);
  if (parsed.success) return { args: parsed.data };
  const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')))];
  const hints = fields.map((f) => HINTS[f] ?? f).filter(Boolean);
  return { error: hints.length ? `I need ${joinWords(hints)}.` : 'Some details of that request are not right. Please try again.' };
}

/** '9:30' -> '09:30', '2pm' -> '14:00', '10:00 AM' -> '10:00', '12am' -> '00:00'; anything else as given. */
export function spokenTime(s: string): string {
  const m = /^\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(?:([ap])\.?\s*m\.?)?\s*$/i.exec(s);
  if (!m) return s;
  let h = Number(m[1]);
  const min = m[2] ?? '00';
  const half = m[3]?.toLowerCase();
  if (half) {
    if (h < 1 || h > 12) return s;
    if (half === 'a' && h === 12) h = 0;
    else if (half === 'p' && h !== 12) h += 12;
  }
  if (h > 23) return s;
  return `${String(h).padStart(2, '0')}:${min}`;
}

function joinWords(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
