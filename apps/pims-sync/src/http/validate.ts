import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { z } from 'zod';
import { ValidationError } from './errors';

const WHERE: Record<string, string> = { json: 'request body', query: 'query string', param: 'path parameter' };

/**
 * zod validation of one part of a request. A failure throws ValidationError, which the app's one
 * error handler answers 400 `validation_error` with the zod issues.
 */
export const validate = <T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (!result.success) throw new ValidationError(result.error.issues, WHERE[target] ?? target);
  });
