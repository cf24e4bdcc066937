// The providers' logger with secrets redacted from every line lives in @pims/util-core (shared by every PIMS integration).
export { redactingLogger, type LogLevel, type PimsLogger, type SafeLogger } from '@pims/util';
