import { EnvError, loadEnv } from './env';
import { createLogger, errFields } from './logger';
import { startService } from './service';

/**
 * `tsx src/main.ts`: pims-sync in the role PIMS_SYNC_ROLE (api | worker | all). SIGTERM or SIGINT
 * stops it gracefully (a second signal exits at once).
 */
async function main() {
  let env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger({ level: env.logLevel, base: { role: env.role } });
  process.on('unhandledRejection', (reason) => logger.error({ err: errFields(reason) }, 'unhandled rejection'));

  const service = await startService(env, { logger }).catch((err) => {
    logger.fatal({ err: errFields(err) }, 'pims-sync could not start');
    process.exit(1);
  });
  if (service.url) process.stdout.write(`pims-sync API listening on ${service.url} (role ${env.role})\n`);
  if (service.metricsUrl) process.stdout.write(`pims-sync metrics on ${service.metricsUrl}/metrics (role ${env.role})\n`);

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    logger.info({ signal }, 'signal received; stopping gracefully');
    service.stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err: errFields(err) }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);
}

void main();
