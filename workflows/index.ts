// The worker's workflow bundle entry: every workflow type Duban runs.
export { obligationWorkflow, obligationWorkflowV2 } from './obligation';
export { indicatorWorkflow } from './indicator';
export { rhythmWorkflow } from './rhythm';
export { digestWorkflow } from './digest';
export { standingDutyWorkflow } from './standing-duty';
