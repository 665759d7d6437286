import { sleep } from '@temporalio/workflow';
import type { ObligationStart } from '../../../libs/contracts/obligation';
import { obligationWorkflow as deployed } from '../../../workflows/obligation';

// A deliberately incompatible change: a timer before anything else, without `patched`. Replaying
// any recorded history against it must report non-determinism.
export async function obligationWorkflow(start: ObligationStart) {
  await sleep('1 minute');
  return deployed(start);
}
