/**
 * Versioned schema migrations, applied in order; `PRAGMA user_version` records how many ran.
 * Never edit a migration that has shipped: append a new one.
 */
export const migrations: readonly string[] = [
  // 1: datasets, experiments, runs, metrics, artifacts.
  `
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    source_path TEXT,
    image_count INTEGER NOT NULL DEFAULT 0 CHECK (image_count >= 0),
    class_names TEXT NOT NULL DEFAULT '[]',
    width INTEGER,
    height INTEGER,
    channels INTEGER CHECK (channels IN (1, 3)),
    meta TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
  );
  CREATE TABLE experiments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
    notes TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    experiment_id INTEGER REFERENCES experiments(id) ON DELETE CASCADE,
    dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
    name TEXT,
    recipe TEXT NOT NULL,
    config TEXT NOT NULL,
    seed INTEGER NOT NULL,
    backend TEXT,
    status TEXT NOT NULL CHECK (status IN
      ('queued', 'running', 'paused', 'completed', 'stopped', 'failed', 'interrupted')),
    error TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    notes TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT
  );
  CREATE INDEX runs_by_created ON runs (created_at DESC, id DESC);
  CREATE INDEX runs_by_experiment ON runs (experiment_id);
  CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    step INTEGER NOT NULL,
    epoch INTEGER,
    value REAL NOT NULL,
    PRIMARY KEY (run_id, name, step)
  ) WITHOUT ROWID;
  CREATE TABLE artifacts (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
    bytes INTEGER NOT NULL CHECK (bytes >= 0),
    created_at TEXT NOT NULL
  );
  CREATE INDEX artifacts_by_run ON artifacts (run_id);
  `,
  // 2: app settings (e.g. the tensor backend chosen in the UI), one JSON value per key.
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 3: the images of each dataset: where each came from, its label and split. Pixels live in the
  // dataset's uint8 cache file, in idx order.
  `
  CREATE TABLE dataset_images (
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    path TEXT NOT NULL,
    label INTEGER,
    split TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
    sha256 TEXT,
    PRIMARY KEY (dataset_id, idx)
  ) WITHOUT ROWID;
  CREATE INDEX dataset_images_by_label ON dataset_images (dataset_id, label, idx);
  CREATE INDEX dataset_images_by_split ON dataset_images (dataset_id, split, idx);
  `,
  // 4: what training needs: a run's headline numbers (so long lists need no metric scans), the code
  // version that ran it, the process that owns it while live, its evaluation and per-image results.
  `
  ALTER TABLE runs ADD COLUMN headline TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE runs ADD COLUMN code_version TEXT;
  ALTER TABLE runs ADD COLUMN pid INTEGER;
  CREATE INDEX runs_by_status ON runs (status);
  CREATE TABLE evaluations (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    split TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
    report TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (run_id, split)
  ) WITHOUT ROWID;
  CREATE TABLE predictions (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    label INTEGER NOT NULL,
    predicted INTEGER NOT NULL,
    confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    PRIMARY KEY (run_id, idx)
  ) WITHOUT ROWID;
  CREATE INDEX predictions_by_cell ON predictions (run_id, label, predicted, confidence DESC);
  `,
  // 5: what generative runs produce: the fixed-noise grid of each snapshot (the timelapse; PNGs in
  // the run's folder) and each measurement of the generator (FD and friends, with per-class detail).
  `
  CREATE TABLE sample_grids (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    epoch REAL NOT NULL,
    rows INTEGER NOT NULL,
    cols INTEGER NOT NULL,
    path TEXT NOT NULL,
    PRIMARY KEY (run_id, step)
  ) WITHOUT ROWID;
  CREATE TABLE generator_scores (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    report TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (run_id, step)
  ) WITHOUT ROWID;
  `,
  // 6: planned experiments: a label-budget experiment keeps its plan (recipes, budgets, seeds,
  // steps) so its chart is rebuilt from its runs at any time.
  `
  ALTER TABLE experiments ADD COLUMN kind TEXT NOT NULL DEFAULT 'runs'
    CHECK (kind IN ('runs', 'label-budget'));
  ALTER TABLE experiments ADD COLUMN plan TEXT;
  `,
  // 7: a deleted dataset's name stays on its runs and experiments (their dataset_id becomes NULL),
  // so their results still say what they were trained on: "clothes (deleted)"; asking for the
  // deleted dataset's id says it was deleted rather than that it never existed.
  `
  ALTER TABLE runs ADD COLUMN deleted_dataset_name TEXT;
  ALTER TABLE experiments ADD COLUMN deleted_dataset_name TEXT;
  CREATE INDEX runs_by_dataset ON runs (dataset_id);
  CREATE INDEX datasets_by_source ON datasets (source_path);
  CREATE TABLE deleted_datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    deleted_at TEXT NOT NULL
  );
  `
]
