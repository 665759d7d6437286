import { obligationIdOf } from '../libs/shared/obligation-id';

/**
 * The obligation id of a lapse's key (a UUID v5, which the workflow sandbox cannot hash): run as
 * a local activity, its answer is recorded, so every replay and retry names the same obligation.
 */
export async function lapseObligationId(key: string): Promise<string> {
  return obligationIdOf(key);
}
