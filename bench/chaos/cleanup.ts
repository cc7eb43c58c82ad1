// What the harness must undo however it ends — normally, on a throw, on Ctrl-C or SIGTERM:
// child process groups killed, the private PostgreSQL cluster stopped, temporary directories
// removed. Every action is synchronous so it also runs from process.on('exit').
const actions = new Map<number, () => void>();
let nextId = 0;
let ran = false;

/** Registers a synchronous undo step; returns its removal (for steps already undone normally). */
export function onCleanup(action: () => void): () => void {
  const id = nextId++;
  actions.set(id, action);
  return () => void actions.delete(id);
}

/** Runs every registered step, newest first, once. */
export function runCleanup(): void {
  if (ran) return;
  ran = true;
  for (const id of [...actions.keys()].reverse()) {
    try {
      actions.get(id)!();
    } catch (err) {
      process.stderr.write(`chaos: cleanup step failed: ${(err as Error).message}\n`);
    }
  }
  actions.clear();
}

let installed = false;

/** Installs the handlers: exit, SIGINT, SIGTERM, SIGHUP, uncaught errors. */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runCleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      process.stderr.write(`chaos: ${signal}: stopping servers and the private cluster\n`);
      runCleanup();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    process.stderr.write(`chaos: uncaught: ${err.stack ?? String(err)}\n`);
    runCleanup();
    process.exit(2);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`chaos: unhandled rejection: ${(err as Error)?.stack ?? String(err)}\n`);
    runCleanup();
    process.exit(2);
  });
}
