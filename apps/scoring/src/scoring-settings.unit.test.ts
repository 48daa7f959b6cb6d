import { DEFAULT_SCORING_SETTINGS, loadScoringSettings } from './scoring-settings';

describe('loadScoringSettings: training thresholds', () => {
  it('keeps the defaults when nothing is set', () => {
    const settings = loadScoringSettings({});
    expect(settings.training.minRows).toBe(DEFAULT_SCORING_SETTINGS.training.minRows);
    expect(settings.training.uplift).toEqual(DEFAULT_SCORING_SETTINGS.training.uplift);
  });

  it('reads the least labelled rows per arm for the uplift learner, keeping the control treatment', () => {
    const settings = loadScoringSettings({ SCORING_TRAINING_MIN_ROWS: '100', SCORING_UPLIFT_MIN_ROWS_PER_ARM: '25' });
    expect(settings.training.minRows).toBe(100);
    expect(settings.training.uplift).toEqual({ ...DEFAULT_SCORING_SETTINGS.training.uplift, minRowsPerArm: 25 });
  });

  it('refuses a threshold that is not an integer of at least 2, naming the variable', () => {
    expect(() => loadScoringSettings({ SCORING_UPLIFT_MIN_ROWS_PER_ARM: '1' })).toThrow(/SCORING_UPLIFT_MIN_ROWS_PER_ARM must be an integer ≥ 2, got '1'/);
    expect(() => loadScoringSettings({ SCORING_UPLIFT_MIN_ROWS_PER_ARM: 'many' })).toThrow(/SCORING_UPLIFT_MIN_ROWS_PER_ARM/);
  });
});
