import { z } from 'zod';
import { LocalDateString } from './bookings';

/**
 * The voice assistant's tools (CONTRACT section 8): their argument schemas (what the service
 * validates), the JSON Schemas handed to a Vapi assistant (generated from the same zod schemas by
 * z.toJSONSchema, so the two cannot drift), the results (JSON text in `result`), and Vapi's
 * `tool-calls` server message with its answer. Dates are the clinic's calendar days
 * ('YYYY-MM-DD'), times its wall clock ('HH:MM', 24-hour), whatever zone the caller or the server
 * is in. Browser-safe: zod only.
 */

export const VAPI_TOOL_NAMES = ['check_availability', 'book_appointment', 'cancel_appointment', 'reschedule_appointment', 'get_clinic_hours'] as const;
export const VapiToolName = z.enum(VAPI_TOOL_NAMES);
export type VapiToolName = z.infer<typeof VapiToolName>;

// ---- arguments -----------------------------------------------------------------------------------

const date = LocalDateString.describe(
  "A day in the clinic's own calendar, as YYYY-MM-DD (for example 2026-12-04). Work it out in the clinic's time zone: \"tomorrow\" is the day after today there.",
);
/** A clinic-local time a slot can start at (no '24:00'). */
const time = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM')
  .describe("A time on the clinic's wall clock, 24-hour HH:MM (for example 09:30 or 14:00).");
const text = (max: number, description: string) => z.string().trim().min(1).max(max).describe(description);
const phone = z.string().trim().min(3).max(40);
const confirmationNumber = z
  .string()
  .trim()
  .min(4)
  .max(20)
  .describe('The 6-character confirmation number the caller was given when they booked (letters and digits).');

export const CheckAvailabilityArgs = z
  .object({
    date,
    time: time.optional().describe('The time the caller would like, HH:MM on the clinic\'s clock; the nearest free times come first. Leave out for the whole day.'),
  });
export type CheckAvailabilityArgs = z.infer<typeof CheckAvailabilityArgs>;

export const BookAppointmentArgs = z
  .object({
    date,
    time,
    firstName: text(100, "The pet owner's first name."),
    lastName: text(100, "The pet owner's last name."),
    phone: phone.optional().describe("The owner's phone number, as they say it. Leave out to use the number they are calling from."),
    petName: text(100, "The pet's name."),
    species: text(100, 'The kind of animal (dog, cat, rabbit, ...), when the caller says.').optional(),
    reason: text(1000, 'Why the pet is coming in, in a few words (for example "annual vaccines", "limping on the left leg").'),
  });
export type BookAppointmentArgs = z.infer<typeof BookAppointmentArgs>;

export const CancelAppointmentArgs = z
  .object({
    confirmationNumber,
    phone: phone.describe('The phone number the appointment was booked with, as the caller says it.'),
  });
export type CancelAppointmentArgs = z.infer<typeof CancelAppointmentArgs>;

export const RescheduleAppointmentArgs = z
  .object({
    confirmationNumber,
    phone: phone.describe('The phone number the appointment was booked with, as the caller says it.'),
    date: date.describe("The new day in the clinic's calendar, YYYY-MM-DD."),
    time: time.describe("The new time on the clinic's wall clock, 24-hour HH:MM."),
  });
export type RescheduleAppointmentArgs = z.infer<typeof RescheduleAppointmentArgs>;

export const GetClinicHoursArgs = z.object({});
export type GetClinicHoursArgs = z.infer<typeof GetClinicHoursArgs>;

/** Each tool's argument schema, by name. */
export const VAPI_TOOL_ARGS = {
  check_availability: CheckAvailabilityArgs,
  book_appointment: BookAppointmentArgs,
  cancel_appointment: CancelAppointmentArgs,
  reschedule_appointment: RescheduleAppointmentArgs,
  get_clinic_hours: GetClinicHoursArgs,
} as const satisfies Record<VapiToolName, z.ZodType>;

const DESCRIPTIONS: Record<VapiToolName, string> = {
  check_availability:
    "Lists the free appointment times on one day at the clinic (up to 10, nearest the wanted time first). When the day has none, 'nearest' lists the next free times. Dates and times are the clinic's local calendar and clock.",
  book_appointment:
    "Books an appointment at a date and time the clinic has free (check_availability first). Answers booked:true with the confirmationNumber to read out to the caller, or booked:false with alternatives when that time is taken.",
  cancel_appointment:
    'Cancels an appointment, given its confirmation number and the phone number it was booked with. Answers cancelled:false with reason not_found when either does not match.',
  reschedule_appointment:
    'Moves an appointment to another date and time, given its confirmation number and the phone number it was booked with. When the new time is taken, the appointment keeps its time and alternatives are listed.',
  get_clinic_hours: "The clinic's opening hours by day of the week (1 = Monday .. 7 = Sunday) and its time zone.",
};

// ---- results (the JSON text in a result's `result`) -----------------------------------------------

export const VoiceSlot = z.object({ slotId: z.uuid(), time: z.string(), startsAt: z.iso.datetime() });
export type VoiceSlot = z.infer<typeof VoiceSlot>;
/** A free time on another day, or an alternative to a taken one. */
export const VoiceDatedSlot = VoiceSlot.extend({ date: LocalDateString });
export type VoiceDatedSlot = z.infer<typeof VoiceDatedSlot>;

export const CheckAvailabilityResult = z.object({
  date: LocalDateString,
  timezone: z.string(),
  slots: z.array(VoiceSlot).max(10),
  /** Only when the day has no free time: the next 5 free ones. */
  nearest: z.array(VoiceDatedSlot).max(5).optional(),
});
export type CheckAvailabilityResult = z.infer<typeof CheckAvailabilityResult>;

export const BookAppointmentResult = z.discriminatedUnion('booked', [
  z.object({ booked: z.literal(true), confirmationNumber: z.string(), date: LocalDateString, time: z.string() }),
  z.object({ booked: z.literal(false), reason: z.literal('slot_unavailable'), alternatives: z.array(VoiceDatedSlot) }),
]);
export type BookAppointmentResult = z.infer<typeof BookAppointmentResult>;

export const CancelAppointmentResult = z.discriminatedUnion('cancelled', [
  z.object({ cancelled: z.literal(true) }),
  z.object({ cancelled: z.literal(false), reason: z.literal('not_found') }),
]);
export type CancelAppointmentResult = z.infer<typeof CancelAppointmentResult>;

export const RESCHEDULE_FAILURES = ['not_found', 'cancelled', 'slot_unavailable'] as const;
export const RescheduleAppointmentResult = z.discriminatedUnion('rescheduled', [
  z.object({ rescheduled: z.literal(true), date: LocalDateString, time: z.string() }),
  z.object({ rescheduled: z.literal(false), reason: z.enum(RESCHEDULE_FAILURES), alternatives: z.array(VoiceDatedSlot).optional() }),
]);
export type RescheduleAppointmentResult = z.infer<typeof RescheduleAppointmentResult>;

export const ClinicHoursResult = z.object({
  timezone: z.string(),
  hours: z.array(z.object({ daysOfWeek: z.array(z.number().int().min(1).max(7)), open: z.string(), close: z.string() })),
});
export type ClinicHoursResult = z.infer<typeof ClinicHoursResult>;

// ---- tool definitions (GET /api/vapi/tools) ------------------------------------------------------

/** A JSON Schema object (as z.toJSONSchema writes it, without `$schema`). */
export type JsonSchemaObject = { type: 'object'; properties: Record<string, unknown>; required?: string[]; [k: string]: unknown };

export const VapiFunctionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
    description: z.string(),
    parameters: z.record(z.string(), z.unknown()),
  }),
});
export type VapiFunctionTool = z.infer<typeof VapiFunctionTool>;
export const VapiToolsOutput = z.object({ tools: z.array(VapiFunctionTool) });
export type VapiToolsOutput = z.infer<typeof VapiToolsOutput>;

/** The JSON Schema of a tool's arguments: what the model is told to send (the input side of the schema). */
export function toolParameters(name: VapiToolName): JsonSchemaObject {
  const schema = z.toJSONSchema(VAPI_TOOL_ARGS[name], { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete schema.$schema;
  return { ...schema, type: 'object', properties: (schema.properties as Record<string, unknown>) ?? {} };
}

/** The five function tools, ready to paste into a Vapi assistant (its `model.tools`). */
export function vapiToolDefinitions(): VapiToolsOutput {
  return {
    tools: VAPI_TOOL_NAMES.map((name) => ({ type: 'function' as const, function: { name, description: DESCRIPTIONS[name], parameters: toolParameters(name) } })),
  };
}

// ---- Vapi's server message and its answer --------------------------------------------------------

/** Vapi sends `arguments` as an object or as JSON text (some payloads call them `parameters`). */
const Arguments = z.union([z.record(z.string(), z.unknown()), z.string().max(32 * 1024)]).nullish();
const FunctionCall = z.looseObject({ name: z.string().max(200).optional(), arguments: Arguments, parameters: Arguments });
const toolCallId = z.string().min(1).max(200);

/** One entry of `toolCallList`: `{id, function:{name, arguments}}`, or with `name`/`arguments` at its top. */
export const VapiToolCall = z.looseObject({
  id: toolCallId,
  type: z.string().optional(),
  function: FunctionCall.optional(),
  name: z.string().max(200).optional(),
  arguments: Arguments,
  parameters: Arguments,
});
export type VapiToolCall = z.infer<typeof VapiToolCall>;

/** One entry of `toolWithToolCallList`: a tool's definition with its call (`toolCall`). */
export const VapiToolWithToolCall = z.looseObject({
  type: z.string().optional(),
  name: z.string().max(200).optional(),
  function: z.looseObject({ name: z.string().max(200).optional() }).optional(),
  toolCall: VapiToolCall,
});

export const VapiToolCallsRequest = z
  .looseObject({
    message: z.looseObject({
      type: z.string().min(1).max(100),
      timestamp: z.number().optional(),
      toolCallList: z.array(VapiToolCall).max(50).optional(),
      toolWithToolCallList: z.array(VapiToolWithToolCall).max(50).optional(),
      assistant: z.looseObject({ id: z.string().max(200).nullish() }).nullish(),
      call: z
        .looseObject({
          id: z.string().max(200).nullish(),
          assistantId: z.string().max(200).nullish(),
          customer: z.looseObject({ number: z.string().max(64).nullish() }).nullish(),
        })
        .nullish(),
      customer: z.looseObject({ number: z.string().max(64).nullish() }).nullish(),
      phoneNumber: z.looseObject({ number: z.string().max(64).nullish() }).nullish(),
    }),
  })
  .refine((b) => b.message.type !== 'tool-calls' || b.message.toolCallList !== undefined || b.message.toolWithToolCallList !== undefined, {
    message: 'a tool-calls message needs toolCallList or toolWithToolCallList',
    path: ['message', 'toolCallList'],
  });
export type VapiToolCallsRequest = z.infer<typeof VapiToolCallsRequest>;

/** One answer: `result` (JSON text) when the tool ran, `error` (a sentence the assistant can say) when it could not. */
export const VapiToolCallResult = z.union([
  z.object({ name: z.string(), toolCallId: z.string(), result: z.string() }),
  z.object({ name: z.string(), toolCallId: z.string(), error: z.string() }),
]);
export type VapiToolCallResult = z.infer<typeof VapiToolCallResult>;
export const VapiToolCallsResponse = z.object({ results: z.array(VapiToolCallResult) });
export type VapiToolCallsResponse = z.infer<typeof VapiToolCallsResponse>;
