import type { Logger } from 'pino';
import { ErrorCode, RecGymError } from '../../core/errors.js';
import type { ServerMessage } from '../protocol.js';
import type { PolicyHost, PolicyLink } from '../session.js';
import type { Arena } from './arena.js';
import type { Policy, RankRequest } from './policy.js';

/** History events sent with a `recommend` (the newest). */
const HISTORY_EVENTS = 50;
/** A pending request is forgotten this long after its deadline (a later answer is `unknown`). */
const FORGET_AFTER_MS = 5000;

interface Pending {
  readonly resolve: (ranking: number[]) => void;
  readonly reject: (error: Error) => void;
  readonly sentMs: number;
  readonly timer: NodeJS.Timeout;
}

/**
 * External agents as arena policies (protocol 1.2): a connection that sends `registerPolicy`
 * enters the competition; each of its rankings is asked by a `recommend` with the shopper's
 * history and answered by a `recommendation` of item ids. Its deadline is the arena's: a late
 * answer is accepted but flagged, the control policy having been shown in its place.
 */
export class ExternalPolicies implements PolicyHost {
  readonly #arena: Arena;
  #nextRequest = 1;

  constructor(arena: Arena) {
    this.#arena = arena;
  }

  register(name: string, push: (message: ServerMessage) => void, logger: Logger): PolicyLink {
    const arena = this.#arena;
    const { store } = arena;
    const pending = new Map<string, Pending>();
    let isOpen = true;
    const policy: Policy = {
      name,
      origin: 'external',
      rank: (request: RankRequest) =>
        new Promise<number[]>((resolve, reject) => {
          if (!isOpen) return reject(new Error(`policy ${name}: disconnected`));
          const requestId = String(this.#nextRequest++);
          const { log, row } = request;
          const end = log.end(row);
          const history = [];
          for (let p = Math.max(log.userOffsets[row], end - HISTORY_EVENTS); p < end; p++) {
            history.push({ item: store.itemIds.rawOf(log.items[p]), behavior: log.behaviors[p], time: log.times[p] });
          }
          const timer = setTimeout(() => {
            pending.delete(requestId);
            reject(new Error(`policy ${name}: no answer to ${requestId}`));
          }, arena.deadlineMs + FORGET_AFTER_MS);
          timer.unref();
          pending.set(requestId, { resolve, reject, sentMs: performance.now(), timer });
          push({ type: 'recommend', id: null, requestId, policy: name, shopperKind: request.kind, history, size: request.size, deadlineMs: arena.deadlineMs });
        }),
    };
    try {
      arena.addPolicy(policy);
    } catch (error) {
      throw new RecGymError(ErrorCode.POLICY_REFUSED, `registerPolicy.name: ${(error as Error).message}`);
    }
    return {
      deadlineMs: arena.deadlineMs,
      slateSize: arena.slateSize,
      answer(requestId, items) {
        const entry = pending.get(requestId);
        if (!entry) return 'unknown';
        pending.delete(requestId);
        clearTimeout(entry.timer);
        const ranking: number[] = [];
        for (const raw of items) {
          const index = store.itemIds.get(raw);
          if (index >= 0 && !ranking.includes(index)) ranking.push(index);
        }
        entry.resolve(ranking);
        return performance.now() - entry.sentMs > arena.deadlineMs ? 'late' : 'accepted';
      },
      close() {
        if (!isOpen) return;
        isOpen = false;
        arena.removePolicy(name);
        for (const entry of pending.values()) {
          clearTimeout(entry.timer);
          entry.reject(new Error(`policy ${name}: disconnected`));
        }
        pending.clear();
        logger.info({ policy: name }, 'policy withdrawn');
      },
    };
  }
}
