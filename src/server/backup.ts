/**
 * `npm run backup -- <file>`: a consistent copy of the embedded SQLite
 * database, taken with SQLite's online backup API, so it is safe while the
 * server runs (in WAL mode the server keeps writing meanwhile; the copy is the
 * database as of one moment). Reads the same environment as the server
 * (DATA_DIR). The recovery pepper is not in the copy: back it up separately
 * (docs/operations.md). With DATABASE_URL, use pg_dump instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { ConfigError, loadConfig, PEPPER_FILE_NAME } from './config.js';
import { SQLITE_FILE } from './store/sqlite.js';

function fail(message: string): never {
  process.stderr.write(`metsony backup: ${message}\n`);
  process.exit(1);
}

export async function backupSqlite(dataDir: string, destination: string): Promise<{ pages: number }> {
  const source = path.join(dataDir, SQLITE_FILE);
  if (!fs.existsSync(source)) throw new Error(`no database at ${source} (is DATA_DIR right?)`);
  if (fs.existsSync(destination)) throw new Error(`${destination} exists; choose a new file name`);
  const db = new SqliteDatabase(source, { readonly: true, fileMustExist: true });
  try {
    // Created 0600 first: the copy holds accounts and stored messages.
    fs.closeSync(fs.openSync(destination, 'wx', 0o600));
    const { totalPages } = await db.backup(destination);
    return { pages: totalPages };
  } catch (err) {
    fs.rmSync(destination, { force: true });
    throw err;
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const destination = process.argv[2];
  if (!destination || process.argv.length > 3) fail('usage: npm run backup -- <file>');
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(`configuration error: ${err.message}`);
    throw err;
  }
  if (config.databaseUrl) fail('DATABASE_URL is set: back PostgreSQL up with pg_dump (docs/operations.md)');
  try {
    const { pages } = await backupSqlite(config.dataDir, path.resolve(destination));
    process.stdout.write(`metsony backup: ${pages} pages written to ${path.resolve(destination)}\n`);
    if (fs.existsSync(path.join(config.dataDir, PEPPER_FILE_NAME))) {
      process.stdout.write(`metsony backup: the recovery pepper is not in it; keep a copy of ${path.join(config.dataDir, PEPPER_FILE_NAME)} elsewhere\n`);
    }
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
}

// Run as a command (not when imported).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
