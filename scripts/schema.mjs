// npm run schema: writes src/db/schema.sql, the schema every migration applied makes (see
// src/db/schemaDump.ts), using the PostgreSQL of DATABASE_URL (default: this machine's local
// server, as for the tests) to create a database for the purpose and drop it afterwards.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dumpSchema, schemaFile } from '../dist/src/db/schemaDump.js';
import { migrations } from '../dist/src/families/index.js';

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const path = fileURLToPath(schemaFile);
try {
  const schema = await dumpSchema(serverUrl, migrations);
  if (existsSync(path) && readFileSync(path, 'utf8') === schema) {
    console.log(`${path}: unchanged`);
  } else {
    writeFileSync(path, schema);
    console.log(`${path}: written`);
  }
} catch (err) {
  console.error(`npm run schema: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
