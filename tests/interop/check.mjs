// The interop scripts' one assertion: check(cond, what) stops the script
// with "FAIL: what" (exit 1) on the first mismatch; checks() counts those
// that held, for the closing line.
let count = 0;

export function check(cond, what) {
  if (!cond) {
    console.error(`FAIL: ${what}`);
    process.exit(1);
  }
  count++;
}

// Counts a check made some other way (an assertion library's).
export function countCheck() {
  count++;
}

export function checks() {
  return count;
}
