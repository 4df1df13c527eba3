import { problem } from './problem';

describe('problem', () => {
  it('keeps its standard members whatever the extensions are called', () => {
    const doc = problem(409, 'import_finished', 'import 1 is already completed', {
      status: 'completed',
      code: 'other',
      type: 'x',
      importStatus: 'completed',
    });
    expect(doc).toMatchObject({
      type: 'https://leadflow.dev/problems/import-finished',
      title: 'Conflict',
      status: 409,
      code: 'import_finished',
      importStatus: 'completed',
    });
  });
});
