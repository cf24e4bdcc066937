import type { z } from 'zod';
import { ValidationError } from './errors';

const WHERE: Record<string, string> = { json: 'request body', query: 'query string', param: 'path parameter', header: 'header' };

/** What @hono/zod-openapi's validators hand their hook. */
interface ValidationResult {
  success: boolean;
  error?: z.ZodError;
  target: string;
}

/**
 * The routers' `defaultHook`: a request part that fails its zod schema throws ValidationError,
 * which the app's one error handler answers 400 `validation_error` with the (bounded) zod issues.
 */
export function validationHook(result: ValidationResult): void {
  if (!result.success) throw new ValidationError(result.error?.issues ?? [], WHERE[result.target] ?? result.target);
}
