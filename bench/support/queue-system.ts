// What the engine bench needs from each system it measures, so every system goes through the same
// measuring code in both deployments: only creating a store, starting an instance and counting
// unfinished jobs differ.

/** A system's settings, printed as they are in every JSON line of it. */
export type Settings = Record<string, number | string | boolean>;

/**
 * What an instance of a system does in a deployment. `both`: producer and workers are one
 * instance (one pool, one process). `workers` and `producer`: the two halves of the separate
 * deployment, each an instance with its own pool (the workers in a process of their own).
 */
export type Role = 'both' | 'workers' | 'producer';

export interface Instance {
  /** Enqueues `n` no-op jobs through the system's batch API (one call). Producers only. */
  enqueueBatch(n: number): Promise<void>;
  /** Enqueues one no-op job through the system's single-create API. Producers only. */
  enqueueOne(): Promise<void>;
  /** Further ways a producer of this system creates one job, measured as lines of their own. */
  paths?: Record<string, () => Promise<void>>;
  /** Stops the workers (letting running handlers finish) and closes what `start` opened. */
  stop(): Promise<void>;
}

/** The bench's own view of a store: how far a run got, and emptying it between runs. */
export interface Monitor {
  /** Jobs not terminal yet (0 once every enqueued job's outcome is stored). */
  unfinished(): Promise<number>;
  /** Jobs that succeeded, or null when the system deletes finished jobs. */
  succeeded(): Promise<number | null>;
  /** Empties the job table (and analyzes it) while no instance runs, so every run starts alike:
   *  a queue that sat idle (statistics say empty) and then receives a burst. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export interface QueueSystem {
  name: string;
  /** Its installed version, read from its package.json. */
  version: string;
  /** Where its jobs live: 'PostgreSQL', or 'Redis' for the reference line that is not a PostgreSQL system. */
  store: 'PostgreSQL' | 'Redis';
  /** Its best published configuration for throughput (each setting's source is named where it is set). */
  settings: Settings;
  /** Creates a fresh store for the system (a scratch database with its schema; a key prefix on
   *  Redis) and returns its address, which `start` and `monitor` take in any process. */
  prepare(): Promise<string>;
  /** Starts an instance on the store; `onJob` is called as each job's handler starts. */
  start(address: string, role: Role, onJob: () => void): Promise<Instance>;
  monitor(address: string): Promise<Monitor>;
  /** Removes the store (with FORCE: instances still connected are cut off). */
  dispose(address: string): Promise<void>;
}
