import { getTimezone } from 'countries-and-timezones';
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { AppError } from '@pims/util';

export const DEFAULT_PHONE_REGION: CountryCode = 'US';

/**
 * The country whose national notation a clinic's callers use, from the clinic's IANA time zone
 * (America/New_York -> US, Europe/London -> GB, Pacific/Kiritimati -> KI); 'US' when the zone names
 * no country (Etc/UTC) or one the phone metadata does not know.
 */
export function phoneRegionForTimeZone(timezone: string): CountryCode {
  const country = getTimezone(timezone)?.countries?.[0];
  return country && isSupportedCountry(country) ? country : DEFAULT_PHONE_REGION;
}

/**
 * A phone number in E.164 ('+15551234567'), read in the given region's notation unless it starts
 * with '+' (E.164 and other international forms are taken as given). Null when it cannot be a
 * phone number: wrong length for its country, letters, too short. A number only has to be
 * possible, not assigned: fictional 555 numbers (the simulators' and demos') are accepted.
 */
export function toE164(input: string, region: CountryCode = DEFAULT_PHONE_REGION): string | null {
  if (typeof input !== 'string') return null;
  const text = input.trim();
  if (text.length < 3 || text.length > 40 || /[a-wyz]/i.test(text.replace(/\b(ext|x)\.?\s*\d+$/i, ''))) return null;
  const parsed = parsePhoneNumberFromString(text, text.startsWith('+') ? undefined : region);
  if (!parsed || !parsed.isPossible()) return null;
  return parsed.number;
}

/** toE164, or AppError invalid_phone (400). */
export function requireE164(input: string, region: CountryCode = DEFAULT_PHONE_REGION): string {
  const e164 = toE164(input, region);
  if (!e164) throw new AppError('invalid_phone', 'The phone number is not a valid phone number', { status: 400 });
  return e164;
}
