import type { Logger } from 'pino';
import { createRng, fork } from '../../core/rng.js';
import type { SimModel } from '../../sim/sim-model.js';
import { ShopperModel } from '../../sim/shopper-model.js';
import { startServer, type RecGymServer, type ServerOptions } from '../server.js';
import { Arena, type ArenaOptions } from './arena.js';
import { Auth } from './auth.js';
import { ArenaDb } from './db.js';
import { ExternalPolicies } from './external.js';
import { HumanShoppers } from './humans.js';
import { createArenaHandler } from './http.js';
import { SimulatedShoppers } from './simulated.js';
import type { ThrottleOptions } from './throttle.js';

/** Options of {@link startArena}. */
export interface ArenaServerOptions
  extends Pick<ServerOptions, 'host' | 'port' | 'token'>,
    Pick<ArenaOptions, 'store' | 'policies' | 'control' | 'slateSize' | 'teamsPerImpression' | 'deadlineMs' | 'rewards' | 'trainingEpoch' | 'resamples' | 'nowMs' | 'liveImpressions'> {
  /** The db file (`:memory:` for a throwaway one). */
  readonly db: string;
  readonly logger: Logger;
  /** The seed of the interleaving, the simulated shoppers and the figures' bootstrap. */
  readonly seed?: number;
  /** Simulated shoppers at once (0: none) and the model they come from. */
  readonly simulated?: number;
  readonly simulator?: SimModel;
  /** Milliseconds between one simulated shopper's steps. */
  readonly paceMs?: number;
  readonly throttle?: ThrottleOptions;
  readonly isSecure?: boolean;
  /** Slates and events one user may ask for per second (default 20). */
  readonly userRequestsPerSec?: number;
}

/** A running arena: its server (pages and the protocol on one port), its parts, and close. */
export interface ArenaServer {
  readonly server: RecGymServer;
  /** `http://host:port`. */
  readonly httpUrl: string;
  readonly arena: Arena;
  readonly auth: Auth;
  readonly simulated: SimulatedShoppers | undefined;
  /** Stops the simulated shoppers, the server, then closes the db; safe twice. */
  close(): Promise<void>;
}

/** Opens the db, builds the arena and starts serving its pages (and the env protocol) on one port; simulated shoppers start at once. */
export async function startArena(o: ArenaServerOptions): Promise<ArenaServer> {
  const rng = createRng(o.seed ?? 0);
  const db = new ArenaDb(o.db);
  try {
    const arena = new Arena({
      db,
      store: o.store,
      policies: o.policies,
      control: o.control,
      rng: fork(rng, 'arena'),
      slateSize: o.slateSize,
      teamsPerImpression: o.teamsPerImpression,
      deadlineMs: o.deadlineMs,
      rewards: o.rewards,
      trainingEpoch: o.trainingEpoch,
      resamples: o.resamples,
      figuresSeed: o.seed,
      nowMs: o.nowMs,
      liveImpressions: o.liveImpressions,
    });
    const auth = new Auth(db, { throttle: o.throttle });
    const humans = new HumanShoppers(arena);
    let server: RecGymServer | undefined;
    const handler = createArenaHandler({ arena, auth, humans, logger: o.logger, isSecure: o.isSecure, userRequestsPerSec: o.userRequestsPerSec, connections: () => server?.connections ?? 0 });
    const simulated =
      (o.simulated ?? 0) > 0 && o.simulator ? new SimulatedShoppers(arena, new ShopperModel(o.simulator, o.store, 'arena simulator'), o.simulated ?? 0, fork(rng, 'simulated')) : undefined;
    server = await startServer({ host: o.host, port: o.port, token: o.token, store: o.store, logger: o.logger, httpHandler: handler, policyHost: new ExternalPolicies(arena), onFrame: () => arena.health.message(Date.now()) });
    const running = server;
    simulated?.start(o.paceMs ?? 1000, (error) => o.logger.error({ err: error }, 'simulated shopper stopped'));
    const host = running.host.includes(':') ? `[${running.host}]` : running.host;
    o.logger.info({ url: `http://${host}:${running.port}`, policies: o.policies.map((p) => p.name), simulated: o.simulated ?? 0 }, 'arena open');
    let closing: Promise<void> | undefined;
    return {
      server: running,
      httpUrl: `http://${host}:${running.port}`,
      arena,
      auth,
      simulated,
      close() {
        closing ??= (async () => {
          await simulated?.stop();
          await running.close();
          db.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
