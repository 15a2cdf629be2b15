// A throwaway PostgreSQL database for a benchmark: created under a fresh name through an admin
// URL that may CREATE DATABASE, dropped (with its connections) by `drop()`.
import pg from 'pg';

/**
 * @param {string} adminUrl - e.g. postgres://postgres@127.0.0.1:5432/postgres
 * @param {string} prefix - the database name's start, e.g. xcore_bench_runlog
 * @returns {Promise<{ name: string, url: string, drop(): Promise<void> }>}
 */
export async function throwawayDatabase(adminUrl, prefix) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const name = `${prefix}_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
