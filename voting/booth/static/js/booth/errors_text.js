// One sentence for the voter from any error: the board unreachable, the board's refusal (its own message,
// shown as text), or anything else. Messages never contain the credential, the choices or a nonce: the
// libraries' errors are written so (eg/errors.js), and the board's only name fields.

import { BoardRefusal, BoardUnreachable } from './api.js';
import { t } from './i18n.js';

export function errorText(error) {
  if (error instanceof BoardUnreachable) return t('error.unreachable');
  if (error instanceof BoardRefusal) return t('error.refused', { message: error.message });
  return error?.message ?? String(error);
}
