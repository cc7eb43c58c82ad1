import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { Db, PoolStats, Queryable, Row, Statement } from './db.js';
import { INT8_OID, TIMESTAMPTZ_OID, timestamptzToIso } from './db.js';

const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMPTZ_OID) return timestamptzToIso;
    if (oid === INT8_OID) return Number;
    return pg.types.getTypeParser(oid, format);
  },
};

const run = async <R extends Row>(client: pg.Pool | pg.PoolClient, sql: string | Statement, params?: readonly unknown[]) => {
  const config = typeof sql === 'string' ? { text: sql } : { name: sql.name, text: sql.text };
  const result = await client.query<R>({ ...config, values: params as unknown[] | undefined });
  return result.rows;
};

export interface PostgresOptions {
  max?: number;
  applicationName?: string;
}

/** Bounds the wait for a connection, so that an unreachable server fails requests instead of queueing them. */
const CONNECT_TIMEOUT_MS = 10_000;

const poolStats = (name: PoolStats['name'], p: pg.Pool): PoolStats => ({ name, total: p.totalCount, idle: p.idleCount, waiting: p.waitingCount });

/** A pooled PostgreSQL connection; LISTEN runs on one dedicated client that reconnects. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Db> {
  const connectionConfig = { connectionString: url, types, options: '-c TimeZone=UTC', application_name: options.applicationName ?? 'graph-lro' };
  const max = options.max ?? 20;
  const pool = new pg.Pool({ ...connectionConfig, max, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  const copySlots = Math.max(1, Math.floor(max / 4));
  const controlPool = new pg.Pool({ ...connectionConfig, max: 2, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  for (const p of [pool, controlPool]) {
    p.on('error', () => {
      // An idle client lost its connection; the pool replaces it on next use.
    });
    // The pool listens for errors only on idle clients. A lent one whose connection the server ends
    // (a restart, pg_terminate_backend; even in the same read as its connect) would raise an
    // unhandled 'error' event and end the process: every client keeps a listener of its own. The
    // error also fails the query in flight, or the next one, which is where callers see it.
    p.on('connect', (client) => client.on('error', () => undefined));
  }
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await Promise.all([pool.end(), controlPool.end()]);
    throw err;
  }

  const listeners = new Map<string, Set<(payload: string) => void>>();
  let listenClient: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;
  const copies = new Set<Readable>();
  let copying = 0; // connections lent to COPY, counted from before they are connected

  const connectListener = (): Promise<pg.Client> => {
    connecting ??= (async () => {
      const client = new pg.Client(connectionConfig);
      client.on('notification', (msg) => {
        for (const fn of listeners.get(msg.channel) ?? []) fn(msg.payload ?? '');
      });
      client.on('error', () => {
        listenClient = undefined;
        connecting = undefined;
        if (!closed) setTimeout(() => reconnect(), 250).unref();
      });
      await client.connect();
      for (const channel of listeners.keys()) await client.query(`LISTEN "${channel}"`);
      listenClient = client;
      return client;
    })();
    return connecting;
  };

  // After a lost connection, notifications may have been missed: every listener is told once
  // with an empty payload so it can re-check what it waits for.
  const reconnect = async () => {
    try {
      await connectListener();
      for (const set of listeners.values()) for (const fn of set) fn('');
    } catch {
      connecting = undefined;
      if (!closed) setTimeout(() => reconnect(), 1000).unref();
    }
  };

  return {
    kind: 'postgres',
    query: (sql, params) => run(pool, sql, params),
    control: { query: (sql, params) => run(controlPool, sql, params) },
    pools: () => [poolStats('main', pool), poolStats('control', controlPool)],
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: (sql, params) => run(client, sql, params),
          copyIn: (sql, source) => pipeline(Readable.from(source), client.query(copyFrom(sql))),
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // A connection that cannot even roll back is closed rather than lent again.
        await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async listen(channel, onNotify) {
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
      let set = listeners.get(channel);
      const isNew = !set;
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(onNotify);
      const client = listenClient ?? (await connectListener());
      if (isNew) await client.query(`LISTEN "${channel}"`);
      return async () => {
        set.delete(onNotify);
        if (set.size === 0) {
          listeners.delete(channel);
          await listenClient?.query(`UNLISTEN "${channel}"`).catch(() => undefined);
        }
      };
    },
    async copyOut(sql) {
      if (copying >= copySlots) return undefined;
      copying++;
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        copying--;
        throw err;
      }
      const stream = client.query(copyTo(sql));
      copies.add(stream);
      // A COPY stopped halfway leaves its connection mid-protocol: that one is closed, not reused.
      let released = false;
      const release = (err?: Error) => {
        if (released) return;
        released = true;
        copying--;
        copies.delete(stream);
        client.release(err);
      };
      stream.once('end', () => release());
      stream.once('error', (err) => release(err));
      stream.once('close', () => release(new Error('COPY stopped before its end')));
      // The connection ending mid-COPY (a restart) reaches the reader as the stream's error.
      const onLost = (err: Error) => stream.destroy(err);
      client.on('error', onLost);
      stream.once('close', () => client.off('error', onLost));
      return stream;
    },
    async close() {
      closed = true;
      // The pool waits for every connection: a COPY whose reader stalled would hold one forever.
      for (const copy of copies) copy.destroy();
      await listenClient?.end().catch(() => undefined);
      await Promise.all([pool.end(), controlPool.end()]);
    },
  };
}
