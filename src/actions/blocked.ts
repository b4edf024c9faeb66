import { z } from 'zod';
import type { Action } from './types.js';

/**
 * What a plan runs for a number on the block list (issue 11, plan.ts): nothing, no log row, no reply. Not in the
 * registry, so no route or menu can name it.
 */
export const blocked: Action = {
  name: 'blocked',
  params: z.object({}).passthrough(),
  placeholders: {},
  pure: true,
  async run() { return []; },
};
