import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_BUNDLER_OPTIONS, workflowCode } from '../../libs/shared/temporal/workflows-path';

// The worker runs the workflow bundle `npm run build` wrote, unless the compiled code is newer.
describe('the workflow code a worker runs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-workflow-code-'));
  const compiled = path.join(dir, 'dist');
  const bundle = path.join(dir, 'workflow-bundle.js');
  fs.mkdirSync(path.join(compiled, 'workflows'), { recursive: true });
  const write = (file: string, at: number) => {
    fs.writeFileSync(file, '// code');
    fs.utimesSync(file, at / 1000, at / 1000);
  };
  const now = Date.now();

  it('is the prebuilt bundle when it is newer than every compiled file', () => {
    write(path.join(compiled, 'workflows', 'obligation.js'), now - 60_000);
    write(bundle, now - 30_000);
    expect(workflowCode(bundle, [compiled], '/src/workflows')).toEqual({ workflowBundle: { codePath: bundle } });
  });

  it('is bundled at the start, as the build bundles it, when a compiled file is newer (dist rebuilt without the bundle)', () => {
    write(path.join(compiled, 'workflows', 'obligation.js'), now);
    expect(workflowCode(bundle, [compiled], '/src/workflows')).toEqual({
      workflowsPath: '/src/workflows',
      bundlerOptions: WORKFLOW_BUNDLER_OPTIONS,
    });
  });

  it('is bundled at the start when there is no bundle (run from source)', () => {
    expect(workflowCode(path.join(dir, 'none.js'), [compiled], '/src/workflows')).toEqual({
      workflowsPath: '/src/workflows',
      bundlerOptions: WORKFLOW_BUNDLER_OPTIONS,
    });
  });

  it('is the bundle for the worker `npm run build` built (npm test builds first)', async () => {
    const built = path.resolve(__dirname, '../../dist/libs/shared/temporal/workflows-path.js');
    const { workflowCode: ofDist } = (await import(built)) as { workflowCode: typeof workflowCode };
    const code = ofDist();
    expect(code).toEqual({ workflowBundle: { codePath: path.resolve(__dirname, '../../dist/workflow-bundle.js') } });
    // The bundle holds every workflow type the worker registers.
    const text = fs.readFileSync((code as { workflowBundle: { codePath: string } }).workflowBundle.codePath, 'utf8');
    for (const type of [
      'obligationWorkflow',
      'obligationWorkflowV2',
      'indicatorWorkflow',
      'rhythmWorkflow',
      'digestWorkflow',
      'standingDutyWorkflow',
    ])
      expect(text).toContain(type);
  });
});
