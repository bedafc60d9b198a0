import type { ChangeFeed } from "../changes.js";
import type { Clock } from "../clock.js";
import type { Store } from "../storage/store.js";
import type { Write } from "../storage/unit-of-work.js";

/** What every service is built on: reads from the store, writes through the one write path. */
export interface ServiceDeps {
  store: Store;
  clock: Clock;
  changes: ChangeFeed;
  write: Write;
}
