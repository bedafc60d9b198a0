/**
 * Garbage collection and allocation inside a bench server, over one measured run. The runner
 * sends `{ type: "gc-start" }` before the load and `{ type: "gc-stop" }` after it; the child
 * answers `{ type: "gc", gcMs, cpuMs, allocatedBytes, collections }`:
 *
 * - `gcMs`: the main thread's time in garbage collection (v8.GCProfiler's `cost` of each
 *   collection), `cpuMs` the process's CPU time (user + system) over the same span, so
 *   `gcMs / cpuMs` is GC's share of the server's CPU;
 * - `allocatedBytes`: bytes allocated on the V8 heap: the heap's growth between collections
 *   (used size before each collection minus used size after the previous one), plus the
 *   growth after the last one. Divided by the requests answered, the allocation per request.
 *
 * Written here because neither `process.memoryUsage()` deltas (collections free memory in
 * between) nor a PerformanceObserver (durations only) give allocation on their own.
 */
import { GCProfiler, getHeapStatistics } from "node:v8";

export function answerGcMeasurements() {
  let profiler = null;
  let startUsed = 0;
  let startCpu = null;
  process.on("message", (message) => {
    if (message?.type === "gc-start") {
      profiler?.stop();
      profiler = new GCProfiler();
      startUsed = getHeapStatistics().used_heap_size;
      startCpu = process.cpuUsage();
      profiler.start();
    } else if (message?.type === "gc-stop" && profiler !== null) {
      const data = profiler.stop();
      const cpu = process.cpuUsage(startCpu);
      const endUsed = getHeapStatistics().used_heap_size;
      profiler = null;
      let gcUs = 0;
      let allocated = 0;
      let previousAfter = startUsed;
      for (const gc of data.statistics) {
        gcUs += gc.cost;
        allocated += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - previousAfter);
        previousAfter = gc.afterGC.heapStatistics.usedHeapSize;
      }
      allocated += Math.max(0, endUsed - previousAfter);
      process.send({
        type: "gc",
        gcMs: gcUs / 1000,
        cpuMs: (cpu.user + cpu.system) / 1000,
        allocatedBytes: allocated,
        collections: data.statistics.length,
      });
    }
  });
}

/**
 * Runs `measure()` (one load run) between gc-start and gc-stop on a server started with
 * `startNode`, and adds `gcShare` and `allocatedPerRequest` to its result.
 */
export async function withGcMeasurement(server, measure) {
  server.send({ type: "gc-start" });
  const result = await measure();
  server.send({ type: "gc-stop" });
  const gc = await server.message("gc", 30_000);
  result.gcShare = gc.cpuMs > 0 ? gc.gcMs / gc.cpuMs : null;
  result.allocatedPerRequest = result.requests > 0 ? gc.allocatedBytes / result.requests : null;
  result.gcCollections = gc.collections;
  return result;
}
