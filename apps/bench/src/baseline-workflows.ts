// The benchmark's baseline: the least a workflow can be, to measure the engine's own start rate.
export async function baselineWorkflow(): Promise<void> {
  return;
}
