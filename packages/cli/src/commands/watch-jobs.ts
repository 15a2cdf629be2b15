/**
 * `xcore jobs ls --watch`: the job table, drawn again when the host's event stream says a job
 * changed, not on a polling timer.
 */
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { AdminClient, JobQuery } from '../remote/admin-client.js';
import { followEvents } from '../remote/follow-events.js';
import { utc } from '../render/format.js';
import { jobTable, readJobs } from './job-listing.js';
import { followSignal, type RemoteOutput } from './remote.js';

/**
 * Events arriving within this many ms of each other cause one redraw: a burst of 1,000 job events
 * is one listing, not 1,000.
 */
const SETTLE_MS = 150;

/**
 * Event types after which the listing can differ (a run starting or ending changes the last run,
 * the state and the next run time).
 */
const TYPES = 'job.*,scheduler.*';

/** Ends on SIGINT/SIGTERM (exit 0); the first failure to connect or list ends it with that error. */
export async function watchJobs(client: AdminClient, query: JobQuery, all: boolean, out: RemoteOutput): Promise<ExitCodeValue> {
  const signal = followSignal(out.io);
  const tty = out.io.isTTY === true;
  let inFlight: Promise<void> | undefined;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failure: unknown;

  const draw = async (): Promise<void> => {
    const page = await readJobs(client, query, all, signal);
    if (out.json) {
      out.printJson(page.raw);
      return;
    }
    const head = `xcore jobs at ${client.target.url}, ${page.items.length} job${page.items.length === 1 ? '' : 's'}${page.nextCursor === null ? '' : ' (first page)'}, updated ${utc(new Date().toISOString())} UTC; Ctrl-C ends\n\n`;
    out.io.stdout(`${tty ? '\x1b[H\x1b[2J' : ''}${head}${jobTable(page.items, out)}${tty ? '' : '\n'}`);
  };
  /** One listing at a time: a change during a listing asks for one more after it, never a pile-up. */
  const refresh = (): Promise<void> => {
    if (inFlight !== undefined) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      try {
        do {
          again = false;
          await draw();
        } while (again && !signal.aborted);
      } catch (error) {
        if (!signal.aborted) out.io.stderr(`xcore: could not list the jobs: ${error instanceof Error ? error.message : String(error)}\n`);
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
  const soon = (): void => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void refresh();
    }, SETTLE_MS);
  };

  // The first listing's failure (unreachable, refused) ends the command with its exit code.
  try {
    await draw();
  } catch (error) {
    if (signal.aborted) return ExitCode.Ok;
    throw error;
  }
  try {
    await followEvents(
      client,
      { owner: query.owner, types: TYPES },
      {
        onEvent: (event) => {
          if (event.type !== 'dropped') soon();
        },
        onConnect: (reconnect) => {
          // Changes during the gap were not streamed: list again.
          if (reconnect) soon();
          out.io.stderr(reconnect ? `xcore: reconnected to the event stream of ${client.target.url}\n` : `xcore: watching the event stream of ${client.target.url} (Ctrl-C ends)\n`);
        },
        onDisconnect: (problem, retryMs) => out.io.stderr(`xcore: event stream lost (${problem}); reconnecting in ${Math.round(retryMs / 1000)}s\n`),
      },
      signal,
    );
  } catch (error) {
    failure = error;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
  await inFlight;
  if (failure !== undefined && !signal.aborted) throw failure;
  return ExitCode.Ok;
}
