import type { StorageOptions } from '@sluice/batch';
import { UsageError } from '../../io';

/** Options every batch command takes to find Redis and storage. */
export const CONNECTION_OPTIONS = {
  redis: { type: 'string' },
  prefix: { type: 'string' },
  's3-endpoint': { type: 'string' },
  's3-region': { type: 'string' },
} as const;

/** Help text for {@link CONNECTION_OPTIONS}. */
export const CONNECTION_HELP = `--redis URL        Redis (default: $REDIS_URL), e.g. redis://queue.internal:6379
--prefix P         key prefix of the queues (default sluice): one Redis, several independent farms
--s3-endpoint URL  an S3-compatible store for s3:// URLs (MinIO, Ceph, R2; default: AWS, or $AWS_ENDPOINT_URL_S3)
--s3-region R      its region (default: $AWS_REGION, else us-east-1); credentials from the AWS SDK's chain`;

type Values = {
  redis?: string | undefined;
  prefix?: string | undefined;
  's3-endpoint'?: string | undefined;
  's3-region'?: string | undefined;
};

/** The Redis URL a command was given (or `$REDIS_URL`). */
export function redisUrlOf(values: Values): string {
  const url = values.redis ?? process.env.REDIS_URL;
  if (url === undefined || url.length === 0) throw new UsageError('give --redis URL (or set REDIS_URL)');
  if (!/^rediss?:\/\//.test(url)) throw new UsageError(`--redis takes a redis:// or rediss:// URL, got "${url}"`);
  return url;
}

/** Storage options from the S3 flags. */
export function storageOf(values: Values): StorageOptions {
  const endpoint = values['s3-endpoint'] ?? process.env.SLUICE_S3_ENDPOINT;
  const region = values['s3-region'];
  if (endpoint === undefined && region === undefined) return {};
  return { s3: { ...(endpoint === undefined ? {} : { endpoint }), ...(region === undefined ? {} : { region }) } };
}

/** The prefix option, when given. */
export function prefixOf(values: Values): { prefix?: string } {
  return values.prefix === undefined ? {} : { prefix: values.prefix };
}
