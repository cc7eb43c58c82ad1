// What the engine bench needs from each system it measures, so every system goes through the
// same measuring code: only enqueueing, running workers and counting unfinished jobs differ.

/** Worker settings, reported as they are in the JSON lines. */
export type Settings = Record<string, number>;

export interface RunningWorkers {
  /** Enqueues `n` no-op jobs with one statement (the system's batch API or one multi-row INSERT). */
  enqueueBatch(n: number): Promise<void>;
  /** Enqueues one no-op job the way an application would (the system's single-create API). */
  enqueueOne(): Promise<void>;
  /** Enqueues one job inside a transaction of the caller's, for a system whose `enqueueOne`
   *  skips its claim (graph-lro's workers take their own process's new work at once): the
   *  job appears at commit, so this measures the NOTIFY and claim path. */
  enqueueOneInTransaction?(): Promise<void>;
  /** Stops the workers and closes what `start` opened. */
  stop(): Promise<void>;
}

export interface QueueSystem {
  name: string;
  /** Creates the system's schema in the fresh, empty database at `url`. */
  setup(url: string): Promise<void>;
  /** Starts workers in this process; `onJob` is called when a job's handler starts. */
  start(settings: Settings, onJob: () => void): Promise<RunningWorkers>;
  /** SQL counting jobs that are not terminal yet (0 once every enqueued job is done). */
  unfinishedSql: string;
  /** SQL counting jobs that succeeded (kept rows) or null when the system deletes finished jobs. */
  succeededSql: string | null;
  /** SQL emptying and analyzing the job table before each run, so every run of every system
   *  starts alike: a queue that sat idle (statistics say empty) and then receives a burst. */
  resetSql: string;
  teardown(): Promise<void>;
}
