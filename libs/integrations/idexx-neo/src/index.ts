export { createIdexxNeoProvider, type IdexxNeoProvider, type IdexxNeoProviderOptions } from './provider';
export type { IdexxNeoSession } from './neo-session';
export type { NeoEndpoint, NeoRequestEvent, NeoSessionStats } from './neo-stats';
export type { PimsLogger } from './logger';
export { DEFAULT_RETRY, backoffDelayMs, maxTotalBackoffMs, parseRetryAfter, resolveRetryPolicy, type RetryOptions, type RetryPolicy } from './retry';
export { mapNeoStatus, knownNeoStatus, normalizeStatusWord } from './status';
export { chunkDateRange, calendarQuery, MAX_CHUNK_DAYS, type DateChunk } from './chunking';
export {
  collectAppointments,
  extractEventList,
  fullCalendarDayToIso,
  normalizeConsultation,
  normalizeEvent,
  normalizeScheduleConfig,
  resolveNeoTime,
  type EventVerdict,
} from './normalize';
export { classifyResponse, classifyThrown, isLoginPath, looksLikeLoginPage, type ResponseVerdict } from './classify';
export { CHROMIUM_ARGS, chromiumCandidates, launchChromium, browserUnavailableError } from './browser-pool';
export { classifyWriteResponse, refusalMessage, type WriteVerdict } from './classify';
export { extractClients, extractPatientObjects, phoneSearchTerm, referenceNote, samePhone, toClientMatch, toPatientMatch } from './neo-writes';
export { parseSessionInfo, type SessionInfo } from './session-info';
