// The job bench/executors.mjs runs on thread and process: says when its code ran.
export function ranAt() {
  return Date.now();
}
